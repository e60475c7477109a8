import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peekLine, peekParts, SCAN_LIMIT, type Peek } from '../../../src-main/cli/line-peek.js';
import { LineTracker, WHOLE_LINE_BYTES } from '../../../src-main/cli/line-tracker.js';

/** What a full parse says the shim should see in a message. */
function truth(message: Record<string, unknown>): Peek {
  const raw = message.id;
  const id = typeof raw === 'number' && Number.isSafeInteger(raw) ? raw : typeof raw === 'string' ? JSON.stringify(raw) : undefined;
  if (typeof message.method !== 'string') return { kind: 'response', id, method: undefined };
  const method = message.method === 'initialize' ? 'initialize' : message.method === 'notifications/initialized' ? 'initialized' : 'other';
  return { kind: id === undefined ? 'notification' : 'request', id, method };
}

const peekOf = (text: string): Peek => {
  const buf = Buffer.from(text);
  return peekLine(buf, 0, buf.length);
};

const filler = fc.dictionary(
  fc.string({ maxLength: 8 }).filter((key) => !['id', 'method', 'result', 'error', 'jsonrpc'].includes(key)),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 4 },
);
const idValue = fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.string({ maxLength: 12 }), fc.constant(undefined));
const method = fc.constantFrom('initialize', 'notifications/initialized', 'tools/call', 'ping', 'initialize2', 'x');
/** A JSON-RPC message with its members in a random order, as any client might write it. */
const message = fc
  .record({ kind: fc.constantFrom('request', 'response-result', 'response-error'), id: idValue, method, extra: filler, order: fc.infiniteStream(fc.integer()) })
  .map(({ kind, id, method: name, extra, order }) => {
    const members: Array<[string, unknown]> = [['jsonrpc', '2.0'], ...Object.entries(extra)];
    if (id !== undefined) members.push(['id', id]);
    if (kind === 'request') members.push(['method', name], ['params', { name: 'echo', arguments: extra }]);
    if (kind === 'response-result') members.push(['result', { content: [{ type: 'text', text: JSON.stringify(extra) }] }]);
    if (kind === 'response-error') members.push(['error', { code: -32000, message: 'no' }]);
    const shuffled = members.map((member) => [order.next().value as number, member] as const).sort((a, b) => a[0] - b[0]);
    return Object.fromEntries(shuffled.map(([, member]) => member));
  });

describe('peekLine()', () => {
  it('reads the id and method of the shapes the SDK writes', () => {
    expect(peekOf('{"method":"tools/call","params":{"name":"echo"},"jsonrpc":"2.0","id":5}')).toEqual({ kind: 'request', id: 5, method: 'other' });
    expect(peekOf('{"method":"initialize","params":{},"jsonrpc":"2.0","id":0}')).toEqual({ kind: 'request', id: 0, method: 'initialize' });
    expect(peekOf('{"method":"notifications/initialized","jsonrpc":"2.0"}')).toEqual({ kind: 'notification', id: undefined, method: 'initialized' });
    expect(peekOf('{"result":{"content":[]},"jsonrpc":"2.0","id":"warden-shim-replay-1"}')).toEqual({ kind: 'response', id: '"warden-shim-replay-1"', method: undefined });
  });

  it('is not fooled by an id inside a nested object or a string', () => {
    expect(peekOf('{"method":"notifications/progress","params":{"id":5}}').id).toBeUndefined();
    expect(peekOf('{"method":"x","params":"a\\",\\"id\\":5}"}').id).toBeUndefined();
    expect(peekOf('{"result":{"id":7},"jsonrpc":"2.0"}')).toEqual({ kind: 'response', id: undefined, method: undefined });
  });

  it('keeps 1 and "1" apart and gives equal ids one key', () => {
    expect(peekOf('{"jsonrpc":"2.0","id":1,"result":{}}').id).toBe(1);
    expect(peekOf('{"jsonrpc":"2.0","id":"1","result":{}}').id).toBe('"1"');
    expect(peekOf('{"jsonrpc":"2.0","id":1.0,"result":{}}').id).toBe(1);
    expect(peekOf('{"jsonrpc":"2.0","id":"\\u0061","result":{}}').id).toBe('"a"');
  });

  it('agrees with a full parse on every message, whatever the order of its members', () => {
    fc.assert(
      fc.property(message, (value) => {
        expect(peekOf(JSON.stringify(value))).toEqual(truth(value));
      }),
      { numRuns: 2000, seed: 9 },
    );
  });

  it('reports garbage as unknown rather than guessing an id', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const peek = peekOf(text);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          expect(peek.kind).toBe('unknown');
          return;
        }
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) expect(peek).toEqual(truth(parsed as Record<string, unknown>));
      }),
      { numRuns: 2000, seed: 10 },
    );
  });
});

describe('peekParts()', () => {
  it('reads a long SDK request from its head and tail alone', () => {
    const line = Buffer.from(JSON.stringify({ method: 'tools/call', params: { arguments: { text: 'x'.repeat(200_000) } }, jsonrpc: '2.0', id: 42 }));
    const tail = line.subarray(line.length - SCAN_LIMIT);
    expect(peekParts(line.subarray(0, WHOLE_LINE_BYTES), WHOLE_LINE_BYTES, tail, tail.length)).toEqual({ kind: 'request', id: 42, method: 'other' });
  });
});

describe('LineTracker', () => {
  it('peeks at the same lines however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (values, cuts) => {
        const stream = Buffer.from(values.map((value) => JSON.stringify(value) + '\n').join(''));
        const seen: Peek[] = [];
        const tracker = new LineTracker((peek) => void seen.push({ ...peek }));
        const points = [...new Set(cuts.map((cut) => cut % stream.length))].sort((a, b) => a - b);
        let from = 0;
        for (const point of [...points, stream.length]) {
          tracker.push(Buffer.from(stream.subarray(from, point)));
          from = point;
        }
        expect(seen).toEqual(values.map(truth));
        expect(tracker.midLine).toBe(false);
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('hands over a line that spans chunks whole when it fits, so a handshake can be copied', () => {
    const lines: string[] = [];
    const tracker = new LineTracker((_peek, line, start, end) => void lines.push(line ? line.toString('utf8', start, end) : '(too long)'));
    const text = '{"method":"initialize","params":{"capabilities":{}},"jsonrpc":"2.0","id":0}';
    tracker.push(Buffer.from(text.slice(0, 20)));
    tracker.push(Buffer.from(text.slice(20) + '\n' + 'x'.repeat(WHOLE_LINE_BYTES)));
    tracker.push(Buffer.from('y\n'));
    expect(lines).toEqual([text, '(too long)']);
  });
});
