import { describe, expect, it } from 'vitest';
import { scanJson } from '../../../../src-main/core/jsonrpc/json-scan.js';

describe('scanJson()', () => {
  describe('duplicate keys', () => {
    it.each([
      ['{"a":1,"b":2}', undefined],
      ['{"a":1,"a":2}', 'a'],
      ['{"a":{"x":1},"b":{"x":2}}', undefined],
      ['{"a":{"x":1,"x":2}}', 'x'],
      ['[{"k":1},{"k":2}]', undefined],
      ['{"list":[{"k":1,"k":1}]}', 'k'],
      ['{"a\\u0062":1,"ab":2}', 'ab'],
      ['{"s":"a \\"quoted\\" \\\\","s2":"{\\"s\\":1,\\"s\\":2}"}', undefined],
      ['{"":1,"":2}', ''],
      ['"just a string"', undefined],
      ['{"a":[1,2,{"b":3}],"c":{"d":[],"e":{}},"a2":null}', undefined],
    ])('%s → %s', (text, expected) => {
      JSON.parse(text);
      expect(scanJson(text).duplicate).toBe(expected);
    });

    it('ignores key-like text inside string values', () => {
      const text = JSON.stringify({ message: '{"id":1,"id":2}', other: 'a","message":"' });
      expect(scanJson(text).duplicate).toBeUndefined();
    });
  });

  describe('inexact numbers', () => {
    it.each([
      ['{"n":42}', false],
      ['{"n":-0.125,"m":[1,2,3]}', false],
      ['{"n":123456789012345}', false],
      ['{"n":0.000000000000001}', false],
      ['{"n":1234567890123456789}', true],
      ['{"n":1e400}', true],
      ['{"n":2E-3}', true],
      ['{"n":0.12345678901234567}', true],
      ['{"s":"1234567890123456789e10"}', false],
    ])('%s → %s', (text, expected) => {
      JSON.parse(text);
      expect(scanJson(text).inexactNumber).toBe(expected);
    });
  });
});
