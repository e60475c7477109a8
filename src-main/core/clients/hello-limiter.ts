/** A connection whose refusal can be held: the local socket, or a stand-in in tests. */
export interface HeldConnection {
  readonly destroyed: boolean;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** How the limiter slows failures down; every field has a default. */
export interface HelloLimiterOptions {
  /** Delay of the first refusal. */
  baseMs?: number;
  /** Added to the delay per recent failure. */
  stepMs?: number;
  /** The longest delay. */
  maxMs?: number;
  /** Delayed refusals held at once; past it a failing connection is closed at once, unanswered. */
  maxHeld?: number;
  /** Time for the recent-failure count to drop by one. */
  decayMs?: number;
  /** Where a refusal that failed to send is reported. */
  note?: (text: string) => void;
}

/**
 * Slows down guessing of client keys and admin tokens without locking anyone out: only a
 * failed hello is touched, and only its own refusal is delayed (250 ms, growing with recent
 * failures by 250 ms each, at most 4 s). A valid key or admin token never asks the limiter,
 * so it gets in at once however many failures came before: the local socket names no caller
 * to limit by, and one bad actor must not be able to lock the others out (keys are 256-bit,
 * so a lockout would buy nothing). At most `maxHeld` refusals wait at once, so a flood cannot
 * hold memory or sockets: past that, a failing connection is closed with no answer.
 */
export class HelloLimiter {
  private recent = 0;
  private updatedAt: number;
  private heldNow = 0;
  private readonly options: Required<HelloLimiterOptions>;

  constructor(
    private readonly now: () => number,
    options: HelloLimiterOptions = {},
  ) {
    this.options = { baseMs: 250, stepMs: 250, maxMs: 4000, maxHeld: 32, decayMs: 6000, note: () => undefined, ...options };
    this.updatedAt = now();
  }

  /** Delayed refusals waiting now. */
  get held(): number {
    return this.heldNow;
  }

  /** The delay a failure recorded now gets. */
  delayFor(): number {
    this.decay();
    const { baseMs, stepMs, maxMs } = this.options;
    return Math.min(maxMs, baseMs + stepMs * this.recent);
  }

  /**
   * Records one failed hello on `connection` and calls `refuse` after the delay (not at all
   * when the connection closed meanwhile). Past `maxHeld` waiting refusals the connection is
   * destroyed at once instead.
   */
  refuseLater(connection: HeldConnection, refuse: () => void): void {
    const delay = this.delayFor();
    this.recent++;
    if (this.heldNow >= this.options.maxHeld) {
      connection.destroy();
      return;
    }
    this.heldNow++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.heldNow--;
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      release();
      if (connection.destroyed) return;
      try {
        refuse();
      } catch (error) {
        this.options.note(`sending a delayed refusal failed: ${(error as Error)?.message ?? 'unknown'}`);
        connection.destroy();
      }
    }, delay);
    timer.unref();
    connection.once('close', release);
  }

  private decay(): void {
    const now = this.now();
    this.recent = Math.max(0, this.recent - (now - this.updatedAt) / this.options.decayMs);
    this.updatedAt = now;
  }
}
