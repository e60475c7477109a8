import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ConfigBackup, ConnectReport, DisconnectReport, ImportReport, IntegrationStatus } from '../../../src-shared/control-api.js';
import { SECRET_NAME, SERVER_NAME } from '../../../src-shared/names.js';
import type { Action } from '../../../src-shared/policy-types.js';
import type { ClientKeys } from '../clients/client-keys.js';
import type { ClientLink, LinkStore } from '../db/link-store.js';
import type { ServerStore } from '../db/server-store.js';
import { describeFailure, guarded } from '../errors/guarded.js';
import { InvalidInputError, WardenError } from '../errors/warden-error.js';
import type { Vault } from '../vault/vault.js';
import { clientApp, configPathFor, type AppId, type ClientApp } from './client-apps.js';
import { listBackups, removeBackups } from './config-backups.js';
import { editEntries, loadConfig, writeConfigAtomic, type ConfigFs, type LoadedConfig } from './config-file.js';

/** How a client launches the shim: the composition root knows (node + script, or the app binary). */
export interface ShimLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

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
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  fs?: ConfigFs;
}

type Entry = Record<string, unknown>;

/**
 * Points MCP clients (Claude Desktop, Cursor, VS Code, Claude Code) at Warden: imports their
 * servers (moving env values into the vault), rewrites the imported entries to launch the
 * shim, notices when the client rewrites them back, and undoes it all on request. Every write
 * edits only the entries concerned, after a backup, atomically and under a lock.
 */
export class Integrations {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private autoReconnect: (() => boolean) | undefined;

  constructor(private readonly deps: IntegrationDeps) {}

  /** Every config of the client Warden imported from, or its usual config when there is none. */
  status(appId: AppId): IntegrationStatus[] {
    const app = clientApp(appId);
    const paths = new Set(this.deps.links.list(app.id).map((link) => link.configPath));
    if (paths.size === 0) paths.add(this.pathFor(app, undefined));
    return [...paths].map((path) => this.statusOf(app, path));
  }

  private statusOf(app: ClientApp, path: string): IntegrationStatus {
    const config = this.load(app, path);
    const servers = config ? serversOf(config, app) : {};
    return {
      app: app.id,
      label: app.label,
      configPath: path,
      exists: config !== undefined,
      entries: this.deps.links.list(app.id).filter((link) => link.configPath === path).map((link) => ({
        entry: link.entry,
        server: link.server,
        state: pointsAtWarden(servers[link.entry], link.server) ? 'connected' : link.connectedAt !== null ? 'drifted' : 'imported',
      })),
    };
  }

  async import(appId: AppId, options: { configPath?: string; keepEnv: string[]; defaultAction: Action }): Promise<ImportReport> {
    const app = clientApp(appId);
    const path = this.pathFor(app, options.configPath);
    const config = this.load(app, path);
    if (!config) throw new WardenError('not_found', `there is no ${app.label} config at ${path}; nothing to import (use --config PATH if it lives elsewhere)`);
    const report: ImportReport = { configPath: path, imported: [], skipped: [] };
    const linked = new Set(this.deps.links.list(app.id).filter((l) => l.configPath === path).map((l) => l.entry));
    for (const [name, raw] of Object.entries(serversOf(config, app))) {
      const why = this.unimportable(raw, name, linked);
      if (why) {
        report.skipped.push({ entry: name, why });
        continue;
      }
      const entry = raw as Entry;
      const server = this.freeServerName(name);
      // A local entry's env, or a remote entry's headers: the values move into the vault.
      const field = typeof entry.command === 'string' ? 'env' : 'headers';
      const env: Record<string, string> = {};
      const secrets: string[] = [];
      const keptEnv: string[] = [];
      const secretEnv: string[] = [];
      for (const [key, value] of Object.entries((entry[field] as Record<string, unknown> | undefined) ?? {})) {
        const text = String(value);
        if (options.keepEnv.includes(key) || text === '') {
          env[key] = text;
          keptEnv.push(key);
          continue;
        }
        const secret = this.freeSecretName(`${server}_${key}`);
        await this.deps.vault.set(secret, text, this.deps.now());
        env[key] = `\${secret:${secret}}`;
        secrets.push(secret);
        secretEnv.push(key);
      }
      if (field === 'env') {
        const args = ((entry.args as string[] | undefined) ?? []).map(String);
        const cwd = typeof entry.cwd === 'string' ? entry.cwd : undefined;
        this.deps.servers.add(server, { kind: 'stdio', config: { command: entry.command as string, args, env, ...(cwd ? { cwd } : {}) } }, options.defaultAction, this.deps.now());
      } else {
        const transport = entry.type === 'sse' ? 'sse' : entry.type === 'http' || entry.type === 'streamable-http' ? 'http' : 'auto';
        this.deps.servers.add(server, { kind: 'remote', config: { url: entry.url as string, transport, headers: env } }, options.defaultAction, this.deps.now());
      }
      this.deps.links.add({
        app: app.id,
        configPath: path,
        entry: name,
        server,
        original: { ...entry, ...(entry[field] ? { [field]: { ...(entry[field] as object), ...env } } : {}) },
        secretEnv,
        importedAt: this.deps.now(),
      });
      report.imported.push({ entry: name, server, secrets, keptEnv, renamed: server !== name });
    }
    if (report.imported.length > 0) this.watch(app.id, path);
    this.deps.reload();
    return report;
  }

