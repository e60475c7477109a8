import type { LegStatus } from '../../../src-shared/session-api.js';

/** What the states need of a leg. */
export interface StatefulLeg {
  readonly failed: string | undefined;
  readonly pid: number | undefined;
}

/** After a server failed to start, how long requests for it are answered with that failure. */
const RETRY_AFTER_MS = 10_000;

/**
 * What an aggregated session knows of each server's leg beyond the leg itself: which legs
 * answered initialize, which servers failed to start (since when: the first failure of a run,
 * kept until a start succeeds) and which were stopped while idle. It answers `status()` and
 * says when a failed server may be tried again.
 */
export class LegStates<Leg extends StatefulLeg> {
  private readonly up = new Set<Leg>();
  private readonly failures = new Map<string, { at: number; since: number; reason: string }>();
  private readonly stopped = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly logPathOf: (server: string) => string,
  ) {}

  /** A new leg is starting for `server`. */
  starting(server: string): void {
    this.stopped.delete(server);
  }

  /** The leg answered initialize: running. */
  started(server: string, leg: Leg): void {
    this.failures.delete(server);
    this.up.add(leg);
  }

  failed(server: string, reason: string): void {
    const now = this.now();
    this.failures.set(server, { at: now, since: this.failures.get(server)?.since ?? now, reason });
  }

  stoppedIdle(server: string, leg: Leg): void {
    this.up.delete(leg);
    this.stopped.set(server, this.now());
  }

  /** The sentence to answer with while a failed server is not to be tried again yet. */
  refusal(server: string): string | undefined {
    const failure = this.failures.get(server);
    return failure && this.now() - failure.at < RETRY_AFTER_MS ? failure.reason : undefined;
  }

  /** Every server the session reached, with its state, sorted by name. */
  status(legs: ReadonlyMap<string, Leg>): LegStatus[] {
    const servers = [...new Set([...legs.keys(), ...this.failures.keys(), ...this.stopped.keys()])].sort();
    return servers.map((server): LegStatus => {
      const leg = legs.get(server);
      const failure = this.failures.get(server);
      const base = { server, pid: null, reason: null, since: null, logPath: null };
      if (leg && leg.failed === undefined && this.up.has(leg)) return { ...base, state: 'running', pid: leg.pid ?? null };
      if (failure || leg?.failed !== undefined) {
        const reason = leg?.failed ?? failure?.reason ?? null;
        return { ...base, state: 'failing', reason, since: failure?.since ?? this.now(), logPath: this.logPathOf(server) };
      }
      if (leg) return { ...base, state: 'starting' };
      return { ...base, state: 'stopped', reason: 'idle; it starts again on the next call', since: this.stopped.get(server) ?? null };
    });
  }
}
