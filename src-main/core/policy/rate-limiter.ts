import { compileGlob } from '../../../src-shared/glob.js';
import type { Limit } from '../db/limit-store.js';

export interface LimitQuery {
  client: string;
  server: string;
  target: string;
}

/** A refused call: which limit, and how long until it would pass. */
export interface LimitRefusal {
  limit: Limit;
  retryAfterMs: number;
}

interface CompiledLimit {
  limit: Limit;
  matchClient: (value: string) => boolean;
  matchServer: (value: string) => boolean;
  matchTarget: (value: string) => boolean;
}

/**
 * The times of the latest calls one client made under one limit: a ring of at most `max`
 * timestamps, oldest first, grown by doubling as calls come (so memory follows use, not `max`).
 */
class CallTimes {
  private times: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly max: number) {
    this.times = new Float64Array(Math.min(max, 8));
  }

  /** How long until one more call fits: 0 when fewer than `max` calls fall within the window. */
  waitMs(now: number, perMs: number): number {
    if (this.count < this.max) return 0;
    const oldest = this.times[this.start] as number;
    // A clock that jumped back never blocks longer than one window.
    return Math.min(perMs, Math.max(0, oldest + perMs - now));
  }

  /** Records a call at `now`, forgetting the oldest once `max` are held. */
  record(now: number): void {
    const capacity = this.times.length;
    if (this.count === this.max) {
      this.times[this.start] = now;
      this.start = (this.start + 1) % capacity;
      return;
    }
    if (this.count === capacity) this.grow(Math.min(this.max, capacity * 2));
    this.times[(this.start + this.count) % this.times.length] = now;
    this.count++;
  }

  /** The same calls under a new `max`: the latest `max` of them are kept. */
  resized(max: number): CallTimes {
    const next = new CallTimes(max);
    for (let k = Math.max(0, this.count - max); k < this.count; k++) next.record(this.times[(this.start + k) % this.times.length] as number);
    return next;
  }

  private grow(capacity: number): void {
    const next = new Float64Array(capacity);
    for (let k = 0; k < this.count; k++) next[k] = this.times[(this.start + k) % this.times.length] as number;
    this.times = next;
    this.start = 0;
  }
}

/**
 * Rate limits as a sliding window: a limit of `max` per `perMs` lets a client make at most
 * `max` calls in any window of `perMs` (a call is refused while `max` calls were let through in
 * the last `perMs`; it may go once the oldest of them is `perMs` old). O(1) per call: each limit
 * and client keeps a ring of its last `max` call times.
 *
 * Each limit applies per client: `client: *` gives every client its own budget. `take` checks
 * every matching limit first and consumes from all only if all pass, so a refused call costs
 * nothing.
 */
export class RateLimiter {
  private compiled: CompiledLimit[] = [];
  private readonly calls = new Map<string, CallTimes>();
  private readonly matching = new Map<string, CompiledLimit[]>();

  constructor(private readonly now: () => number) {}

  /** Replaces the limits; a client's recent calls stay counted under limits that remain (by id). */
  setLimits(limits: readonly Limit[]): void {
    this.compiled = limits.map((limit) => ({
      limit,
      matchClient: compileGlob(limit.client),
      matchServer: compileGlob(limit.server),
      matchTarget: compileGlob(limit.target),
    }));
    const maxById = new Map(limits.map((limit) => [`${limit.id}`, limit.max]));
    for (const [key, times] of this.calls) {
      const max = maxById.get(key.slice(0, key.indexOf('\u0000')));
      if (max === undefined) this.calls.delete(key);
      else if (max !== times.max) this.calls.set(key, times.resized(max));
    }
    this.matching.clear();
  }

  /** Takes one call from every matching limit, or refuses with the limit that waits longest. */
  take(query: LimitQuery): LimitRefusal | undefined {
    const limits = this.limitsFor(query);
    if (limits.length === 0) return undefined;
    const now = this.now();
    let refusal: LimitRefusal | undefined;
    for (const entry of limits) {
      const wait = this.calls.get(stateKey(entry, query.client))?.waitMs(now, entry.limit.perMs) ?? 0;
      if (wait > 0 && (refusal === undefined || wait > refusal.retryAfterMs)) refusal = { limit: entry.limit, retryAfterMs: Math.ceil(wait) };
    }
    if (refusal) return refusal;
    for (const entry of limits) {
      const key = stateKey(entry, query.client);
      let times = this.calls.get(key);
      if (times === undefined) this.calls.set(key, (times = new CallTimes(entry.limit.max)));
      times.record(now);
    }
    return undefined;
  }

  private limitsFor(query: LimitQuery): CompiledLimit[] {
    const key = `${query.client}\u0000${query.server}\u0000${query.target}`;
    let found = this.matching.get(key);
    if (found === undefined) {
      found = this.compiled.filter((c) => c.matchClient(query.client) && c.matchServer(query.server) && c.matchTarget(query.target));
      if (this.matching.size > 50_000) this.matching.clear();
      this.matching.set(key, found);
    }
    return found;
  }
}

function stateKey(entry: CompiledLimit, client: string): string {
  return `${entry.limit.id}\u0000${client}`;
}

/** "60s", "1m", "1h", "500ms" → milliseconds; undefined when unreadable. */
export function parseWindow(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 's'] as number;
  const ms = Number(match[1]) * unit;
  return Number.isFinite(ms) && ms >= 1 ? Math.round(ms) : undefined;
}

/** 60000 → "60 s", 3600000 → "1 h". */
export function describeWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
