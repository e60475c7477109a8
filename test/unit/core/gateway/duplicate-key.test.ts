import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from '../../../../src-main/core/gateway/duplicate-key.js';

describe('findDuplicateKey()', () => {
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
    expect(findDuplicateKey(text)).toBe(expected);
  });

  it('ignores key-like text inside string values', () => {
    const text = JSON.stringify({ message: '{"id":1,"id":2}', other: 'a","message":"' });
    expect(findDuplicateKey(text)).toBeUndefined();
  });
});
