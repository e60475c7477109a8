/**
 * The `warden` command line. Every command but `daemon` and `stdio` talks to the running core
 * over the local socket (starting it when absent); none touches the database directly.
 */
import { resolveDataDir } from '../core/paths.js';
import { runDaemon } from '../core/run-daemon.js';
import { publicMessage, WardenError } from '../core/errors/warden-error.js';
import { daemonLogPath } from '../core/paths.js';
import { CappedLog } from '../core/upstream/capped-log.js';
import { VERSION } from '../core/version.js';
import { CliError, UsageError } from './cli-error.js';
import { approvalsCommand } from './commands/approvals.js';
import { clientCommand } from './commands/client.js';
import { legStatusLines } from './commands/leg-status.js';
import { claudeCommand, clientsCommand } from './commands/clients.js';
import { guardCommand } from './commands/guard.js';
import { labelCommand, printFlowGroups } from './commands/label.js';
import { limitCommand } from './commands/limit.js';
import { pinsCommand } from './commands/pins.js';
import { ruleCommand } from './commands/rule.js';
import { pauseCommand, settingsCommand } from './commands/settings.js';
import { logCommand } from './commands/log.js';
import { dbCommand } from './commands/db.js';
import { secretCommand } from './commands/secret.js';
import { serverCommand } from './commands/server.js';
import { vaultCommand } from './commands/vault.js';
import { probeCommand } from './commands/probe.js';
import { loginCommand, logoutCommand } from './commands/login.js';
import type { Command, CommandContext } from './context.js';
import { parse } from './context.js';
import { ControlClient } from './control-client.js';

const HELP = `MCP Warden ${VERSION}: a local authenticating proxy for MCP servers.

Usage: warden [--data-dir DIR] COMMAND

  daemon [--web [--port N]] [--http-port N]  run the Warden core headless (until Ctrl-C or: warden stop);
                             --web also serves the window on 127.0.0.1 and prints its URL;
                             --http-port: the MCP endpoint's port this run (0 picks one; else setting httpPort)
  stdio --server NAME        what MCP clients launch; the key comes from WARDEN_CLIENT_KEY
  stdio                      (no --server) one aggregated session over every enabled server
  status [--json]            is the core running, and where
  stop                       stop the running core
  server add NAME --command C [--arg A]... [--env K=V]... [--cwd DIR]
  server add NAME --url URL [--transport http|sse|auto] [--header K=V]...
        [--oauth-client-id ID [--oauth-client-secret \${secret:NAME}]] [--oauth-client-metadata-url URL] [--oauth-scope S]
  probe URL [--header K=V]...  connect to a remote MCP server as Warden would, list its tools
  login NAME | logout NAME     sign in to a remote server with OAuth (in your browser), or out
  server list [--json] | remove NAME
  secret set NAME            (the value on stdin, never as an argument)
  secret list [--json] | remove NAME
  client add NAME [--tools all|search]   (prints the new key once; search: a find and a call tool)
  client set NAME --tools all|search | list [--json] | revoke NAME
  log [--json] [--follow] [--limit N] | log verify
  db backup | backups [--json]   back up the database now; list the backups (daily, before upgrades)
  db restore FILE|--latest       put a backup in place (Warden stopped; the current file is kept aside)
  db reset                       start with an empty database (Warden stopped; the current file is kept aside)

  rule add --client C --server S --tool PATTERN --action allow|ask|deny   (or --resource / --prompt)
  rule list | remove ID | explain --client C --server S --tool T
  rule preset full|readonly|limited --client C --server S [--tools a,b]
  server default NAME allow|ask|deny | server preset NAME readonly-annotations|allow-all|ask-all
  limit add [--client C] [--server S] [--tool PATTERN] --max N --per 60s | list | remove ID
  approvals list | allow ID [--session|--always] | deny ID [--always]
  pins list | diff SERVER TOOL | approve SERVER TOOL
  guard add --server S --tool T --pattern REGEX [--mode block|flag] | preset | list | remove ID
  label set|remove --server S [--tool T] private|untrusted|external... | clear | list [--json]
  claude import [--config PATH] [--keep-env NAME]... | connect [--dry-run] | disconnect [--restore-secrets] | status
  clients list | import NAME | connect NAME | disconnect NAME   (claude, cursor, vscode, claude-code)
  clients backups [--json] | backups --remove [NAME]   list or delete the config backups connect made
  vault status | passphrase      what protects the secrets; seal them with a passphrase (stdin)
  pause | resume                 refuse every call until resumed (the kill switch)
  settings get | set NAME VALUE

Values of --arg and --env may use \${secret:NAME}; Warden fills them in when it starts the server.
The data dir is --data-dir, else WARDEN_HOME, else the app's folder in your user config.`;

