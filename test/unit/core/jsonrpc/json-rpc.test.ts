import { describe, expect, it } from 'vitest';
import { ErrorCode, idFromHead, parseMessage } from '../../../../src-main/core/jsonrpc/json-rpc.js';

describe('parseMessage()', () => {
  it('accepts requests, notifications and responses', () => {
    expect(parseMessage('{"jsonrpc":"2.0","id":1,"method":"ping"}').ok).toBe(true);
    expect(parseMessage('{"jsonrpc":"2.0","method":"notifications/initialized"}').ok).toBe(true);
    expect(parseMessage('{"jsonrpc":"2.0","id":"a","result":{}}').ok).toBe(true);
    expect(parseMessage('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}').ok).toBe(true);
  });

  it.each([
    ['{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}', 'request'],
    ['{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}', 'notification'],
    ['{"jsonrpc":"2.0","id":"a","error":{"code":1,"message":"m"}}', 'response'],
    ['{"jsonrpc":"2.0","id":9007199254740991,"result":{}}', 'response'],
  ])('classifies %s as a %s', (text, kind) => {
    const parsed = parseMessage(text);
    expect(parsed.ok && parsed.kind).toBe(kind);
  });

  describe('G2: what cannot be classified is refused', () => {
    it.each([
      ['a tools/call without an id', '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"secret-tool"}}', null, /is not a notification, but the message has no "id"/],
      ['a tools/call with id null and an error member', '{"jsonrpc":"2.0","id":null,"method":"tools/call","error":{"code":1,"message":"x"},"params":{"name":"secret-tool"}}', null, /"id" must be|must not carry/],
      ['a request carrying a result', '{"jsonrpc":"2.0","id":3,"method":"tools/call","result":{},"params":{"name":"x"}}', 3, /must not carry "result" or "error"/],
      ['a request carrying an error', '{"jsonrpc":"2.0","id":3,"method":"ping","error":{"code":1,"message":"x"}}', 3, /must not carry/],
      ['an id too large for a double', '{"jsonrpc":"2.0","id":123456789012345678901,"method":"tools/call","params":{"name":"x"}}', null, /"id" must be a string or an integer/],
      ['an id of 1e400', '{"jsonrpc":"2.0","id":1e400,"method":"tools/call","params":{"name":"x"}}', null, /"id" must be/],
      ['a fractional id', '{"jsonrpc":"2.0","id":1.5,"method":"ping"}', null, /"id" must be/],
      ['an array id', '{"jsonrpc":"2.0","id":[1],"method":"ping"}', null, /"id" must be/],
      ['a lone surrogate in a name', '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get-env\\ud800"}}', 4, /lone surrogate/],
      ['a lone low surrogate in a key', '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"x","arguments":{"\\udc00":1}}}', 4, /lone surrogate/],
      ['a response with both result and error', '{"jsonrpc":"2.0","id":5,"result":{},"error":{"code":1,"message":"x"}}', 5, /exactly one of/],
      ['a response with neither', '{"jsonrpc":"2.0","id":5}', 5, /exactly one of/],
      ['a message with neither method nor id', '{"jsonrpc":"2.0","result":{}}', null, /neither a "method" nor an "id"/],
      ['params as an array', '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":["x"]}', 6, /"params" must be an object/],
    ])('refuses %s', (_what, text, id, message) => {
      const parsed = parseMessage(text);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.code).toBe(ErrorCode.InvalidRequest);
      expect(parsed.id).toBe(id);
      expect(parsed.message).toMatch(message);
    });

    it('marks an id-less refusal, which gets no reply', () => {
      const parsed = parseMessage('{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}');
      expect(parsed.ok === false && parsed.notification).toBe(true);
      const withId = parseMessage('{"jsonrpc":"2.0","id":1.5,"method":"ping"}');
      expect(withId.ok === false && withId.notification).toBeFalsy();
      // Nor does a malformed response: replying to a reply would only confuse the client.
      for (const text of ['{"jsonrpc":"2.0","id":5}', '{"jsonrpc":"2.0","id":[1],"result":{}}', '{"jsonrpc":"2.0","result":{}}']) {
        const response = parseMessage(text);
        expect(response.ok === false && response.notification).toBe(true);
      }
    });

    it('accepts a well-formed surrogate pair', () => {
      const parsed = parseMessage('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\\ud83d\\ude00"}}');
      expect(parsed.ok).toBe(true);
    });
  });

  describe('G1: nesting is bounded before parsing', () => {
    it('refuses a message nested deeper than the limit, keeping a readable id', () => {
      const text = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":{"a":${'['.repeat(6000)}${']'.repeat(6000)}}}}`;
      const parsed = parseMessage(text);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.id).toBe(7);
      expect(parsed.message).toMatch(/deeper than 64 levels/);
    });

    it('accepts nesting up to the limit, and a larger limit for upstream messages', () => {
      const nested = (depth: number): string => `{"jsonrpc":"2.0","id":1,"result":{"a":${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}}}`;
      expect(parseMessage(nested(64)).ok).toBe(true);
      expect(parseMessage(nested(65)).ok).toBe(false);
      expect(parseMessage(nested(100), 128).ok).toBe(true);
    });

    it('does not mistake brackets inside strings for nesting', () => {
      const text = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: { s: '['.repeat(10_000) } } });
      expect(parseMessage(text).ok).toBe(true);
    });
  });

  it.each([
    ['not json', ErrorCode.ParseError, null, /not valid JSON/],
    ['[{"jsonrpc":"2.0","id":1,"method":"ping"}]', ErrorCode.InvalidRequest, null, /batch/],
    ['42', ErrorCode.InvalidRequest, null, /not a JSON object/],
    ['{"jsonrpc":"1.0","id":3,"method":"ping"}', ErrorCode.InvalidRequest, 3, /"jsonrpc" must be "2.0"/],
    ['{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}', ErrorCode.InvalidRequest, null, /"id" must be a string or an integer/],
    ['{"jsonrpc":"2.0","id":4,"method":7}', ErrorCode.InvalidRequest, 4, /"method" must be a string/],
    ['{"jsonrpc":"2.0","id":5,"method":"x","params":"no"}', ErrorCode.InvalidRequest, 5, /"params" must be an object/],
    ['{"jsonrpc":"2.0","id":6,"method":"x","method":"y"}', ErrorCode.InvalidRequest, 6, /"method" appears twice/],
  ])('refuses %s', (text, code, id, message) => {
    const parsed = parseMessage(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.code).toBe(code);
    expect(parsed.id).toBe(id);
    expect(parsed.message).toMatch(message);
  });
});

describe('idFromHead()', () => {
  it.each([
    ['{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"x":"', 42],
    ['{"id":"abc","jsonrpc":"2.0"', 'abc'],
    ['  {"jsonrpc":"2.0","method":"tools/call","id":-7,', -7],
    ['{"jsonrpc":"2.0","method":"tools/call","params":{"id":5', null],
    ['garbage', null],
  ])('%s → %s', (head, expected) => {
    expect(idFromHead(head)).toBe(expected);
  });
});
