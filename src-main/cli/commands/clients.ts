import { resolve } from 'node:path';
import { ACTIONS, type Action } from '../../../src-shared/policy-types.js';
import { CLIENT_APPS, type ConnectReport } from '../../../src-shared/control-api.js';
import { UsageError } from '../cli-error.js';
import { parse, type Command, type CommandContext } from '../context.js';
import { table } from '../format.js';

type App = (typeof CLIENT_APPS)[number];

function appOf(name: string | undefined, usage: string): App {
  if (name === undefined || !(CLIENT_APPS as readonly string[]).includes(name)) {
    throw new UsageError(`name a client: ${CLIENT_APPS.join(', ')}; usage: ${usage}`);
  }
  return name as App;
}

function printConnect(report: ConnectReport, context: CommandContext): void {
  for (const taken of report.adopted) {
    const vaulted = [...taken.updated, ...taken.vaulted];
    if (vaulted.length > 0) context.out(`${report.dryRun ? 'would take' : 'took'} the new value(s) of ${vaulted.join(', ')} in "${taken.entry}" into the vault for server "${taken.server}"`);
    if (taken.kept.length > 0) context.out(`${report.dryRun ? 'would keep' : 'kept'} the new plain setting(s) ${taken.kept.join(', ')} of "${taken.entry}" for server "${taken.server}"`);
  }
  for (const item of report.left) context.out(`left "${item.entry}": ${item.why}`);
  if (report.changes.length === 0) return context.out(`${report.configPath}: every entry already reaches Warden this way`);
  const via = report.transport === 'http' ? "Warden's HTTP endpoint" : 'Warden';
  for (const change of report.changes) {
    const what =
      change.after === null
        ? `${report.dryRun ? 'would remove' : 'removed'} "${change.entry}"${report.aggregateEntry ? ` (served through "${report.aggregateEntry}" now)` : ''}`
        : change.server === '*'
          ? `${report.dryRun ? 'would point' : 'pointed'} "${change.entry}" at ${via}: one aggregated session over every server`
          : `${report.dryRun ? 'would point' : 'pointed'} "${change.entry}" at ${via}${report.transport === 'http' ? ' for' : ''} server "${change.server}"`;
    context.out(what);
    if (report.dryRun) {
      context.out(`  before: ${JSON.stringify(change.before)}`);
      context.out(`  after:  ${JSON.stringify(change.after)}`);
    }
  }
  if (report.backup) {
    context.out(`backup of the original: ${report.backup}`);
    if (!report.dryRun) {
      context.out('it still holds the entries as they were, with any secrets the import moved into the vault (mode 0600);');
      context.out('once the client works through Warden, remove it with: warden clients backups --remove');
    }
  }
  if (report.clientKeyCreated) context.out('made a new client key for it (written into the config only; disconnect revokes it once no entry holds it)');
  if (report.transport === 'http') context.out('the entries hold the client key as a bearer token (Authorization: Bearer wk_…): keep the file private');
  if (!report.dryRun) context.out('restart the client so it launches the new entries');
}

async function importApp(app: App, rest: string[], context: CommandContext, usage: string): Promise<void> {
  const { values } = parse(rest, { config: { type: 'string' }, 'keep-env': { type: 'string', multiple: true }, 'default-action': { type: 'string' }, json: { type: 'boolean' } }, usage);
  const configPath = absolute(values.config);
  const defaultAction = values['default-action'] ?? 'ask';
  if (!(ACTIONS as readonly string[]).includes(defaultAction)) throw new UsageError('--default-action is one of allow, ask, deny');
  const report = await (await context.control()).call('clients.import', {
    callerEnv: callerEnv(),
    app,
    keepEnv: values['keep-env'] ?? [],
    defaultAction: defaultAction as Action,
    ...(configPath === undefined ? {} : { configPath }),
  });
  if (values.json) return context.out(JSON.stringify(report));
  for (const item of report.imported) {
    const renamed = item.renamed ? ` (the name "${item.entry}" was taken or not allowed)` : '';
    context.out(`imported "${item.entry}" as server "${item.server}"${renamed}`);
    for (const value of item.vaulted) context.out(`  ${value.env} → vault secret ${value.secret} (${value.why})`);
    for (const name of item.keptEnv) context.out(`  ${name} stays plain (not a credential by its name or value)`);
  }
  for (const item of report.skipped) context.out(`skipped "${item.entry}": ${item.why}`);
  if (report.imported.length === 0 && report.skipped.length === 0) context.out(`${report.configPath} has no servers`);
  if (report.imported.length > 0 && defaultAction === 'ask') {
    context.out('calls to the imported servers ask for your approval until rules say otherwise (warden rule add, warden server preset)');
  }
}

