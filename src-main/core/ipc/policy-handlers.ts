import type { ControlMethod, LimitInfo, PinInfo } from '../../../src-shared/control-api.js';
import { describeRule, type Action, type Rule, type TargetKind } from '../../../src-shared/policy-types.js';
import type { Approvals } from '../approvals/approvals.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { GuardStore } from '../db/guard-store.js';
import type { Limit, LimitStore } from '../db/limit-store.js';
import type { RuleStore } from '../db/rule-store.js';
import type { ServerStore } from '../db/server-store.js';
import type { SettingsStore } from '../db/settings-store.js';
import { InvalidInputError, NotFoundError, WardenError } from '../errors/warden-error.js';
import { SUSPICIOUS_PATTERNS } from '../policy/argument-guards.js';
import type { Policy } from '../policy/policy.js';
import { diffDefinitions, type ToolDefinition, type ToolPins } from '../policy/tool-pins.js';
import type { ControlHandlers } from './control-connection.js';

export interface PolicyDeps {
  servers: ServerStore;
  rules: RuleStore;
  limits: LimitStore;
  guards: GuardStore;
  settings: SettingsStore;
  policy: Policy;
  pins: ToolPins;
  approvals: Approvals;
  audit: AuditLog;
  now: () => number;
  /** Reloads rules, limits, patterns and server defaults into the policy after a change. */
  reload(): void;
}

type PolicyMethods = Extract<
  ControlMethod,
  `rule.${string}` | `limit.${string}` | `approvals.${string}` | `pins.${string}` | `guard.${string}` | `settings.${string}` | 'server.setDefault' | 'server.preset' | 'stats.overview' | 'server.tools'
>;

const ORDER =
  'The most specific matching rule wins: first by tool (or URI, prompt) pattern, then by client, then by server; an exact name beats a glob, and a glob with more literal characters beats one with fewer. At equal specificity deny beats ask beats allow. With no matching rule, the server\'s default action applies.';

const DESTRUCTIVE_NAME = /^(delete|remove|drop|destroy|erase|purge|truncate|kill|reset)[_-]/i;

