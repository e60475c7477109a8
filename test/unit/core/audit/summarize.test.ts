import { describe, expect, it } from 'vitest';
import { MAX_LOGGED_ARGUMENTS, MAX_LOGGED_STRING, summarizeError, summarizeForLog } from '../../../../src-main/core/audit/summarize.js';

const redact = (text: string): string => text.split('hunter2-secret').join('«secret:PW»');

describe('summarizeForLog()', () => {
  it('redacts secret values in keys and nested values', () => {
    expect(summarizeForLog({ a: ['x hunter2-secret'], hunter2: { 'hunter2-secret': 1 } }, redact)).toBe(
      '{"a":["x «secret:PW»"],"hunter2":{"«secret:PW»":1}}',
    );
  });

  it('redacts before cutting, so a cut never keeps part of a secret', () => {
    const value = 'a'.repeat(MAX_LOGGED_STRING - 4) + 'hunter2-secret';
    const logged = summarizeForLog({ value }, redact) as string;
    expect(logged).not.toContain('hunt');
    expect(logged).toContain('…(+');
  });

  it('caps the whole row', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(500)]));
    expect((summarizeForLog(many, redact) as string).length).toBeLessThan(MAX_LOGGED_ARGUMENTS + 32);
  });

  it('returns null for absent arguments', () => {
    expect(summarizeForLog(undefined, redact)).toBeNull();
  });
});

describe('summarizeError()', () => {
  it('redacts, folds whitespace and cuts to 500 characters', () => {
    expect(summarizeError('bad\n  hunter2-secret  here', redact)).toBe('bad «secret:PW» here');
    expect(summarizeError('x'.repeat(600), redact)).toHaveLength(501);
  });
});
