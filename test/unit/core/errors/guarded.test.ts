import { describe, expect, it } from 'vitest';
import { describeFailure, guarded } from '../../../../src-main/core/errors/guarded.js';

describe('G5: guarded()', () => {
  it('reports a synchronous throw as one line and lets nothing escape', () => {
    const reports: string[] = [];
    const listener = guarded((text) => reports.push(text), 'reading stdout', (n: number) => {
      throw new TypeError(`bad ${n}`);
    });
    expect(() => listener(7)).not.toThrow();
    expect(reports).toEqual(['reading stdout failed: TypeError: bad 7']);
  });

  it('reports a rejected promise instead of leaving it unhandled', async () => {
    const reports: string[] = [];
    guarded((text) => reports.push(text), 'closing a session', () => Promise.reject(new RangeError('gone')))();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reports).toEqual(['closing a session failed: RangeError: gone']);
  });

  it('survives a report that throws too', () => {
    const listener = guarded(() => {
      throw new Error('log is gone');
    }, 'x', () => {
      throw new Error('first');
    });
    expect(() => listener()).not.toThrow();
  });

  it('runs the body normally when it does not fail', () => {
    const seen: number[] = [];
    guarded(() => undefined, 'x', (n: number) => void seen.push(n))(3);
    expect(seen).toEqual([3]);
  });
});

describe('describeFailure()', () => {
  it('gives the name and message, never the stack, and at most 300 characters', () => {
    const error = new Error('x'.repeat(1000));
    const text = describeFailure(error);
    expect(text.length).toBe(300);
    expect(text).not.toContain('at ');
    expect(describeFailure('a string with a secret')).toBe('thrown string');
  });
});
