import { describe, expect, it } from 'vitest';
import { pipeline, type Call, type CallStage } from '../../../../src-main/core/gateway/call-stage.js';

function call(): Call {
  return {
    message: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } },
    id: 1,
    wire: '{}\n',
    entry: { method: 'tools/call', started: 0, auditId: undefined },
    kind: 'tool',
    target: 'echo',
    verdict: { action: 'allow', reason: 'test', meta: { type: 'default' } },
  };
}

function recorder(name: string, seen: string[], settle = false): CallStage {
  return {
    name,
    handle(value, next) {
      seen.push(name);
      if (!settle) next(value);
    },
  };
}

describe('the call pipeline', () => {
  it('runs its stages in order, each handing the call to the next', () => {
    const seen: string[] = [];
    pipeline([recorder('judge', seen), recorder('record', seen), recorder('route', seen)])(call());
    expect(seen).toEqual(['judge', 'record', 'route']);
  });

  it('stops at a stage that settles the call itself', () => {
    const seen: string[] = [];
    pipeline([recorder('judge', seen, true), recorder('route', seen)])(call());
    expect(seen).toEqual(['judge']);
  });

  it('lets a stage pass the call on later, as an approval does', async () => {
    const seen: string[] = [];
    const later: CallStage = { name: 'approval', handle: (value, next) => void Promise.resolve().then(() => next(value)) };
    pipeline([recorder('judge', seen), later, recorder('route', seen)])(call());
    expect(seen).toEqual(['judge']);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(['judge', 'route']);
  });
});