  connect(appId: AppId, options: { configPath?: string; dryRun: boolean }): ConnectReport {
    const app = clientApp(appId);
    const path = this.pathFor(app, options.configPath);
    const links = this.deps.links.list(app.id).filter((link) => link.configPath === path);
    if (links.length === 0) throw new WardenError('not_found', `nothing from ${path} was imported yet; run: warden clients import ${app.id}`);
    const config = this.load(app, path);
    const servers = config ? serversOf(config, app) : {};
    const { key, created } = options.dryRun ? { key: 'wk_(a key Warden creates)', created: false } : this.clientKeyFor(app, servers);
    const edits = new Map<string, unknown>();
    const report: ConnectReport = { configPath: path, backup: null, dryRun: options.dryRun, changes: [], clientKeyCreated: created };
    for (const link of links) {
      if (!this.deps.servers.get(link.server)) continue;
      const before = servers[link.entry];
      if (pointsAtWarden(before, link.server)) continue;
      const after = this.shimEntry(app, link.server, key);
      edits.set(link.entry, after);
      report.changes.push({ entry: link.entry, server: link.server, before: before === undefined ? null : masked(before), after: masked(after) });
    }
    if (options.dryRun || edits.size === 0) return report;
    report.backup = this.write(path, config, app, edits) ?? null;
    for (const link of links) if (edits.has(link.entry) || pointsAtWarden(servers[link.entry], link.server)) this.deps.links.setConnected(link, this.deps.now());
    return report;
  }

  disconnect(appId: AppId, options: { configPath?: string; restoreSecrets: boolean; dryRun: boolean }): DisconnectReport {
    const app = clientApp(appId);
    const path = this.pathFor(app, options.configPath);
    const config = this.load(app, path);
    if (!config) throw new WardenError('not_found', `there is no ${app.label} config at ${path}`);
    const servers = serversOf(config, app);
    const edits = new Map<string, unknown>();
    const report: DisconnectReport = { configPath: path, backup: null, dryRun: options.dryRun, restored: [], left: [] };
    const links = this.deps.links.list(app.id).filter((link) => link.configPath === path);
    for (const link of links) {
      const current = servers[link.entry];
      if (!pointsAtWarden(current, link.server)) {
        if (link.connectedAt !== null) report.left.push({ entry: link.entry, why: current === undefined ? 'it was removed from the file since' : 'it was changed since Warden connected it; left as it is' });
        continue;
      }
      if (link.secretEnv.length > 0 && !options.restoreSecrets) {
        report.left.push({ entry: link.entry, why: `its environment held secrets (${link.secretEnv.join(', ')}); add --restore-secrets to write them back into the file in plain text` });
        continue;
      }
      try {
        edits.set(link.entry, this.restored(link));
        report.restored.push(link.entry);
      } catch (error) {
        report.left.push({ entry: link.entry, why: (error as Error).message });
      }
    }
    if (options.dryRun || edits.size === 0) return report;
    report.backup = this.write(path, config, app, edits) ?? null;
    for (const link of links) if (edits.has(link.entry)) this.deps.links.setConnected(link, null);
    return report;
  }

