/**
 * Slows down guessing of client keys and admin tokens: a token bucket of failed hellos
 * (`burst` at once, refilled at `burst` per `windowMs`). While it is empty every hello is
 * refused, since the local socket gives no caller identity to limit by.
 */
export class HelloLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly now: () => number,
    private readonly burst = 10,
    private readonly windowMs = 60_000,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Milliseconds until hellos are accepted again; 0 when they are accepted now. */
  blockedFor(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * this.windowMs) / this.burst);
  }

  /** Records one failed hello. */
  fail(): void {
    this.refill();
    this.tokens = Math.max(0, this.tokens - 1);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.burst) / this.windowMs);
    this.updatedAt = now;
  }
}
