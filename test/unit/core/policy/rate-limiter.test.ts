import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Limit } from '../../../../src-main/core/db/limit-store.js';
import { describeWindow, parseWindow, RateLimiter } from '../../../../src-main/core/policy/rate-limiter.js';

const limit = (id: number, max: number, perMs: number, target = '*', client = '*', server = '*'): Limit => ({ id, client, server, target, max, perMs, createdAt: 0 });
const call = { client: 'claude', server: 'github', target: 'get_issue' };

describe('RateLimiter', () => {
  describe('take()', () => {
    it('lets a burst of max calls through, refuses the next, and says when to retry', () => {
      let now = 0;
      const limiter = new RateLimiter(() => now);
      limiter.setLimits([limit(1, 60, 60_000)]);
      for (let i = 0; i < 60; i++) expect(limiter.take(call)).toBeUndefined();
      const refused = limiter.take(call);
      expect(refused?.limit.id).toBe(1);
      expect(refused?.retryAfterMs).toBe(1000);
      now = 1000;
      expect(limiter.take(call)).toBeUndefined();
      expect(limiter.take(call)).toBeDefined();
    });

    it('refuses the 61st call in a minute at the window edge and accepts it a full window later', () => {
      let now = 0;
      const limiter = new RateLimiter(() => now);
      limiter.setLimits([limit(1, 60, 60_000)]);
      for (let i = 0; i < 60; i++) limiter.take(call);
      now = 999;
      expect(limiter.take(call)).toBeDefined();
      now = 60_000;
      for (let i = 0; i < 60; i++) expect(limiter.take(call)).toBeUndefined();
    });

    it('consumes from no limit when any matching limit refuses', () => {
      const limiter = new RateLimiter(() => 0);
      limiter.setLimits([limit(1, 100, 60_000), limit(2, 2, 60_000, 'get_*')]);
      limiter.take(call);
      limiter.take(call);
      for (let i = 0; i < 50; i++) expect(limiter.take(call)?.limit.id).toBe(2);
      // Limit 1 was charged only twice, so 98 other calls still pass.
      for (let i = 0; i < 98; i++) expect(limiter.take({ ...call, target: 'create_issue' })).toBeUndefined();
      expect(limiter.take({ ...call, target: 'create_issue' })?.limit.id).toBe(1);
    });

    it('gives each client its own budget', () => {
      const limiter = new RateLimiter(() => 0);
      limiter.setLimits([limit(1, 1, 60_000)]);
      expect(limiter.take(call)).toBeUndefined();
      expect(limiter.take(call)).toBeDefined();
      expect(limiter.take({ ...call, client: 'cursor' })).toBeUndefined();
    });

    it('ignores limits whose patterns do not match', () => {
      const limiter = new RateLimiter(() => 0);
      limiter.setLimits([limit(1, 1, 60_000, '*', '*', 'mail')]);
      for (let i = 0; i < 10; i++) expect(limiter.take(call)).toBeUndefined();
    });

    it('never lets more than max + elapsed/interval calls through, whatever the timing', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 200 }), (max, gaps) => {
          let now = 0;
          const limiter = new RateLimiter(() => now);
          limiter.setLimits([limit(1, max, 10_000)]);
          let passed = 0;
          for (const gap of gaps) {
            now += gap;
            if (limiter.take(call) === undefined) passed++;
          }
          expect(passed).toBeLessThanOrEqual(max + Math.floor(now / (10_000 / max)));
        }),
      );
    });
  });
});

describe('parseWindow()', () => {
  it.each([
    ['60s', 60_000],
    ['60', 60_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250ms', 250],
    ['soon', undefined],
    ['-5s', undefined],
  ])('%s → %s', (text, ms) => {
    expect(parseWindow(text)).toBe(ms);
  });

  it('describes windows in the largest whole unit', () => {
    expect(describeWindow(60_000)).toBe('1 min');
    expect(describeWindow(3_600_000)).toBe('1 h');
    expect(describeWindow(30_000)).toBe('30 s');
  });
});