  /**
   * The backups `connect` and `disconnect` left beside each client's configs (those Warden
   * imported from, and the usual one), for every client or only `appId`.
   */
  backups(appId?: AppId): ConfigBackup[] {
    const apps = appId ? [appId] : (['claude', 'cursor', 'vscode', 'claude-code'] as const);
    return apps.flatMap((id) => {
      const app = clientApp(id);
      const paths = new Set([...this.deps.links.list(id).map((link) => link.configPath), this.pathFor(app, undefined)]);
      return [...paths].flatMap((path) => listBackups(path).map((backup) => ({ app: id, ...backup })));
    });
  }

  /** Deletes the backups {@link backups} lists (they may hold old secrets); returns their paths. */
  removeBackups(appId?: AppId): string[] {
    const found = this.backups(appId);
    const removed = removeBackups(found);
    if (removed.length > 0) this.deps.note(`removed ${removed.length} client config backup(s)`);
    return removed;
  }

  /**
   * Watches the folders of every linked config (and of configs imported later) and reports
   * entries the client rewrote, pointing them back by itself when `autoReconnect` says so.
   * Also checks each once now. Returns the disposer.
   */
  watchForDrift(autoReconnect: () => boolean): () => void {
    this.autoReconnect = autoReconnect;
    for (const appId of ['claude', 'cursor', 'vscode', 'claude-code'] as const) {
      const paths = new Set(this.deps.links.list(appId).map((link) => link.configPath));
      for (const path of paths) this.watch(appId, path);
      if (paths.size > 0) this.checkDrift(appId);
    }
    return () => {
      for (const timer of this.timers.values()) clearTimeout(timer);
      for (const watcher of this.watchers.values()) watcher.close();
      this.watchers.clear();
      this.autoReconnect = undefined;
    };
  }

  private watch(appId: AppId, path: string): void {
    if (this.autoReconnect === undefined || this.watchers.has(path)) return;
    try {
      // The folder, not the file: clients (and Warden) replace the file by renaming.
      const watcher = watch(dirname(path), guarded(this.deps.note, 'watching a client config', (_event: string, file: string | null) => {
        if (file !== null && file !== basename(path)) return;
        clearTimeout(this.timers.get(path));
        this.timers.set(path, setTimeout(guarded(this.deps.note, 'checking a client config', () => this.checkDrift(appId)), 500));
      }));
      watcher.on('error', (error) => this.deps.note(`watching ${path} stopped: ${describeFailure(error)}`));
      this.watchers.set(path, watcher);
    } catch {
      // The folder is gone; there is nothing to watch until the client is installed again.
    }
  }

  private checkDrift(appId: AppId): void {
    try {
      for (const status of this.status(appId)) {
        const drifted = status.entries.filter((entry) => entry.state === 'drifted');
        if (drifted.length === 0) continue;
        this.deps.note(`${clientApp(appId).label}: ${drifted.map((e) => e.entry).join(', ')} no longer point(s) at Warden`);
        if (this.autoReconnect?.()) {
          const report = this.connect(appId, { dryRun: false, configPath: status.configPath });
          this.deps.note(`${clientApp(appId).label}: reconnected ${report.changes.map((c) => c.entry).join(', ')}`);
        }
      }
    } catch (error) {
      this.deps.note(`checking ${clientApp(appId).label}'s config failed: ${(error as Error).message}`);
    }
  }

