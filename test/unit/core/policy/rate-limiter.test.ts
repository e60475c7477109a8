import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Limit } from '../../../../src-main/core/db/limit-store.js';
import { describeWindow, parseWindow, RateLimiter } from '../../../../src-main/core/policy/rate-limiter.js';

const limit = (id: number, max: number, perMs: number, target = '*', client = '*', server = '*'): Limit => ({ id, client, server, target, max, perMs, createdAt: 0 });
const call = { client: 'claude', server: 'github', target: 'get_issue' };

describe('RateLimiter', () => {
  describe('take()', () => {
    it('lets max calls through, refuses the next until the oldest is a window old, and says when', () => {
      let now = 0;
      const limiter = new RateLimiter(() => now);
      limiter.setLimits([limit(1, 60, 60_000)]);
      for (let i = 0; i < 60; i++) expect(limiter.take(call)).toBeUndefined();
      const refused = limiter.take(call);
      expect(refused?.limit.id).toBe(1);
      expect(refused?.retryAfterMs).toBe(60_000);
      now = 59_999;
      expect(limiter.take(call)?.retryAfterMs).toBe(1);
      now = 60_000;
      for (let i = 0; i < 60; i++) expect(limiter.take(call)).toBeUndefined();
      expect(limiter.take(call)).toBeDefined();
    });

    it('lets 3 calls through in a minute for --max 3 --per 60s, not a fourth 20 s later (no token bucket)', () => {
      let now = 0;
      const limiter = new RateLimiter(() => now);
      limiter.setLimits([limit(1, 3, 60_000)]);
      let passed = 0;
      // One call a second for 59 s: a token bucket lets a 4th through at 20 s, a window does not.
      for (; now < 60_000; now += 1000) if (limiter.take(call) === undefined) passed++;
      expect(passed).toBe(3);
    });

    it('frees calls one by one as the earliest leave the window', () => {
      let now = 0;
      const limiter = new RateLimiter(() => now);
      limiter.setLimits([limit(1, 2, 10_000)]);
      expect(limiter.take(call)).toBeUndefined();
      now = 4000;
      expect(limiter.take(call)).toBeUndefined();
      expect(limiter.take(call)?.retryAfterMs).toBe(6000);
      now = 10_000;
      expect(limiter.take(call)).toBeUndefined();
      expect(limiter.take(call)?.retryAfterMs).toBe(4000);
    });

    it('keeps a client\'s recent calls when the limits are set again, under a changed max too', () => {
      let now = 0;
      const limiter = new RateLimiter(() => now);
      limiter.setLimits([limit(1, 3, 60_000)]);
      for (let i = 0; i < 3; i++) limiter.take(call);
      limiter.setLimits([limit(1, 3, 60_000)]);
      expect(limiter.take(call)).toBeDefined();
      limiter.setLimits([limit(1, 2, 60_000)]);
      expect(limiter.take(call)).toBeDefined();
      limiter.setLimits([limit(1, 5, 60_000)]);
      // The two latest calls were kept under max 2; three more fit under max 5.
      now = 1;
      for (let i = 0; i < 3; i++) expect(limiter.take(call)).toBeUndefined();
      expect(limiter.take(call)).toBeDefined();
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

    it('never lets more than max calls through in any window, and refuses only when max were let through', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 200 }), (max, gaps) => {
          let now = 0;
          const perMs = 10_000;
          const limiter = new RateLimiter(() => now);
          limiter.setLimits([limit(1, max, perMs)]);
          const passed: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const inWindow = passed.filter((t) => t > now - perMs).length;
            if (limiter.take(call) === undefined) passed.push(now);
            else expect(inWindow).toBe(max);
          }
          for (const t of passed) expect(passed.filter((u) => u >= t && u < t + perMs).length).toBeLessThanOrEqual(max);
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
