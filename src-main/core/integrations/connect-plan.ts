import type { ConnectReport } from '../../../src-shared/control-api.js';
import type { ClientLink } from '../db/link-store.js';
import type { ServerStore } from '../db/server-store.js';
import type { Vault } from '../vault/vault.js';
import type { CallerEnv, ClientApp } from './client-apps.js';
import type { ConnectStyle } from './connect-memory.js';
import { httpEntry, masked, shimEntry, wardenEntryOf, type Entry, type EntryTransport, type ShimLaunch } from './entry-shapes.js';
import { adoptValues, type ValueVault } from './entry-values.js';
import { sameLaunch, serverValues, valueField, withValues } from './import-entry.js';

/** What `connect` is asked to do. */
export interface ConnectOptions {
  configPath?: string;
  dryRun: boolean;
  /** Servers added by hand to give an entry of their own. */
  servers?: readonly string[];
  /** One entry for the aggregated session instead of one per server. */
  aggregate?: boolean;
  transport?: EntryTransport;
  /** The caller's home folders, for the client's usual config path. */
  callerEnv?: CallerEnv;
}

/** What the plan needs to know and may use. */
export interface ConnectInput {
  app: ClientApp;
  links: ClientLink[];
  entries: Record<string, unknown>;
  options: ConnectOptions & { transport: EntryTransport };
  previous: ConnectStyle | undefined;
  key: string;
  servers: ServerStore;
  vault: Vault;
  now: () => number;
  shim: ShimLaunch;
  url: (server: string | undefined) => string;
}

/** The edits to make and what to record after. */
export interface ConnectPlan {
  report: Pick<ConnectReport, 'changes' | 'left' | 'adopted' | 'transport' | 'aggregateEntry'>;
  /** Entry name → new entry, or undefined to remove it. */
  edits: Map<string, unknown>;
  /** Links that reach Warden once the edits are written. */
  covered: ClientLink[];
  style: ConnectStyle;
  /** Servers whose definition changed (values taken from the file). */
  changedServers: string[];
}

/** The name of the aggregated entry. */
export const AGGREGATE_ENTRY = 'warden';

/**
 * Plans a connect: which entries to write or remove, after taking in what the user wrote into
 * entries Warden had connected. An entry that now starts something else than its server is
 * left alone, with the reason. In a dry run nothing is stored (the vault is not touched).
 */
export async function planConnect(input: ConnectInput): Promise<ConnectPlan> {
  const { app, entries, options, key } = input;
  const plan: ConnectPlan = {
    report: { changes: [], left: [], adopted: [], transport: options.transport, aggregateEntry: null },
    edits: new Map(),
    covered: [],
    style: { transport: options.transport },
    changedServers: [],
  };
  const wanted = (server: string | undefined): Entry =>
    options.transport === 'http' ? httpEntry(app, input.url(server), key) : shimEntry(app, input.shim, key, server);
  const change = (entry: string, server: string, after: Entry | undefined): void => {
    const before = entries[entry];
    if (after !== undefined && JSON.stringify(before) === JSON.stringify(after)) return;
    if (after === undefined && before === undefined) return;
    plan.edits.set(entry, after);
    plan.report.changes.push({ entry, server, before: before === undefined ? null : masked(before), after: after === undefined ? null : masked(after) });
  };

  for (const link of input.links) {
    const server = input.servers.get(link.server);
    if (!server) {
      plan.report.left.push({ entry: link.entry, why: `Warden has no server "${link.server}" any more` });
      continue;
    }
    const before = entries[link.entry];
    if (before !== undefined && wardenEntryOf(before) === undefined) {
      const handAdded = Object.keys(link.original).length === 0;
      if (handAdded || typeof before !== 'object' || before === null || !sameLaunch(before as Entry, link.original, server)) {
        plan.report.left.push({ entry: link.entry, why: `it now starts something other than server "${link.server}"; left as it is (import it again to add it)` });
        continue;
      }
      await adopt(input, plan, link, before as Entry);
    }
    plan.covered.push(link);
    if (!options.aggregate) change(link.entry, link.server, wanted(link.server));
    else change(link.entry, link.server, undefined);
  }

  const previous = input.previous?.aggregate?.entry;
  if (options.aggregate) {
    const name = previous ?? freeEntryName(entries);
    change(name, '*', wanted(undefined));
    plan.report.aggregateEntry = name;
    plan.style.aggregate = { entry: name };
  } else if (previous !== undefined && wardenEntryOf(entries[previous])?.server === undefined && entries[previous] !== undefined) {
    // Back from aggregated to one entry per server: the one entry goes.
    change(previous, '*', undefined);
  }
  return plan;
}

/** Takes in the values of a rewritten entry (into the vault, or the server's plain env). */
async function adopt(input: ConnectInput, plan: ConnectPlan, link: ClientLink, current: Entry): Promise<void> {
  const server = input.servers.get(link.server);
  if (!server) return;
  const field = valueField(current);
  const templates = serverValues(server, field);
  const values = current[field];
  if (templates === undefined || typeof values !== 'object' || values === null || Array.isArray(values)) return;
  const vault: ValueVault = input.options.dryRun ? dryVault(input.vault) : input.vault;
  const taken = await adoptValues(values as Record<string, unknown>, templates, { server: link.server, entry: link.entry }, vault, input.now());
  const names = { updated: taken.updated.map((u) => u.env), vaulted: taken.vaulted.map((v) => v.env), kept: taken.kept };
  if (names.updated.length + names.vaulted.length + names.kept.length === 0) return;
  plan.report.adopted.push({ entry: link.entry, server: link.server, ...names });
  if (input.options.dryRun) return;
  if (taken.values !== undefined) {
    const next = withValues(server, taken.values);
    input.servers.update(server.name, next, server.defaultAction);
  }
  plan.changedServers.push(server.name);
}

/** A vault that answers but stores nothing (a dry run). */
function dryVault(vault: Vault): ValueVault {
  return { has: (name) => vault.has(name), resolve: (template) => vault.resolve(template), set: () => Promise.resolve(false) };
}

/** "warden", or "warden-2"… when the config already has an entry of that name that is not Warden's aggregated one. */
function freeEntryName(entries: Record<string, unknown>): string {
  let name = AGGREGATE_ENTRY;
  for (let n = 2; entries[name] !== undefined && !(wardenEntryOf(entries[name]) !== undefined && wardenEntryOf(entries[name])?.server === undefined); n++) name = `${AGGREGATE_ENTRY}-${n}`;
  return name;
}