async function connectApp(app: App, rest: string[], context: CommandContext, usage: string): Promise<void> {
  const { values, positionals } = parse(
    rest,
    { config: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, server: { type: 'string', multiple: true }, aggregate: { type: 'boolean' }, http: { type: 'boolean' } },
    usage,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"; usage: ${usage}`);
  if (values.aggregate && values.server) throw new UsageError(`--aggregate writes one entry for every server, so it takes no --server; usage: ${usage}`);
  const configPath = absolute(values.config);
  const report = await (await context.control()).call('clients.connect', {
    callerEnv: callerEnv(),
    app,
    dryRun: values['dry-run'] ?? false,
    servers: values.server ?? [],
    aggregate: values.aggregate ?? false,
    transport: values.http ? 'http' : 'stdio',
    ...(configPath === undefined ? {} : { configPath }),
  });
  if (values.json) return context.out(JSON.stringify(report));
  printConnect(report, context);
}

async function disconnectApp(app: App, rest: string[], context: CommandContext, usage: string): Promise<void> {
  const { values } = parse(rest, { config: { type: 'string' }, 'restore-secrets': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, usage);
  const configPath = absolute(values.config);
  const report = await (await context.control()).call('clients.disconnect', {
    callerEnv: callerEnv(),
    app,
    restoreSecrets: values['restore-secrets'] ?? false,
    dryRun: values['dry-run'] ?? false,
    ...(configPath === undefined ? {} : { configPath }),
  });
  if (values.json) return context.out(JSON.stringify(report));
  for (const entry of report.restored) context.out(`${report.dryRun ? 'would restore' : 'restored'} "${entry}"`);
  for (const item of report.left) context.out(`left "${item.entry}": ${item.why}`);
  if (report.backup) context.out(`backup of the file before: ${report.backup}`);
  for (const name of report.revokedKeys) context.out(`revoked the client key "${name}" that connect had made: no client config holds it any more`);
}

/** The caller's home folders: a client's usual config is the one of the person at this terminal. */
function callerEnv(): Record<string, string> {
  const names = ['HOME', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'XDG_CONFIG_HOME'] as const;
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])));
}

/** `--config` as the caller meant it: relative to the caller's folder, not the core's. */
function absolute(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(path);
}

async function backups(rest: string[], context: CommandContext): Promise<void> {
  const usage = 'warden clients backups [--json] | backups --remove [NAME]';
  const { values, positionals } = parse(rest, { json: { type: 'boolean' }, remove: { type: 'boolean' } }, usage);
  if (positionals.length > 1 || (positionals.length === 1 && !values.remove)) throw new UsageError(`usage: ${usage}`);
  const app = positionals[0] === undefined ? undefined : appOf(positionals[0], usage);
  const control = await context.control({ start: values.remove === true });
  if (values.remove) {
    const { removed } = await control.call('clients.removeBackups', app ? { app } : {});
    if (values.json) return context.out(JSON.stringify(removed));
    for (const path of removed) context.out(`removed ${path}`);
    return context.out(removed.length === 0 ? 'no client config backups to remove' : `removed ${removed.length} backup(s)`);
  }
  const { backups: found } = await control.call('clients.backups', app ? { app } : {});
  if (values.json) return context.out(JSON.stringify(found));
  if (found.length === 0) return context.out('no client config backups');
  context.out(table(['CLIENT', 'MODE', 'BYTES', 'BACKUP'], found.map((b) => [b.app, b.mode.toString(8).padStart(4, '0'), String(b.bytes), b.path])));
  context.out('they may hold secrets the import moved into the vault; remove them with: warden clients backups --remove [NAME]');
}

async function status(context: CommandContext, rest: string[], only?: App, usage = 'warden clients list [--json]'): Promise<void> {
  const { values } = parse(rest, { json: { type: 'boolean' } }, usage);
  const { clients } = await (await context.control({ start: false })).call('clients.status', { callerEnv: callerEnv() });
  const shown = only ? clients.filter((c) => c.app === only) : clients;
  if (values.json) return context.out(JSON.stringify(shown));
  const rows = shown.map((c) => {
    const count = (state: string): number => c.entries.filter((e) => e.state === state).length;
    const state = !c.exists ? 'not detected' : c.entries.length === 0 ? 'detected' : count('drifted') > 0 ? `DRIFTED (${count('drifted')})` : count('connected') > 0 ? 'connected' : 'imported';
    return [c.app, c.label, state, `${count('connected')}/${c.entries.length}`, c.configPath];
  });
  context.out(table(['NAME', 'CLIENT', 'STATE', 'VIA WARDEN', 'CONFIG'], rows));
  for (const c of shown) for (const e of c.entries.filter((x) => x.state === 'drifted')) {
    context.out(`${c.label}: "${e.entry}" no longer launches Warden; run: warden clients connect ${c.app}`);
  }
}

/**
 * `warden clients list | import NAME | connect NAME [--server S]... [--aggregate] [--http] |
 * disconnect NAME | backups [--remove [NAME]]`.
 */
export const clientsCommand: Command = async (argv, context) => {
  const [verb, name, ...rest] = argv;
  const usage = 'warden clients list | import NAME | connect NAME [--server SERVER]... [--aggregate] [--http] [--dry-run] | disconnect NAME [--restore-secrets] | backups [--remove [NAME]]';
  switch (verb) {
    case 'list':
      return status(context, name === undefined ? rest : [name, ...rest]);
    case 'import':
      return importApp(appOf(name, usage), rest, context, usage);
    case 'connect':
      return connectApp(appOf(name, usage), rest, context, usage);
    case 'disconnect':
      return disconnectApp(appOf(name, usage), rest, context, usage);
    case 'backups':
      return backups(name === undefined ? rest : [name, ...rest], context);
    default:
      throw new UsageError(`usage: ${usage}`);
  }
};

/** `warden claude import | connect | disconnect | status`: the same, for Claude Desktop. */
export const claudeCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  const usage = 'warden claude import [--config PATH] [--keep-env NAME]... | connect [--server SERVER]... [--aggregate] [--dry-run] | disconnect [--restore-secrets] | status';
  switch (verb) {
    case 'import':
      return importApp('claude', rest, context, usage);
    case 'connect':
      return connectApp('claude', rest, context, usage);
    case 'disconnect':
      return disconnectApp('claude', rest, context, usage);
    case 'status':
      return status(context, rest, 'claude', 'warden claude status [--json]');
    default:
      throw new UsageError(`usage: ${usage}`);
  }
};
