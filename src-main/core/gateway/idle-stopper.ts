import { guarded } from '../errors/guarded.js';

/** What the stopper needs of a leg. */
export interface IdleLeg {
  readonly idle: boolean;
  readonly activity: number;
}

export interface IdleStopperOptions {
  /** The setting, read at each settle: 0 turns idle stop off. */
  idleMs(): number;
  /** The leg now serving `server` in the session, if any (a stopped or replaced leg is not it). */
  current(server: string): IdleLeg | undefined;
  /** Whether `server` must stay up though idle (the client subscribed to one of its resources). */
  pinned(server: string): boolean;
  /** Stops the leg's upstream; the next call starts it again. */
  stop(server: string, idleMs: number): void;
  note(text: string): void;
}

/**
 * Stops an aggregated session's idle upstreams. Each time a leg settles (nothing waits on it
 * either way) a timer is set for the idle time; when it fires and the leg saw no request since
 * and is still idle, the leg is stopped. A call in between sets the timer again when it ends.
 * Timers never keep the process alive and catch their own errors.
 */
export class IdleStopper {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: IdleStopperOptions) {}

  /** The leg of `server` has nothing waiting on it: start counting. */
  settled(server: string): void {
    this.cancel(server);
    const idleMs = this.options.idleMs();
    const leg = this.options.current(server);
    if (this.closed || idleMs <= 0 || !leg) return;
    const activity = leg.activity;
    const timer = setTimeout(
      guarded(this.options.note, `the idle stop of "${server}"`, () => {
        this.timers.delete(server);
        const now = this.options.current(server);
        if (this.closed || now !== leg || !leg.idle || leg.activity !== activity || this.options.pinned(server)) return;
        this.options.stop(server, idleMs);
      }),
      idleMs,
    );
    timer.unref();
    this.timers.set(server, timer);
  }

  cancel(server: string): void {
    clearTimeout(this.timers.get(server));
    this.timers.delete(server);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
