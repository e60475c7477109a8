import { compileGlob, isExact, literalLength } from '../../../src-shared/glob.js';
import { ACTION_STRICTNESS, type Action, type Rule, type RuleReason, type TargetKind } from '../../../src-shared/policy-types.js';

export interface RuleQuery {
  client: string;
  server: string;
  kind: TargetKind;
  target: string;
}

interface CompiledRule {
  rule: Rule;
  matchClient: (value: string) => boolean;
  matchServer: (value: string) => boolean;
  matchTarget: (value: string) => boolean;
  /** Compared element by element, highest first: target, then client, then server. */
  rank: [number, number, number, number];
}

/** Specificity of one pattern: an exact name beats any glob; among globs, more literal text wins. */
function patternRank(pattern: string): number {
  return isExact(pattern) ? Number.MAX_SAFE_INTEGER : literalLength(pattern);
}

/**
 * Decides which rule governs a call. The most specific matching rule wins, compared in this
 * order: the target (tool, URI or prompt) pattern, then the client pattern, then the server
 * pattern; an exact name beats a glob, and a glob with more literal characters beats one with
 * fewer (`get_*` beats `*`). At equal specificity deny beats ask beats allow. With no
 * matching rule the server's default action applies.
 *
 * Decisions are cached per (client, server, kind, target) until the rules change, so the
 * call path costs one map lookup however many rules there are.
 */
export class RuleResolver {
  private compiled: CompiledRule[] = [];
  private readonly cache = new Map<string, Rule | null>();

  constructor(rules: readonly Rule[] = []) {
    this.setRules(rules);
  }

  setRules(rules: readonly Rule[]): void {
    this.compiled = rules.map((rule) => ({
      rule,
      matchClient: compileGlob(rule.client),
      matchServer: compileGlob(rule.server),
      matchTarget: compileGlob(rule.target),
      rank: [patternRank(rule.target), patternRank(rule.client), patternRank(rule.server), ACTION_STRICTNESS[rule.action]],
    }));
    this.cache.clear();
  }

  /** The winning rule, or null when none matches. */
  match(query: RuleQuery): Rule | null {
    const key = `${query.kind}\u0000${query.client}\u0000${query.server}\u0000${query.target}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    let best: CompiledRule | undefined;
    for (const candidate of this.compiled) {
      if (candidate.rule.kind !== query.kind) continue;
      if (!candidate.matchTarget(query.target) || !candidate.matchClient(query.client) || !candidate.matchServer(query.server)) continue;
      if (best === undefined || outranks(candidate.rank, best.rank)) best = candidate;
    }
    const winner = best?.rule ?? null;
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(key, winner);
    return winner;
  }

  /** The action for a call and the reason, falling back to the server's default. */
  decide(query: RuleQuery, defaultAction: Action): { action: Action; reason: RuleReason } {
    const rule = this.match(query);
    if (rule) return { action: rule.action, reason: { type: 'rule', rule } };
    return { action: defaultAction, reason: { type: 'default', server: query.server, action: defaultAction } };
  }
}

function outranks(a: CompiledRule['rank'], b: CompiledRule['rank']): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) > (b[i] as number);
  }
  return false;
}
