import type { ConfigBackup, ConnectReport, DisconnectReport, ImportReport, IntegrationStatus } from '../../../src-shared/control-api.js';
import { DEFAULT_HTTP_PORT, httpEndpointUrl } from '../../../src-shared/http-endpoint.js';
import type { Action } from '../../../src-shared/policy-types.js';
import type { ClientKeys } from '../clients/client-keys.js';
import type { ClientLink, LinkStore } from '../db/link-store.js';
import type { ServerStore } from '../db/server-store.js';
import { InvalidInputError, WardenError } from '../errors/warden-error.js';
import type { Vault } from '../vault/vault.js';
import { APP_IDS, clientApp, configPathFor, type AppId, type CallerEnv, type ClientApp } from './client-apps.js';
import { listBackups, removeBackups } from './config-backups.js';
import { editEntries, loadConfig, writeConfigAtomic, type ConfigFs, type LoadedConfig } from './config-file.js';
import { ConnectKeys } from './connect-keys.js';
import { ConnectMemory, memoryStore, type KeyValueStore } from './connect-memory.js';
import { planConnect, type ConnectOptions } from './connect-plan.js';
import { DriftWatcher } from './drift-watcher.js';
import { reachesWarden, wardenEntryOf, type Entry, type ShimLaunch } from './entry-shapes.js';
import { splitValues } from './entry-values.js';
import { freeServerName, unimportable, valueField } from './import-entry.js';
import { restoredEntry } from './restore-entry.js';

export type { ShimLaunch } from './entry-shapes.js';

export interface IntegrationDeps {
  servers: ServerStore;
  vault: Vault;
  clients: ClientKeys;
  links: LinkStore;
  shim: ShimLaunch;
  now: () => number;
  /** Reloads policy after servers were added. */
  reload(): void;
  note(text: string): void;
  /** Where connect remembers each config's style and the keys it made; the core passes the settings table. */
  state?: KeyValueStore;
  /**
   * The URL of Warden's HTTP endpoint (the aggregated session when `server` is undefined), or
   * undefined when the endpoint is off. Without it, the default port's URL.
   */
  httpUrl?(server?: string): string | undefined;
  /** A server's definition changed (values taken from a client config): its upstream restarts. */
  serverChanged?(name: string): void;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  fs?: ConfigFs;
}

/**
 * Points MCP clients (Claude Desktop, Cursor, VS Code, Claude Code) at Warden: imports their
 * servers (credentials into the vault, plain settings kept), rewrites entries to reach Warden
 * (per server or one aggregated entry; the shim, or a URL for clients that take one), notices
 * when the client rewrites them back, and undoes it all on request. Every write edits only
 * the entries concerned, after a backup, atomically and under a lock.
 */
export class Integrations {
  private watcher: DriftWatcher | undefined;
  private autoReconnect: (() => boolean) | undefined;
  private readonly memory: ConnectMemory;
  private readonly keys: ConnectKeys;

  constructor(private readonly deps: IntegrationDeps) {
    this.memory = new ConnectMemory(deps.state ?? memoryStore());
    this.keys = new ConnectKeys(deps.clients, deps.vault, this.memory, deps.note);
  }

  /** Every config of the client Warden imported from or connected, or its usual config when there is none. */
  status(appId: AppId, callerEnv?: CallerEnv): IntegrationStatus[] {
    const app = clientApp(appId);
    const paths = new Set(this.deps.links.list(app.id).map((link) => link.configPath));
    if (paths.size === 0) paths.add(this.pathFor(app, undefined, callerEnv));
    return [...paths].map((path) => this.statusOf(app, path));
  }

  private statusOf(app: ClientApp, path: string): IntegrationStatus {
    const config = this.load(app, path);
    const entries = config ? serversOf(config, app) : {};
    const aggregate = this.memory.style(app.id, path)?.aggregate?.entry;
    const aggregated = aggregate !== undefined && reachesWarden(entries[aggregate], undefined);
    const links = this.deps.links.list(app.id).filter((link) => link.configPath === path);
    const states: IntegrationStatus['entries'] = links.map((link) => {
      const current = entries[link.entry];
      const connected = reachesWarden(current, link.server) || (aggregated && current === undefined && link.connectedAt !== null);
      return { entry: link.entry, server: link.server, state: connected ? 'connected' : link.connectedAt !== null ? 'drifted' : 'imported' };
    });
    if (aggregate !== undefined) states.push({ entry: aggregate, server: '*', state: aggregated ? 'connected' : 'drifted' });
    return { app: app.id, label: app.label, configPath: path, exists: config !== undefined, entries: states };
  }