const statusCommand: Command = async (argv, context) => {
  const { values } = parse(argv, { json: { type: 'boolean' } }, 'warden status [--json]');
  const control = await context.control({ start: false });
  const status = await control.call('status', {});
  const { sessions: aggregated } = await control.call('sessions.aggregated', {});
  const { groups } = await control.call('flow.groups', {});
  if (values.json) return context.out(JSON.stringify({ ...status, aggregated, flowGroups: groups }));
  context.out([`Warden ${status.version} is running (pid ${status.pid}); data dir ${status.dataDir}; ${status.servers} server(s), ${status.sessions} session(s)`, ...legStatusLines(aggregated)].join('\n'));
  context.out(!status.httpUrl ? (status.httpProblem ?? 'the MCP HTTP endpoint is off') : `MCP endpoint for HTTP clients: ${status.httpUrl} (one server: ${status.httpUrl}/<server>)`);
  printFlowGroups(context, groups);
};

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: the pid was reused by another user's process; ours is gone too.
    return false;
  }
}

const stopCommand: Command = async (argv, context) => {
  parse(argv, {}, 'warden stop');
  const control = await context.control({ start: false });
  const { pid } = await control.call('status', {});
  await control.call('daemon.stop', {});
  await control.closed();
  // The data dir is free only once the process has exited (it holds the lock until then):
  // a script running `warden stop && …` must find it free.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && processAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 25));
  context.out('Warden core stopped');
};

const daemonCommand: Command = async (argv, context) => {
  const { values } = parse(argv, { web: { type: 'boolean' }, port: { type: 'string' }, 'http-port': { type: 'string' } }, 'warden daemon [--web [--port N]] [--http-port N]');
  const httpPort = values['http-port'] === undefined ? undefined : Number(values['http-port']);
  if (httpPort !== undefined && (!/^\d+$/.test(values['http-port'] as string) || httpPort > 65535)) throw new UsageError('--http-port takes a port number (0 picks a free one)');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number (0 picks a free one)');
  if (values.port !== undefined && !values.web) throw new UsageError('--port goes with --web');
  const web = values.web ? { port, onUrl: (url: string): void => void process.stdout.write(`MCP Warden window: ${url}\n`) } : undefined;
  const echo = process.stderr.isTTY ? (line: string): void => void process.stderr.write(line + '\n') : undefined;
  try {
    await runDaemon(context.dataDir, echo, web, httpPort);
    // Everything is closed by now; a stdio handle (stderr as a socket) must not keep a
    // stopped daemon alive.
    process.exit(0);
  } catch (error) {
    if (error instanceof WardenError && error.code === 'conflict') {
      // Another core serves this data dir: the one that started us can use it.
      process.stderr.write(`warden: ${error.message}\n`);
      return;
    }
    const log = new CappedLog(daemonLogPath(context.dataDir));
    log.write(`[${new Date().toISOString()}] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    log.close();
    throw error;
  }
};

const COMMANDS: Record<string, Command> = {
  daemon: daemonCommand,
  status: statusCommand,
  stop: stopCommand,
  server: serverCommand,
  secret: secretCommand,
  client: clientCommand,
  log: logCommand,
  db: dbCommand,
  rule: ruleCommand,
  limit: limitCommand,
  approvals: approvalsCommand,
  pins: pinsCommand,
  guard: guardCommand,
  label: labelCommand,
  settings: settingsCommand,
  clients: clientsCommand,
  vault: vaultCommand,
  probe: probeCommand,
  login: loginCommand,
  logout: logoutCommand,
  claude: claudeCommand,
  pause: pauseCommand(true),
  resume: pauseCommand(false),
};

/** Splits off the global `--data-dir DIR` (anywhere before the command's own options). */
function takeDataDir(argv: string[]): { dataDir: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--data-dir') {
      dataDir = argv[++i];
      if (dataDir === undefined) throw new UsageError('--data-dir needs a folder');
    } else if (arg.startsWith('--data-dir=')) {
      dataDir = arg.slice('--data-dir='.length);
    } else {
      rest.push(arg);
    }
  }
  return { dataDir, rest };
}

async function main(argv: string[]): Promise<number> {
  const { dataDir: explicit, rest } = takeDataDir(argv);
  const [name, ...args] = rest;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"; see: warden --help`);
  const dataDir = resolveDataDir(explicit);
  let control: Promise<ControlClient> | undefined;
  const context: CommandContext = {
    dataDir,
    control: (options) =>
      (control ??= ControlClient.connect(dataDir, new URL('./warden.mjs', import.meta.url), options?.start ?? true)),
    out: (text) => void process.stdout.write(text + '\n'),
  };
  try {
    await command(args, context);
  } finally {
    if (control) (await control.catch(() => undefined))?.close();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof CliError ? error.message : publicMessage(error, 'the command').message;
    process.stderr.write(`warden: ${message}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  },
);
