import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryWait } from '../../../src-main/cli/retry-wait.js';

describe('RetryWait', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** How many ms of fake time `wait.next()` took. */
  async function waited(wait: RetryWait): Promise<number> {
    const start = Date.now();
    let done = false;
    const next = wait.next().then(() => (done = true));
    while (!done) await vi.advanceTimersByTimeAsync(1);
    await next;
    return Date.now() - start;
  }

  it('doubles the wait up to its cap, and starts over after reset()', async () => {
    const wait = new RetryWait(50, 150);
    expect([await waited(wait), await waited(wait), await waited(wait), await waited(wait)]).toEqual([50, 100, 150, 150]);
    wait.reset();
    expect(await waited(wait)).toBe(50);
  });

  it('ends the current wait at once when woken', async () => {
    const wait = new RetryWait(1000, 2000);
    let done = false;
    const next = wait.next().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10);
    wait.wake();
    await next;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