  async import(appId: AppId, options: { configPath?: string; keepEnv: string[]; defaultAction: Action; callerEnv?: CallerEnv }): Promise<ImportReport> {
    const app = clientApp(appId);
    const path = this.pathFor(app, options.configPath, options.callerEnv);
    const config = this.load(app, path);
    if (!config) throw new WardenError('not_found', `there is no ${app.label} config at ${path}; nothing to import (use --config PATH if it lives elsewhere)`);
    const report: ImportReport = { configPath: path, imported: [], skipped: [] };
    const linked = new Set(this.deps.links.list(app.id).filter((l) => l.configPath === path).map((l) => l.entry));
    for (const [name, raw] of Object.entries(serversOf(config, app))) {
      const why = unimportable(raw, name, linked);
      if (why) {
        report.skipped.push({ entry: name, why });
        continue;
      }
      const entry = raw as Entry;
      const server = freeServerName(name, this.deps.servers);
      const field = valueField(entry);
      const split = await splitValues((entry[field] as Record<string, unknown> | undefined) ?? {}, { server, entry: name, keep: options.keepEnv }, this.deps.vault, this.deps.now());
      if (field === 'env') {
        const args = ((entry.args as string[] | undefined) ?? []).map(String);
        const cwd = typeof entry.cwd === 'string' ? entry.cwd : undefined;
        this.deps.servers.add(server, { kind: 'stdio', config: { command: entry.command as string, args, env: split.values, ...(cwd ? { cwd } : {}) } }, options.defaultAction, this.deps.now());
      } else {
        const transport = entry.type === 'sse' ? 'sse' : entry.type === 'http' || entry.type === 'streamable-http' ? 'http' : 'auto';
        this.deps.servers.add(server, { kind: 'remote', config: { url: entry.url as string, transport, headers: split.values } }, options.defaultAction, this.deps.now());
      }
      this.deps.links.add({
        app: app.id,
        configPath: path,
        entry: name,
        server,
        original: { ...entry, ...(entry[field] ? { [field]: { ...(entry[field] as object), ...split.values } } : {}) },
        secretEnv: split.vaulted.map((v) => v.env),
        importedAt: this.deps.now(),
      });
      report.imported.push({ entry: name, server, secrets: split.vaulted.map((v) => v.secret), keptEnv: split.kept, renamed: server !== name, vaulted: split.vaulted });
    }
    if (report.imported.length > 0) this.watcher?.watch(path);
    this.deps.reload();
    return report;
  }

  /**
   * Points the config's entries at Warden in the style asked (per server or aggregated; stdio
   * or HTTP), first adding entries for `servers` added by hand and taking in values the user
   * wrote into connected entries since (a pasted token goes into the vault, not away).
   */
  async connect(appId: AppId, options: ConnectOptions): Promise<ConnectReport> {
    const app = clientApp(appId);
    const transport = options.transport ?? 'stdio';
    if (transport === 'http' && !app.http) {
      throw new InvalidInputError(`${app.label} launches only stdio servers, so its entries start Warden's shim; connect it without --http`);
    }
    const path = this.pathFor(app, options.configPath, options.callerEnv);
    const config = this.load(app, path);
    const entries = config ? serversOf(config, app) : {};
    const links = [...this.deps.links.list(app.id).filter((link) => link.configPath === path), ...this.handLinks(app, path, entries, options.servers ?? [])];
    if (links.length === 0) throw new WardenError('not_found', `nothing from ${path} was imported yet; run: warden clients import ${app.id} (or name a server: --server NAME)`);
    const key = options.dryRun ? { key: 'wk_(a key Warden creates)', created: undefined } : await this.keys.keyFor(app, entries);
    const plan = await planConnect({
      app,
      links,
      entries,
      options: { ...options, transport },
      previous: this.memory.style(app.id, path),
      key: key.key,
      servers: this.deps.servers,
      vault: this.deps.vault,
      now: this.deps.now,
      shim: this.deps.shim,
      url: (server) => this.urlFor(server),
    });
    const report: ConnectReport = { ...plan.report, configPath: path, backup: null, dryRun: options.dryRun, clientKeyCreated: key.created !== undefined };
    if (options.dryRun) return report;
    for (const name of plan.changedServers) this.deps.serverChanged?.(name);
    if (plan.changedServers.length > 0) this.deps.reload();
    for (const link of links.filter((l) => !this.deps.links.list(app.id).some((k) => k.configPath === path && k.entry === l.entry))) this.deps.links.add(link);
    // The entries hold a client key: the file becomes readable by its owner only.
    if (plan.edits.size > 0) report.backup = this.write(path, config && { ...config, mode: config.mode & 0o700 }, app, plan.edits) ?? null;
    for (const link of plan.covered) this.deps.links.setConnected(link, this.deps.now());
    this.memory.setStyle(app.id, path, plan.style);
    this.watcher?.watch(path);
    return report;
  }

