import type { GuardInfo } from '../../../src-shared/control-api.js';
import type { FlowMeta } from '../../../src-shared/flow-api.js';
import { compileGlob } from '../../../src-shared/glob.js';
import { describeRule, type Action, type Rule, type TargetKind } from '../../../src-shared/policy-types.js';
import type { Limit } from '../db/limit-store.js';
import type { Redactor } from '../vault/redactor.js';
import { stringsIn } from '../jsonrpc/json-walk.js';
import { SchemaGuard } from './argument-guards.js';
import { describeWindow, RateLimiter } from './rate-limiter.js';
import { RuleResolver } from './rule-resolver.js';
import type { ToolDefinition, ToolPins } from './tool-pins.js';

/** Why a call got its verdict, in structured form (the audit row's `reason_meta`, a result's `_meta`). */
export interface ReasonMeta {
  type: 'rule' | 'default' | 'paused' | 'limit' | 'guard' | 'pin' | 'session';
  ruleId?: number;
  limitId?: number;
  guard?: 'size' | 'schema' | 'secret-leak' | 'pattern' | 'flow';
  /** The flow guard's legs (core/flow/flow-guard.ts). */
  flow?: FlowMeta;
  secrets?: string[];
  retryAfterMs?: number;
  /** Flag-only findings that did not change the verdict (pattern flags). */
  flags?: string[];
}

export interface Verdict {
  action: Action;
  /** One sentence naming the rule, limit or guard that decided. */
  reason: string;
  meta: ReasonMeta;
  /**
   * The call's rate-limit budget was already taken (policy charges every allow it returns): an
   * ask made from such a verdict (the flow guard's) must not charge it again on the answer.
   */
  charged?: boolean;
}

export interface CallContext {
  client: string;
  server: string;
  kind: TargetKind;
  target: string;
  args: unknown;
  /** Size of the serialized arguments (an upper bound is fine). */
  argsBytes: number;
  /** Tools the user allowed for this session ("allow for this session"). */
  sessionAllowed: ReadonlySet<string>;
}

/** A deny pattern over string arguments, as stored and listed. */
export type ArgPattern = GuardInfo;

export interface PolicySettings {
  paused(): boolean;
  maxArgumentBytes(): number;
  defaultClientLimit(): { max: number; perMs: number };
  defaultAction(server: string): Action;
}

interface CompiledPattern {
  entry: ArgPattern;
  matchServer: (value: string) => boolean;
  matchTool: (value: string) => boolean;
  regex: RegExp;
}

/** Id of the built-in per-client limit, which is not a stored limit. */
export const DEFAULT_LIMIT_ID = 0;

/**
 * Decides every audited call. The checks run in this order, and the first refusal ends it:
 * kill switch → argument size → tool pin (a changed definition is held) → input schema →
 * rules (most specific wins; the server's default otherwise) → secret-leak guard (turns an
 * allow into an ask) → deny patterns → rate limits (consumed only by calls that go ahead).
 * Every verdict names what decided it.
 */
export class Policy {
  readonly rules = new RuleResolver();
  private readonly limiter: RateLimiter;
  private readonly schema = new SchemaGuard();
  private patterns: CompiledPattern[] = [];

  constructor(
    private readonly settings: PolicySettings,
    private readonly pins: ToolPins,
    private readonly redactor: Redactor,
    now: () => number,
  ) {
    this.limiter = new RateLimiter(now);
  }

  setRules(rules: readonly Rule[]): void {
    this.rules.setRules(rules);
  }

  setLimits(limits: readonly Limit[]): void {
    const fallback = this.settings.defaultClientLimit();
    const builtIn: Limit = { id: DEFAULT_LIMIT_ID, client: '*', server: '*', target: '*', max: fallback.max, perMs: fallback.perMs, createdAt: 0 };
    this.limiter.setLimits([builtIn, ...limits]);
  }

  setPatterns(patterns: readonly ArgPattern[]): void {
    this.patterns = patterns.map((entry) => ({
      entry,
      matchServer: compileGlob(entry.server),
      matchTool: compileGlob(entry.tool),
      regex: new RegExp(entry.pattern, 'iu'),
    }));
  }

  /**
   * The decision for one call. Rate-limit budget is consumed by calls that go ahead and by
   * refused ones alike (a client retrying a refused call in a loop is slowed down too); an ask
   * is charged when the user allows it.
   */
  check(call: CallContext): Verdict {
    const verdict = this.judge(call);
    if (verdict.action !== 'deny' || verdict.meta.type === 'limit') return verdict;
    return this.takeLimit(call) ?? verdict;
  }

