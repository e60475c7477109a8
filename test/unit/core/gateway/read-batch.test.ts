import { describe, expect, it } from 'vitest';
import { ReadBatch } from '../../../../src-main/core/gateway/read-batch.js';

function sinks() {
  const seen: string[] = [];
  return {
    seen,
    client: (data: string) => void seen.push(`client ${data}`),
    upstream: (wires: Array<string | Buffer>) => void seen.push(`upstream ${wires.join('|')}`),
    refuse: (id: string | number) => void seen.push(`refuse ${id}`),
  };
}

describe('ReadBatch', () => {
  describe('deliver()', () => {
    it('answers in order, forwards in one write, then starts what waited', () => {
      const batch = new ReadBatch();
      const out = sinks();
      batch.upstream('a', 1);
      batch.client('blocked 2', 2);
      batch.later(() => out.seen.push('ask 3'), 3);
      batch.upstream('b');
      batch.deliver(out);
      expect(out.seen).toEqual(['client blocked 2', 'upstream a|b', 'ask 3']);
    });

    it('drops the steps of a message taken back with rewind()', () => {
      const batch = new ReadBatch();
      const out = sinks();
      batch.upstream('kept');
      const mark = batch.mark();
      batch.upstream('failed message');
      batch.later(() => out.seen.push('never'), 9);
      batch.rewind(mark);
      batch.deliver(out);
      expect(out.seen).toEqual(['upstream kept']);
    });
  });

  describe('deliverFailed()', () => {
    it('G1: refuses each audited request once and forwards none of them', () => {
      const batch = new ReadBatch();
      const out = sinks();
      batch.upstream('call 1', 1);
      batch.client('blocked 2', 2);
      batch.later(() => out.seen.push('ask 3 started'), 3);
      batch.upstream('tools/list 4');
      batch.client('parse error');
      batch.deliverFailed(out);
      expect(out.seen).toEqual(['refuse 1', 'refuse 2', 'refuse 3', 'client parse error', 'upstream tools/list 4']);
    });
  });
});
