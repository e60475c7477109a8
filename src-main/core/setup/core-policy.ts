import type { Action } from '../../../src-shared/policy-types.js';
import { GuardStore } from '../db/guard-store.js';
import { LimitStore } from '../db/limit-store.js';
import { PinStore } from '../db/pin-store.js';
import { RuleStore } from '../db/rule-store.js';
import { Policy } from '../policy/policy.js';
import { ToolPins } from '../policy/tool-pins.js';
import type { CoreData } from './core-data.js';

/** Policy and what it is built from. */
export interface CorePolicy {
  policy: Policy;
  pins: ToolPins;
  rules: RuleStore;
  limits: LimitStore;
  guards: GuardStore;
  /** Loads rules, limits, patterns and server defaults from the database again. */
  reload(): void;
}

/** Builds the policy from the stored rules, limits, patterns, pins and settings, loaded once. */
export function setupPolicy(data: CoreData, now: () => number): CorePolicy {
  const { db, settings, servers, vault } = data;
  const rules = new RuleStore(db);
  const limits = new LimitStore(db);
  const guards = new GuardStore(db);
  const pins = new ToolPins(new PinStore(db), now, (text) => vault.redactor.redact(text));
  const serverDefaults = new Map<string, Action>();
  const policy = new Policy(
    {
      paused: () => settings.get('paused'),
      maxArgumentBytes: () => settings.get('maxArgumentBytes'),
      defaultClientLimit: () => ({ max: settings.get('defaultClientLimitPerMinute'), perMs: 60_000 }),
      // A server that no longer exists gets nothing.
      defaultAction: (server) => serverDefaults.get(server) ?? 'deny',
    },
    pins,
    vault.redactor,
    now,
  );
  const reload = (): void => {
    serverDefaults.clear();
    for (const row of servers.list()) serverDefaults.set(row.name, row.defaultAction);
    policy.setRules(rules.list());
    policy.setLimits(limits.list());
    policy.setPatterns(guards.list());
  };
  reload();
  return { policy, pins, rules, limits, guards, reload };
}
