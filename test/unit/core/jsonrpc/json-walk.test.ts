import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allWellFormed, canonicalJson, rebuildJson, stringsIn } from '../../../../src-main/core/jsonrpc/json-walk.js';

/** Nested arrays `depth` deep, built without recursion. */
function deep(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('json-walk', () => {
  describe('stringsIn()', () => {
    it('lists every string and key in document order', () => {
      expect(stringsIn({ a: 'x', b: [1, 'y', { c: 'z' }] })).toEqual(['a', 'x', 'b', 'y', 'c', 'z']);
    });

    it('walks 100,000 levels of nesting without overflowing the stack', () => {
      expect(stringsIn(deep(100_000, 'bottom'))).toEqual(['bottom']);
    });
  });

  describe('allWellFormed()', () => {
    it('finds a lone surrogate in a value or a key', () => {
      expect(allWellFormed({ a: ['ok', '\u{1F600}'] })).toBe(true);
      expect(allWellFormed({ a: ['x\ud800'] })).toBe(false);
      expect(allWellFormed({ ['\udc00']: 1 })).toBe(false);
    });
  });

  describe('rebuildJson()', () => {
    it('equals a plain copy when nothing is mapped', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          expect(rebuildJson(value)).toEqual(value);
        }),
        { seed: 7, numRuns: 300 },
      );
    });

    it('maps strings and keys and cuts containers past the depth limit', () => {
      const out = rebuildJson({ key: ['secret', { inner: deep(5, 'x') }] }, {
        string: (text) => text.toUpperCase(),
        key: (key) => `k:${key}`,
        maxDepth: 2,
        tooDeep: '…',
      });
      expect(out).toEqual({ 'k:key': ['SECRET', { 'k:inner': '…' }] });
    });

    it('keeps a "__proto__" key as a key', () => {
      const parsed: unknown = JSON.parse('{"__proto__":{"polluted":true},"a":1}');
      const copy = rebuildJson(parsed) as Record<string, unknown>;
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expect(JSON.stringify(copy)).toBe('{"__proto__":{"polluted":true},"a":1}');
    });

    it('keeps a key renamed to "__proto__" and keys named like Object.prototype members as own keys', () => {
      const parsed: unknown = JSON.parse('{"constructor":1,"toString":2,"hasOwnProperty":3,"x":{"y":4}}');
      const copy = rebuildJson(parsed, { key: (key) => (key === 'x' ? '__proto__' : key) }) as Record<string, unknown>;
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expect(JSON.stringify(copy)).toBe('{"constructor":1,"toString":2,"hasOwnProperty":3,"__proto__":{"y":4}}');
    });

    it('copies 100,000 levels of nesting without overflowing the stack', () => {
      const copy = rebuildJson(deep(100_000, 1), { maxDepth: 200_000 });
      let depth = 0;
      let cursor: unknown = copy;
      while (Array.isArray(cursor)) {
        cursor = cursor[0];
        depth++;
      }
      expect([depth, cursor]).toEqual([100_000, 1]);
    });
  });

  describe('canonicalJson()', () => {
    it('gives one text for objects that differ only in key order', () => {
      expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}');
    });
  });
});