  disconnect(appId: AppId, options: { configPath?: string; restoreSecrets: boolean; dryRun: boolean; callerEnv?: CallerEnv }): DisconnectReport {
    const app = clientApp(appId);
    const path = this.pathFor(app, options.configPath, options.callerEnv);
    const config = this.load(app, path);
    if (!config) throw new WardenError('not_found', `there is no ${app.label} config at ${path}`);
    const entries = serversOf(config, app);
    const edits = new Map<string, unknown>();
    const report: DisconnectReport = { configPath: path, backup: null, dryRun: options.dryRun, restored: [], left: [], revokedKeys: [] };
    const style = this.memory.style(app.id, path);
    const aggregate = style?.aggregate?.entry;
    const aggregated = aggregate !== undefined && reachesWarden(entries[aggregate], undefined);
    const released: ClientLink[] = [];
    const held: string[] = [];
    for (const link of this.deps.links.list(app.id).filter((l) => l.configPath === path)) {
      const current = entries[link.entry];
      const viaWarden = reachesWarden(current, link.server) || (aggregated && current === undefined && link.connectedAt !== null);
      if (!viaWarden) {
        if (link.connectedAt === null) continue;
        // The user asked to disconnect: an entry that no longer reaches Warden stops counting as connected.
        report.left.push({ entry: link.entry, why: current === undefined ? 'it was removed from the file since; no longer counted as connected' : 'it no longer launches Warden (changed since); left as it is' });
        released.push(link);
        continue;
      }
      try {
        const restored = restoredEntry(link, this.deps.servers.get(link.server), this.deps.vault);
        if (restored.secrets.length > 0 && !options.restoreSecrets) {
          report.left.push({ entry: link.entry, why: `its environment held secrets (${restored.secrets.join(', ')}); add --restore-secrets to write them back into the file in plain text` });
          held.push(link.entry);
          continue;
        }
        edits.set(link.entry, restored.entry);
        report.restored.push(link.entry);
        released.push(link);
      } catch (error) {
        report.left.push({ entry: link.entry, why: (error as Error).message });
        held.push(link.entry);
      }
    }
    if (aggregated) {
      if (held.length === 0) {
        edits.set(aggregate, undefined);
        report.restored.push(aggregate);
      } else {
        report.left.push({ entry: aggregate, why: `it still serves ${held.join(', ')} until those can be restored` });
      }
    }
    if (options.dryRun) return report;
    if (edits.size > 0) report.backup = this.write(path, config, app, edits) ?? null;
    for (const link of released) this.deps.links.setConnected(link, null);
    if (held.length === 0) this.memory.setStyle(app.id, path, undefined);
    const keysHeld = this.keysInManagedConfigs();
    report.revokedKeys = keysHeld === undefined ? [] : this.keys.revokeUnused(keysHeld);
    return report;
  }

  /**
   * The backups `connect` and `disconnect` left beside each client's configs (those Warden
   * imported from, and the usual one), for every client or only `appId`.
   */
  backups(appId?: AppId): ConfigBackup[] {
    return (appId ? [appId] : APP_IDS).flatMap((id) => {
      const app = clientApp(id);
      const paths = new Set([...this.deps.links.list(id).map((link) => link.configPath), this.pathFor(app, undefined)]);
      return [...paths].flatMap((path) => listBackups(path).map((backup) => ({ app: id, ...backup })));
    });
  }

  /** Deletes the backups {@link backups} lists (they may hold old secrets); returns their paths. */
  removeBackups(appId?: AppId): string[] {
    const removed = removeBackups(this.backups(appId));
    if (removed.length > 0) this.deps.note(`removed ${removed.length} client config backup(s)`);
    return removed;
  }

  /**
   * Watches the folders of every linked config (and of configs imported or connected later)
   * and reports entries the client rewrote; when `autoReconnect` says so, takes in the values
   * the user wrote there and points them back. Also checks each once now. Returns the disposer.
   */
  watchForDrift(autoReconnect: () => boolean): () => void {
    this.autoReconnect = autoReconnect;
    const watcher = new DriftWatcher((path) => this.checkDrift(path), this.deps.note);
    this.watcher = watcher;
    for (const appId of APP_IDS) for (const path of new Set(this.deps.links.list(appId).map((link) => link.configPath))) {
      watcher.watch(path);
      void this.checkDrift(path);
    }
    return () => {
      watcher.close();
      this.watcher = undefined;
      this.autoReconnect = undefined;
    };
  }