  private pathFor(app: ClientApp, explicit: string | undefined): string {
    return configPathFor(app, explicit, this.deps.env ?? process.env, this.deps.platform ?? process.platform);
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

  private unimportable(raw: unknown, name: string, linked: Set<string>): string | undefined {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'the entry is not an object';
    const entry = raw as Entry;
    if (pointsAtWarden(entry, undefined)) return 'it already goes through Warden';
    if (linked.has(name)) return 'it was imported before';
    if (typeof entry.command !== 'string' || entry.command === '') {
      if (typeof entry.url !== 'string') return 'the entry has neither a command nor a url';
      if (!/^https?:\/\//.test(entry.url)) return 'its url is not http(s)';
      if (entry.headers !== undefined && (typeof entry.headers !== 'object' || entry.headers === null || Array.isArray(entry.headers))) return 'its headers are not an object';
      return undefined;
    }
    if (entry.args !== undefined && (!Array.isArray(entry.args) || entry.args.some((a) => typeof a !== 'string'))) return 'its args are not a list of strings';
    if (entry.env !== undefined && (typeof entry.env !== 'object' || entry.env === null || Array.isArray(entry.env))) return 'its env is not an object';
    return undefined;
  }

  /** A valid server name close to the entry's name, suffixed -2, -3… when taken. */
  private freeServerName(entry: string): string {
    const base =
      entry
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^A-Za-z0-9_.-]+/g, '-')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 60) || 'server';
    let name = base;
    for (let n = 2; this.deps.servers.get(name); n++) name = `${base}-${n}`;
    if (!SERVER_NAME.test(name)) throw new InvalidInputError(`cannot make a server name from "${entry}"`);
    return name;
  }

  private freeSecretName(wanted: string): string {
    let base = wanted.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
    if (!/^[A-Z_]/.test(base)) base = `S_${base}`;
    base = base.slice(0, 120);
    let name = base;
    for (let n = 2; this.deps.vault.has(name); n++) name = `${base}_${n}`;
    if (!SECRET_NAME.test(name)) throw new InvalidInputError(`cannot make a secret name from "${wanted}"`);
    return name;
  }

  /** Reuses a key the config already holds for Warden when it is still valid; else makes one. */
  private clientKeyFor(app: ClientApp, servers: Record<string, unknown>): { key: string; created: boolean } {
    for (const entry of Object.values(servers)) {
      const key = ((entry as Entry)?.env as Record<string, unknown> | undefined)?.WARDEN_CLIENT_KEY;
      if (typeof key === 'string' && this.deps.clients.verify(key).ok) return { key, created: false };
    }
    let name = app.clientName;
    const taken = new Set(this.deps.clients.list().map((client) => client.name));
    for (let n = 2; taken.has(name); n++) name = `${app.clientName}-${n}`;
    return { key: this.deps.clients.create(name).key, created: true };
  }

  private shimEntry(app: ClientApp, server: string, key: string): Entry {
    return {
      ...(app.typed ? { type: 'stdio' } : {}),
      command: this.deps.shim.command,
      args: [...this.deps.shim.args, '--server', server],
      env: { ...this.deps.shim.env, WARDEN_CLIENT_KEY: key },
    };
  }

  private restored(link: ClientLink): Entry {
    const entry = { ...link.original };
    for (const field of ['env', 'headers'] as const) {
      const values = entry[field];
      if (!values || typeof values !== 'object') continue;
      entry[field] = Object.fromEntries(Object.entries(values as Record<string, string>).map(([k, v]) => [k, link.secretEnv.includes(k) ? this.deps.vault.resolve(v) : v]));
    }
    return entry;
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

/** True when an entry launches Warden's shim (for `server`, when given). */
function pointsAtWarden(entry: unknown, server: string | undefined): boolean {
  if (typeof entry !== 'object' || entry === null) return false;
  const { args, env } = entry as Entry;
  if (!Array.isArray(args) || typeof (env as Record<string, unknown> | undefined)?.WARDEN_CLIENT_KEY !== 'string') return false;
  const at = args.indexOf('--server');
  return at !== -1 && (server === undefined || args[at + 1] === server);
}

/** An entry fit to print: env values hidden, the client key shortened. */
function masked(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  const copy = { ...(entry as Entry) };
  if (copy.env && typeof copy.env === 'object') {
    copy.env = Object.fromEntries(
      Object.entries(copy.env as Record<string, unknown>).map(([k, v]) => [k, k === 'WARDEN_CLIENT_KEY' ? `${String(v).slice(0, 11)}…` : '«hidden»']),
    );
  }
  return copy;
}