/** The control methods for rules, limits, approvals, pins, guards and settings. */
export function createPolicyHandlers(deps: PolicyDeps): Pick<ControlHandlers, PolicyMethods> {
  const { servers, rules, limits, guards, settings, policy, pins, approvals, audit, now } = deps;

  const addRule = (client: string, server: string, kind: TargetKind, target: string, action: Action): Rule => {
    const existing = rules.find(client, server, kind, target);
    if (existing) rules.remove(existing.id);
    const rule = rules.add({ client, server, kind, target, action }, now());
    deps.reload();
    return rule;
  };
  const requireServer = (name: string): void => {
    if (!servers.get(name)) throw new NotFoundError('server', name);
  };

  return {
    'server.setDefault': ({ name, action }) => {
      if (!servers.setDefaultAction(name, action)) throw new NotFoundError('server', name);
      deps.reload();
      return { name, action };
    },
    'server.preset': ({ name, preset }) => {
      requireServer(name);
      if (preset === 'allow-all' || preset === 'ask-all') {
        return { added: [addRule('*', name, 'tool', '*', preset === 'allow-all' ? 'allow' : 'ask')], skipped: [] };
      }
      // Annotations come from the upstream, so they only choose between ask and allow: a tool
      // that is denied now stays denied.
      const known = pins.list().filter((pin) => pin.server === name);
      if (known.length === 0) {
        throw new InvalidInputError(`Warden has not seen the tools of "${name}" yet; connect a client to it once, then apply the preset`);
      }
      const added: Rule[] = [];
      const skipped: string[] = [];
      for (const pin of known) {
        const definition = JSON.parse(pin.definition) as ToolDefinition & { annotations: { readOnlyHint?: boolean; destructiveHint?: boolean } | null };
        const current = policy.rules.decide({ client: '*', server: name, kind: 'tool', target: pin.tool }, 'ask');
        if (current.action === 'deny') {
          skipped.push(`${pin.tool} (denied by ${current.reason.type === 'rule' ? describeRule(current.reason.rule) : 'default'})`);
          continue;
        }
        const hints = definition.annotations ?? {};
        const destructive = hints.destructiveHint === true || DESTRUCTIVE_NAME.test(pin.tool);
        const action: Action = destructive || hints.readOnlyHint !== true ? 'ask' : 'allow';
        added.push(addRule('*', name, 'tool', pin.tool, action));
      }
      return { added, skipped };
    },
    'rule.add': ({ client, server, kind, target, action }) => ({ rule: addRule(client, server, kind, target, action) }),
    'rule.list': () => ({ rules: rules.list() }),
    'rule.remove': ({ id }) => {
      if (!rules.remove(id)) throw new NotFoundError('rule', String(id));
      deps.reload();
      return { removed: id };
    },
    'rule.explain': ({ client, server, kind, target }) => {
      const decided = policy.rules.decide({ client, server, kind, target }, policy.defaultActionOf(server));
      const reason =
        decided.reason.type === 'rule'
          ? describeRule(decided.reason.rule)
          : `no rule matches; the default action of server "${server}" is ${decided.action}`;
      return { action: decided.action, reason, rule: decided.reason.type === 'rule' ? decided.reason.rule : null, order: ORDER };
    },
    'rule.preset': ({ preset, client, server, tools }) => {
      if (preset === 'full') return { added: [addRule(client, server, 'tool', '*', 'allow')] };
      if (preset === 'readonly') return { added: ['get_*', 'list_*'].map((target) => addRule(client, server, 'tool', target, 'allow')) };
      if (tools.length === 0) throw new InvalidInputError('the limited preset needs the tools to allow (--tools a,b)');
      return { added: tools.map((tool) => addRule(client, server, 'tool', tool, 'allow')) };
    },
    'limit.add': (spec) => {
      const limit = limits.add(spec, now());
      deps.reload();
      return { limit: limitInfo(limit) };
    },
    'limit.list': () => ({ limits: limits.list().map(limitInfo) }),
    'limit.remove': ({ id }) => {
      if (!limits.remove(id)) throw new NotFoundError('limit', String(id));
      deps.reload();
      return { removed: id };
    },
    'approvals.list': () => ({ approvals: approvals.list() }),
    'approvals.answer': ({ id, answer }) => {
      if (settings.get('paused')) {
        throw new WardenError('conflict', `MCP Warden is paused, so approval ${id} cannot be answered: every waiting call was denied; run "warden resume" first`);
      }
      const pending = approvals.get(id);
      const rule = approvals.ruleOf(id);
      if (!pending || !rule) {
        throw new WardenError('not_found', `approval ${id} is not pending (answered, timed out, its call ended, or it never existed); nothing was run`);
      }
      if (answer === 'allow-always' || answer === 'deny-always') {
        addRule(pending.client, pending.server, rule.kind, rule.target, answer === 'allow-always' ? 'allow' : 'deny');
      }
      approvals.answer(id, answer);
      return { id, answer };
    },
    'approvals.follow': (_params, connection) => {
      connection.onClose(approvals.subscribe((event, approval) => connection.sendEvent('approval', { event, approval })));
      return { following: true };
    },
    'pins.list': () => ({ pins: pins.list().map((row): PinInfo => ({
      server: row.server,
      tool: row.tool,
      hash: row.hash,
      approvedAt: row.approvedAt,
      pendingHash: row.pendingHash,
      pendingSeenAt: row.pendingSeenAt,
      shadowedBy: pins.shadows(row.server, row.tool),
    })) }),
    'pins.diff': ({ server, tool }) => {
      const row = pins.get(server, tool);
      if (!row) throw new NotFoundError('tool pin', `${server}/${tool}`);
      if (row.pendingDefinition === null) throw new WardenError('conflict', `tool "${tool}" of "${server}" has not changed since it was approved`);
      return { server, tool, diff: diffDefinitions(row.definition, row.pendingDefinition) };
    },
    'pins.approve': ({ server, tool }) => {
      if (!pins.get(server, tool)) throw new NotFoundError('tool pin', `${server}/${tool}`);
      if (!pins.approve(server, tool)) throw new WardenError('conflict', `tool "${tool}" of "${server}" has no changed definition to approve`);
      return { server, tool };
    },
    'guard.add': ({ server, tool, name, pattern, mode }) => {
      const guard = guards.add({ server, tool, name: name ?? pattern.slice(0, 40), pattern, mode }, now());
      deps.reload();
      return { guard };
    },
    'guard.preset': ({ server, tool, mode }) => {
      const added = SUSPICIOUS_PATTERNS.map((entry) => guards.add({ server, tool, name: entry.name, pattern: entry.pattern, mode }, now()));
      deps.reload();
      return { added };
    },
    'guard.list': () => ({ guards: guards.list() }),
    'guard.remove': ({ id }) => {
      if (!guards.remove(id)) throw new NotFoundError('guard', String(id));
      deps.reload();
      return { removed: id };
    },
    'settings.get': () => ({ settings: settings.all() }),
    'settings.set': (changes) => {
      for (const [key, value] of Object.entries(changes)) {
        if (value !== undefined) settings.set(key as keyof typeof changes & string as never, value as never);
      }
      // The kill switch ends what waits too: no ask answered later can run a call.
      if (changes.paused === true) approvals.pauseAll();
      deps.reload();
      return { settings: settings.all() };
    },
    'stats.overview': ({ minutes }) => {
      const since = now() - minutes * 60_000;
      const reader = audit.reader;
      const byMinute = new Map<number, { minute: number; ok: number; error: number; denied: number; other: number }>();
      const first = Math.floor(since / 60_000) * 60_000;
      for (let minute = first; minute <= now(); minute += 60_000) byMinute.set(minute, { minute, ok: 0, error: 0, denied: 0, other: 0 });
      for (const row of reader.perMinute(since)) {
        const slot = byMinute.get(row.minute);
        if (!slot) continue;
        const key = row.outcome === 'ok' || row.outcome === 'error' || row.outcome === 'denied' ? row.outcome : 'other';
        slot[key] += row.n;
      }
      const durations = new Map<string, number[]>();
      for (const row of reader.durations(since)) {
        const list = durations.get(row.server) ?? [];
        list.push(row.duration);
        durations.set(row.server, list);
      }
      const latency = [...durations].map(([server, list]) => {
        list.sort((a, b) => a - b);
        const at = (q: number): number => list[Math.min(list.length - 1, Math.floor(q * list.length))] as number;
        return { server, p50: at(0.5), p95: at(0.95), calls: list.length };
      });
      return {
        perMinute: [...byMinute.values()],
        topTools: reader.topTools(since, 10),
        latency,
        pendingApprovals: approvals.list().length,
        paused: settings.get('paused'),
      };
    },
    'server.tools': ({ name }) => {
      requireServer(name);
      return {
        tools: pins.list().filter((pin) => pin.server === name).map((pin) => {
          const decided = policy.rules.decide({ client: '*', server: name, kind: 'tool', target: pin.tool }, policy.defaultActionOf(name));
          const definition = JSON.parse(pin.pendingDefinition ?? pin.definition) as { description?: string | null };
          return {
            tool: pin.tool,
            decision: decided.action,
            reason: decided.reason.type === 'rule' ? describeRule(decided.reason.rule) : `default of ${name}`,
            pin: pin.pendingHash === null ? ('approved' as const) : ('changed' as const),
            description: definition.description ?? null,
          };
        }),
      };
    },
  };
}

function limitInfo(limit: Limit): LimitInfo {
  return { id: limit.id, client: limit.client, server: limit.server, target: limit.target, max: limit.max, perMs: limit.perMs };
}