  /** Checks every client linked to `path`; never throws (it runs from a file watcher). */
  private async checkDrift(path: string): Promise<void> {
    for (const appId of APP_IDS) {
      const label = clientApp(appId).label;
      try {
        const status = this.status(appId).find((s) => s.configPath === path);
        const drifted = status?.entries.filter((entry) => entry.state === 'drifted') ?? [];
        if (drifted.length === 0) continue;
        this.deps.note(`${label}: ${drifted.map((e) => e.entry).join(', ')} no longer point(s) at Warden`);
        if (!this.autoReconnect?.()) continue;
        const style = this.memory.style(appId, path);
        const report = await this.connect(appId, { dryRun: false, configPath: path, aggregate: style?.aggregate !== undefined, transport: style?.transport ?? 'stdio' });
        for (const taken of report.adopted) {
          const names = [...taken.updated, ...taken.vaulted];
          if (names.length > 0) this.deps.note(`${label}: "${taken.entry}" held new value(s) for ${names.join(', ')}; took them into the vault for server "${taken.server}" before pointing it back`);
          if (taken.kept.length > 0) this.deps.note(`${label}: "${taken.entry}" held new plain setting(s) ${taken.kept.join(', ')}; server "${taken.server}" has them now`);
        }
        for (const left of report.left) this.deps.note(`${label}: left "${left.entry}": ${left.why}`);
        if (report.changes.length > 0) this.deps.note(`${label}: reconnected ${report.changes.map((c) => c.entry).join(', ')}`);
      } catch (error) {
        this.deps.note(`checking ${label}'s config failed: ${(error as Error).message}`);
      }
    }
  }

  /** Links for servers named by `--server`: an entry of their own, absent before (`original` is `{}`). */
  private handLinks(app: ClientApp, path: string, entries: Record<string, unknown>, names: readonly string[]): ClientLink[] {
    const existing = this.deps.links.list(app.id).filter((link) => link.configPath === path);
    const added: ClientLink[] = [];
    for (const name of names) {
      if (!this.deps.servers.get(name)) throw new WardenError('not_found', `Warden has no server named "${name}"; see: warden server list`);
      if ([...existing, ...added].some((link) => link.server === name || link.entry === name)) continue;
      if (entries[name] !== undefined && wardenEntryOf(entries[name]) === undefined) {
        throw new WardenError('conflict', `${path} already has an entry "${name}" that does not go through Warden; import it (warden clients import ${app.id}) or rename it, then try again`);
      }
      added.push({ app: app.id, configPath: path, entry: name, server: name, original: {}, secretEnv: [], importedAt: this.deps.now(), connectedAt: null });
    }
    return added;
  }

  private urlFor(server: string | undefined): string {
    const url = this.deps.httpUrl ? this.deps.httpUrl(server) : httpEndpointUrl(DEFAULT_HTTP_PORT, server);
    if (url === undefined) throw new WardenError('unavailable', "Warden's HTTP endpoint is not serving (see: warden status), so there is no URL to write; start it or connect without --http");
    return url;
  }

  /** A client's config path: the explicit one, else its usual one in the caller's home (else the core's). */
  private pathFor(app: ClientApp, explicit: string | undefined, callerEnv?: CallerEnv): string {
    const env = callerEnv?.HOME !== undefined || callerEnv?.USERPROFILE !== undefined ? callerEnv : (this.deps.env ?? process.env);
    return configPathFor(app, explicit, env, this.deps.platform ?? process.platform);
  }

  private load(app: ClientApp, path: string): LoadedConfig | undefined {
    const config = loadConfig(path, app.jsonc, this.deps.fs);
    if (config) serversOf(config, app);
    return config;
  }

  private write(path: string, config: LoadedConfig | undefined, app: ClientApp, edits: Map<string, unknown>): string | undefined {
    const text = editEntries(config?.text ?? '', app.serversKey, edits);
    return writeConfigAtomic(path, text, config?.mode, new Date(this.deps.now()), this.deps.fs);
  }

  /**
   * Every client key found in the configs Warden manages (linked ones and each client's usual
   * one); undefined when one cannot be read, so no key is revoked on a guess.
   */
  private keysInManagedConfigs(): string[] | undefined {
    const keys: string[] = [];
    for (const appId of APP_IDS) {
      const app = clientApp(appId);
      for (const path of new Set([...this.deps.links.list(appId).map((link) => link.configPath), this.pathFor(app, undefined)])) {
        let config: LoadedConfig | undefined;
        try {
          config = this.load(app, path);
        } catch {
          return undefined;
        }
        for (const entry of Object.values(config ? serversOf(config, app) : {})) {
          const key = wardenEntryOf(entry)?.key;
          if (key !== undefined) keys.push(key);
        }
      }
    }
    return keys;
  }
}

/** The servers object of a config; refuses one that is not an object. */
function serversOf(config: LoadedConfig, app: ClientApp): Record<string, unknown> {
  const servers = config.root[app.serversKey];
  if (servers === undefined) return {};
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new InvalidInputError(`"${app.serversKey}" in ${config.path} is not an object; Warden left the file untouched`);
  }
  return servers as Record<string, unknown>;
}
