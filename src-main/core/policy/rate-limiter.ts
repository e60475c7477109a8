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
  /** GCRA: the interval between calls at the sustained rate. */
  intervalMs: number;
  /** GCRA: how far ahead of now the theoretical arrival time may run (the burst). */
  toleranceMs: number;
}

/**
 * Rate limits by GCRA (the generic cell rate algorithm): one number of state per limit and
 * client, the "theoretical arrival time". A limit of `max` per `perMs` lets a client make
 * `max` calls at once, then one every `perMs / max`.
 *
 * Each limit applies per client: `client: *` gives every client its own budget. `take` checks
 * every matching limit first and consumes from all only if all pass, so a refused call costs
 * nothing.
 */
export class RateLimiter {
  private compiled: CompiledLimit[] = [];
  private readonly arrival = new Map<string, number>();
  private readonly matching = new Map<string, CompiledLimit[]>();

  constructor(private readonly now: () => number) {}

  setLimits(limits: readonly Limit[]): void {
    this.compiled = limits.map((limit) => ({
      limit,
      matchClient: compileGlob(limit.client),
      matchServer: compileGlob(limit.server),
      matchTarget: compileGlob(limit.target),
      intervalMs: limit.perMs / limit.max,
      toleranceMs: limit.perMs - limit.perMs / limit.max,
    }));
    const live = new Set(limits.map((limit) => `${limit.id}`));
    for (const key of this.arrival.keys()) if (!live.has(key.slice(0, key.indexOf('\u0000')))) this.arrival.delete(key);
    this.matching.clear();
  }

  /** Takes one call from every matching limit, or refuses with the limit that waits longest. */
  take(query: LimitQuery): LimitRefusal | undefined {
    const limits = this.limitsFor(query);
    if (limits.length === 0) return undefined;
    const now = this.now();
    let refusal: LimitRefusal | undefined;
    for (const entry of limits) {
      const tat = this.arrival.get(stateKey(entry, query.client)) ?? now;
      const earliest = tat - entry.toleranceMs;
      if (now < earliest && (refusal === undefined || earliest - now > refusal.retryAfterMs)) {
        refusal = { limit: entry.limit, retryAfterMs: Math.ceil(earliest - now) };
      }
    }
    if (refusal) return refusal;
    for (const entry of limits) {
      const key = stateKey(entry, query.client);
      const tat = this.arrival.get(key) ?? now;
      this.arrival.set(key, Math.max(tat, now) + entry.intervalMs);
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
