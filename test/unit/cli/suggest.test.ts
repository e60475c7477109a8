import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../../src-main/cli/suggest.js';

const COMMANDS = ['daemon', 'status', 'stop', 'server', 'secret', 'client', 'clients', 'log', 'limit', 'rule', 'settings'];

describe('editDistance()', () => {
  it('counts inserts, deletes, substitutions and a swap of neighbours as one edit each', () => {
    expect(editDistance('server', 'server')).toBe(0);
    expect(editDistance('sever', 'server')).toBe(1);
    expect(editDistance('sevrer', 'server')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('does not compare words longer than 64 characters', () => {
    expect(editDistance('a'.repeat(65), 'a')).toBe(Infinity);
  });
});

describe('closest()', () => {
  it('finds the command a typo meant', () => {
    expect(closest('sever', COMMANDS)).toBe('server');
    expect(closest('stauts', COMMANDS)).toBe('status');
    expect(closest('setings', COMMANDS)).toBe('settings');
  });

  it('offers nothing for a word far from every name, or one that is known', () => {
    expect(closest('frobnicate', COMMANDS)).toBeUndefined();
    expect(closest('log', COMMANDS)).toBeUndefined();
    expect(closest('', COMMANDS)).toBeUndefined();
  });

  it('completes a prefix of two letters or more', () => {
    expect(closest('sett', COMMANDS)).toBe('settings');
  });
});
