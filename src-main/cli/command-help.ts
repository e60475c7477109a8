/**
 * What `warden --help` and `warden COMMAND --help` print, and the names "did you mean" compares
 * a mistyped command or subcommand with. One entry per command, in the order of `--help`.
 */
import { VERSION } from '../core/version.js';

/** One command's help: its subcommands (empty when it has none) and its usage lines. */
export interface CommandHelp {
  subcommands: readonly string[];
  /** Whether the command runs with no subcommand (as `settings` means `settings get`). */
  bare?: boolean;
  usage: string;
}

const SERVER_ADD =
  `  server add NAME --command C [--arg A]... [--env K=V]... [--cwd DIR] [--default-action allow|ask|deny] [--replace]
  server add NAME --url URL [--transport http|sse|auto] [--header K=V]...
        [--oauth-client-id ID [--oauth-client-secret \${secret:NAME} | --oauth-private-key \${secret:NAME}]]
        [--oauth-grant authorization_code|client_credentials] [--oauth-auth-method M]
        [--oauth-scope S] [--oauth-client-metadata-url URL]`;

/** Every command's help, by name. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  daemon: { subcommands: [], usage: `  daemon [--web [--port N]] [--http-port N]   run the Warden core headless (until Ctrl-C or: warden stop);
                             prints its data dir and socket; --web also serves the window on 127.0.0.1;
                             --http-port: the MCP endpoint's port this run (0 picks one; else setting httpPort)` },
  stdio: { subcommands: [], usage: '  stdio [--server NAME]      what MCP clients launch (no --server: one session over every server); the key comes from WARDEN_CLIENT_KEY' },
  status: { subcommands: [], usage: '  status [--json]            is the core running, where, and is it paused (never starts it)' },
  stop: { subcommands: [], usage: '  stop                       stop the running core' },
  server: {
    subcommands: ['add', 'list', 'remove', 'enable', 'disable', 'default', 'preset'],
    usage: `${SERVER_ADD}
  server list [--json] | remove NAME | enable NAME | disable NAME
  server default NAME allow|ask|deny | server preset NAME readonly-annotations|allow-all|ask-all
  Values of --arg and --env may use \${secret:NAME}; Warden fills them in when it starts the server.`,
  },
  probe: { subcommands: [], usage: '  probe URL [--transport http|sse|auto] [--header K=V]... [--json]   connect to a remote MCP server as Warden would, list its tools' },
  login: { subcommands: [], usage: '  login NAME                 sign in to a remote server with OAuth (in your browser)' },
  logout: { subcommands: [], usage: '  logout NAME                forget (and where offered, revoke) a remote server\'s tokens' },
  secret: { subcommands: ['set', 'list', 'remove'], usage: '  secret set NAME            (the value on stdin, never as an argument)\n  secret list [--json] | remove NAME' },
  client: {
    subcommands: ['add', 'set', 'list', 'revoke'],
    usage: `  client add NAME [--tools all|search] [--json]   (prints the new key once; search: a find and a call tool)
  client set NAME --tools all|search | list [--json] | revoke NAME`,
  },
  log: { subcommands: ['verify'], bare: true, usage: `  log [--json] [--follow] [--limit N]   the latest calls (oldest first); --follow then prints new ones
  log verify [--json]                   check the audit log's HMAC chain` },
  db: { subcommands: ['backup', 'backups', 'restore', 'reset'], usage: `  db backup | backups [--json]   back up the database now; list the backups (daily, before upgrades)
  db restore FILE|--latest       put a backup in place (Warden stopped; the current file is kept aside)
  db reset                       start with an empty database (Warden stopped; the current file is kept aside)` },
  rule: { subcommands: ['add', 'list', 'remove', 'explain', 'preset'], usage: `  rule add [--client C] --server S --tool PATTERN --action allow|ask|deny   (or --resource URI / --prompt NAME)
  rule list [--json] | remove ID | explain --client C --server S --tool T
  rule preset full|readonly|limited --client C --server S [--tools a,b]` },
  limit: { subcommands: ['add', 'list', 'remove'], usage: `  limit add [--client C] [--server S] [--tool PATTERN] --max N --per 60s | list [--json] | remove ID
        at most N calls in any window of that length, per client (a call over it is refused)` },
  approvals: {
    subcommands: ['list', 'allow', 'deny', 'watch'],
    bare: true,
    usage: `  approvals list [--json] | allow ID [--session|--always] | deny ID [--always]
  approvals watch            show each ask as it arrives; answer with o (once), s (session), a (always), d (deny)`,
  },
  pins: { subcommands: ['list', 'diff', 'approve'], usage: '  pins list [--json] | diff SERVER TOOL | approve SERVER TOOL' },
  guard: { subcommands: ['add', 'preset', 'list', 'remove'], usage: `  guard add --server S --tool PATTERN --pattern REGEX [--name N] [--mode block|flag]
  guard preset --server S --tool PATTERN [--mode flag|block] | list [--json] | remove ID` },
  label: {
    subcommands: ['set', 'remove', 'clear', 'list'],
    usage: `  label set|remove --server S [--tool T] private|untrusted|external...   what a tool does, for the flow guard
  label clear --server S [--tool T] | list [--json]   forget what you said (hints count again); every tool's labels`,
  },
  claude: { subcommands: ['import', 'connect', 'disconnect', 'status'], usage: '  claude import [--config PATH] [--keep-env NAME]... | connect [--dry-run] | disconnect [--restore-secrets] | status' },
  clients: { subcommands: ['list', 'import', 'connect', 'disconnect', 'backups'], usage: `  clients list | import NAME | connect NAME [--server S]... [--aggregate] [--http] | disconnect NAME   (claude, cursor, vscode, claude-code)
  clients backups [--json] | backups --remove [NAME]   list or delete the config backups connect made` },
  vault: { subcommands: ['status', 'passphrase'], bare: true, usage: '  vault status | passphrase   what protects the secrets; seal them with a passphrase (stdin)' },
  pause: { subcommands: [], usage: '  pause                      refuse every call until resumed (the kill switch)' },
  resume: { subcommands: [], usage: '  resume                     decide calls by the rules again' },
  settings: { subcommands: ['get', 'set'], bare: true, usage: '  settings get [--json] | set NAME VALUE   (VALUE is read as JSON where it can be: 5, -5, true, "text")' },
};

/** `warden --help`: every command. */
export function fullHelp(): string {
  return `MCP Warden ${VERSION}: a local authenticating proxy for MCP servers.

Usage: warden [--data-dir DIR] COMMAND   (warden COMMAND --help: that command alone)

${Object.values(COMMAND_HELP).map((entry) => entry.usage).join('\n')}

Commands that only read (status, log, the lists, settings get) never start the core.
The data dir is --data-dir, else WARDEN_HOME, else the app's folder in your user config.`;
}

/** `warden COMMAND --help`: that command's usage lines. */
export function commandHelp(name: string): string {
  const entry = COMMAND_HELP[name];
  if (entry === undefined) return fullHelp();
  // Each usage line, as typed: `warden server list`, not `server list`.
  return `Usage (after warden [--data-dir DIR]):\n${entry.usage.replace(/^ {2}(?=[a-z])/gm, '  warden ')}`;
}