  /** True while the kill switch is on. */
  isPaused(): boolean {
    return this.settings.paused();
  }

  private judge(call: CallContext): Verdict {
    if (this.settings.paused()) {
      return deny('MCP Warden is paused: every call is refused until you run "warden resume"', { type: 'paused' });
    }
    const maxBytes = this.settings.maxArgumentBytes();
    if (call.argsBytes > maxBytes) {
      return deny(`the arguments are ${call.argsBytes} bytes, over the ${maxBytes}-byte limit (setting maxArgumentBytes)`, {
        type: 'guard',
        guard: 'size',
      });
    }
    let definition: ToolDefinition | undefined;
    if (call.kind === 'tool') {
      if (this.pins.isHeld(call.server, call.target)) {
        return deny(
          `the definition of tool "${call.target}" changed since it was approved; review it with: warden pins diff ${call.server} ${call.target}`,
          { type: 'pin' },
        );
      }
      definition = this.pins.approvedDefinition(call.server, call.target);
      const mismatch = definition === undefined ? undefined : this.schema.check(definition.inputSchema, call.args);
      if (mismatch !== undefined) {
        return deny(`the arguments do not match the tool's input schema: ${mismatch}`, { type: 'guard', guard: 'schema' });
      }
    }

    const decided = this.rules.decide(call, this.settings.defaultAction(call.server));
    let verdict: Verdict =
      decided.reason.type === 'rule'
        ? { action: decided.action, reason: describeRule(decided.reason.rule), meta: { type: 'rule', ruleId: decided.reason.rule.id } }
        : {
            action: decided.action,
            reason: `no rule matches; the default action of server "${call.server}" is ${decided.action}`,
            meta: { type: 'default' },
          };
    if (verdict.action === 'deny') return verdict;
    if (verdict.action === 'ask' && call.kind === 'tool' && call.sessionAllowed.has(call.target)) {
      verdict = { action: 'allow', reason: 'allowed for this session by the user', meta: { type: 'session' } };
    }

    const strings = call.args === undefined ? [] : stringsIn(call.args);
    const leaked = [...new Set(strings.flatMap((text) => this.redactor.find(text)))];
    if (leaked.length > 0) {
      verdict = {
        action: 'ask',
        reason: `the arguments contain the value of secret ${leaked.join(', ')}`,
        meta: { type: 'guard', guard: 'secret-leak', secrets: leaked },
      };
    }

    const flags: string[] = [];
    for (const compiled of this.patterns) {
      if (!compiled.matchServer(call.server) || !compiled.matchTool(call.target)) continue;
      if (!strings.some((text) => compiled.regex.test(text))) continue;
      if (compiled.entry.mode === 'block') {
        return deny(`an argument matches deny pattern ${compiled.entry.id} ("${compiled.entry.name}")`, { type: 'guard', guard: 'pattern' });
      }
      flags.push(compiled.entry.name);
    }
    if (flags.length > 0) verdict = { ...verdict, meta: { ...verdict.meta, flags } };

    if (verdict.action === 'allow') {
      const refused = this.takeLimit(call);
      if (refused) return refused;
    }
    return verdict;
  }

  settingsMaxArgumentBytes(): number {
    return this.settings.maxArgumentBytes();
  }

  defaultActionOf(server: string): Action {
    return this.settings.defaultAction(server);
  }

  /** Consumes rate-limit budget for a call the user approved; a refusal when over a limit. */
  takeLimit(call: Pick<CallContext, 'client' | 'server' | 'target'>): Verdict | undefined {
    const refusal = this.limiter.take(call);
    if (!refusal) return undefined;
    const { limit, retryAfterMs } = refusal;
    const scope =
      limit.id === DEFAULT_LIMIT_ID
        ? `client "${call.client}" (the default per-client limit)`
        : `limit ${limit.id} (${limit.client === '*' ? '' : `client ${limit.client}, `}${limit.server} / ${limit.target})`;
    return deny(
      `Rate limit: ${limit.max} calls per ${describeWindow(limit.perMs)} for ${scope}; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      { type: 'limit', limitId: limit.id, retryAfterMs },
    );
  }
}

function deny(reason: string, meta: ReasonMeta): Verdict {
  return { action: 'deny', reason, meta };
}
