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
    ['not json', ErrorCode.ParseError, null, /not valid JSON/],
    ['[{"jsonrpc":"2.0","id":1,"method":"ping"}]', ErrorCode.InvalidRequest, null, /batch/],
    ['42', ErrorCode.InvalidRequest, null, /not a JSON object/],
    ['{"jsonrpc":"1.0","id":3,"method":"ping"}', ErrorCode.InvalidRequest, 3, /"jsonrpc" must be "2.0"/],
    ['{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}', ErrorCode.InvalidRequest, null, /"id" must be a string or a number/],
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
