import { describe, expect, it } from 'vitest';
import { errorReply, helloRefusal, refusal, restarted } from '../../../src-main/cli/shim-replies.js';

describe('errorReply()', () => {
  it('answers a numeric id and a string id under the same id, as a JSON-RPC error line', () => {
    const numeric = JSON.parse(errorReply(7, 'retry it') as string);
    expect(numeric).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32001, message: 'MCP Warden: retry it' } });
    expect(JSON.parse(errorReply('"a\\"b"', 'x') as string).id).toBe('a"b');
  });

  it('writes nothing for a string id that is not JSON text, so no broken line reaches the client', () => {
    expect(errorReply('"unterminated', 'x')).toBeUndefined();
  });
});

describe('helloRefusal()', () => {
  it('accepts only an answer that says ok', () => {
    expect(helloRefusal(Buffer.from('{"ok":true}\n'))).toBeUndefined();
    expect(helloRefusal(Buffer.from('{"ok":false,"error":"the client key is unknown"}\n'))).toBe('the client key is unknown');
    expect(helloRefusal(Buffer.from('[1]\n'))).toBe('the Warden core refused the connection');
  });

  it('names an unreadable answer instead of throwing', () => {
    expect(helloRefusal(Buffer.from('{"ok":tru\n'))).toMatch(/unreadable reply; update the shim and the app together/);
  });
});

describe('refusal()', () => {
  it('reads the error message of an error response, cut to 300 characters', () => {
    expect(refusal(Buffer.from(JSON.stringify({ id: 1, error: { code: 1, message: 'm'.repeat(400) } })))).toBe('m'.repeat(300));
    expect(refusal(Buffer.from('{"id":1,"result":{}}'))).toBeUndefined();
    expect(refusal(Buffer.from('not json'))).toBe('an unreadable reply');
  });
});

describe('restarted()', () => {
  it('says a request may have taken effect unless the shim knows it was an initialize', () => {
    expect(restarted('other')).toMatch(/may or may not have taken effect/);
    expect(restarted(undefined)).toMatch(/may or may not have taken effect/);
    expect(restarted('initialize')).toBe('the Warden core restarted before it answered initialize; send it again');
  });
});
