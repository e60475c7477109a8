/**
 * The wait between attempts to reach the Warden core again: it doubles from `first` up to `max`
 * milliseconds, and is cut short when something happens that makes a new attempt worth it.
 *
 * Node built-ins only: this file is part of the shim's bundle.
 */
export class RetryWait {
  private delay: number;
  private waking: (() => void) | undefined;

  constructor(
    private readonly first: number,
    private readonly max: number,
  ) {
    this.delay = first;
  }

  /** Starts again from the first, shortest delay. */
  reset(): void {
    this.delay = this.first;
  }

  /** Waits the next delay, or less when {@link wake} is called meanwhile. Never rejects. */
  next(): Promise<void> {
    const ms = this.delay;
    this.delay = Math.min(this.delay * 2, this.max);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waking = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waking = done;
    });
  }

  /** Ends the current wait now; does nothing when none is under way. */
  wake(): void {
    this.waking?.();
  }
}
