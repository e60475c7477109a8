import type { Downstream } from './server-session.js';

/**
 * What a session writes to its client: the lines of one tick leave corked, in one system call,
 * and when the client's socket is full the session's sources are paused until it drains.
 */
export class ClientOutput {
  private corked = false;
  private blocked = false;
  private readonly drains: Array<() => void> = [];

  constructor(
    private readonly downstream: Downstream,
    private readonly source: { pause(): void; resume(): void } = { pause: () => undefined, resume: () => undefined },
  ) {}

  /** Writes one or more whole lines; false while the client's socket is full. */
  write(data: string | Buffer): boolean {
    const downstream = this.downstream;
    if (!this.corked) {
      this.corked = true;
      downstream.cork();
      process.nextTick(() => {
        this.corked = false;
        downstream.uncork();
      });
    }
    if (downstream.write(data) || this.blocked) return !this.blocked;
    this.blocked = true;
    this.source.pause();
    downstream.onDrain(() => {
      this.blocked = false;
      this.source.resume();
      for (const callback of this.drains.splice(0)) callback();
    });
    return false;
  }

  /** True while the client's socket is full (since a write returned false, until it drains). */
  get full(): boolean {
    return this.blocked;
  }

  /** Runs `callback` once the client's socket has drained. */
  onDrain(callback: () => void): void {
    if (this.blocked) this.drains.push(callback);
    else callback();
  }
}
