import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, isExact, literalLength, patternProblem } from '../../../src-shared/glob.js';

describe('compileGlob()', () => {
  it.each([
    ['*', 'anything/at all', true],
    ['get_*', 'get_issue', true],
    ['get_*', 'list_issues', false],
    ['*_file', 'read_file', true],
    ['*_file', 'read_files', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['delete_repo', 'delete_repo', true],
    ['delete_repo', 'delete_repos', false],
    ['file://*.md', 'file:///notes/a.md', true],
    ['a.b', 'axb', false],
    ['(x)+', '(x)+', true],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(compileGlob(pattern)(value)).toBe(expected);
  });

  it('matches every string with no wildcard only to itself', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('*') && !s.includes('?')), fc.string(), (literal, other) => {
        const match = compileGlob(literal);
        expect(match(literal)).toBe(true);
        expect(match(other)).toBe(other === literal);
      }),
    );
  });

  it('matches prefix* exactly the strings that start with the prefix', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('*') && !s.includes('?')), fc.string(), (prefix, value) => {
        expect(compileGlob(`${prefix}*`)(value)).toBe(value.startsWith(prefix));
      }),
    );
  });

  it('matches *suffix exactly the strings that end with the suffix', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('*') && !s.includes('?')), fc.string(), (suffix, value) => {
        expect(compileGlob(`*${suffix}`)(value)).toBe(value.endsWith(suffix));
      }),
    );
  });
});

describe('pattern helpers', () => {
  it('tells exact names from globs and counts literal characters', () => {
    expect(isExact('delete_repo')).toBe(true);
    expect(isExact('delete_*')).toBe(false);
    expect(literalLength('get_*')).toBe(4);
    expect(literalLength('*')).toBe(0);
  });

  it('refuses empty, overlong and control-character patterns with a reason', () => {
    expect(patternProblem('')).toMatch(/must not be empty/);
    expect(patternProblem('x'.repeat(300))).toMatch(/at most 256/);
    expect(patternProblem('a\nb')).toMatch(/control characters/);
    expect(patternProblem('get_*')).toBeUndefined();
  });
});
