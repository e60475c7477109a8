/**
 * The `warden` command line. Every command but `daemon` and `stdio` talks to the running core
 * over the local socket; commands that change something start it when absent, commands that
 * only read say it is not running. None touches the database directly (but `db`).
 */
import { resolve } from 'node:path';
import { resolveDataDir } from '../core/paths.js';
import { publicMessage } from '../core/errors/warden-error.js';
import { VERSION } from '../core/version.js';
import { CliError, UsageError } from './cli-error.js';
import { COMMAND_HELP, commandHelp, fullHelp, type CommandHelp } from './command-help.js';
import { daemonCommand, statusCommand, stopCommand } from './commands/core.js';
import { withNotFoundHint } from './not-found-hint.js';
import { closest } from './suggest.js';
import { HelpRequested } from './args.js';
import { approvalsCommand } from './commands/approvals.js';
import { clientCommand } from './commands/client.js';
import { claudeCommand, clientsCommand } from './commands/clients.js';
import { guardCommand } from './commands/guard.js';
import { labelCommand } from './commands/label.js';
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
import { ControlClient } from './control-client.js';

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

/**
 * Whether help is asked for where no option value can be (`server --help`, `server add -h`);
 * elsewhere the parse layer finds it (HelpRequested), so `--arg -h` stays a value.
 */
function asksForHelp(args: readonly string[]): boolean {
  return args.slice(0, 2).some((arg) => arg === '--help' || arg === '-h');
}

/** Refuses a mistyped command, or a subcommand near a known one, before anything runs, with "did you mean". */
function checkNames(name: string, args: readonly string[]): Command {
  const command = COMMANDS[name];
  if (!command) {
    const near = closest(name, Object.keys(COMMANDS));
    throw new UsageError(`unknown command "${name}"${near === undefined ? '' : ` (did you mean "warden ${near}"?)`}; see: warden --help`);
  }
  const { subcommands, bare }: CommandHelp = COMMAND_HELP[name] ?? { subcommands: [], usage: '' };
  const verb = args[0];
  if (subcommands.length === 0 || subcommands.includes(verb as string) || asksForHelp(args)) return command;
  if (verb === undefined || verb.startsWith('-')) {
    if (bare) return command;
    throw new UsageError(`"${name}" needs one of: ${subcommands.join(', ')}; see: warden ${name} --help`);
  }
  // Only a near miss is refused here: a verb this table does not know yet (one a command has
  // just gained) still reaches the command, which gives its own usage if it does not know it.
  const near = closest(verb, subcommands);
  if (near === undefined) return command;
  throw new UsageError(`unknown command "${name} ${verb}" (did you mean "warden ${name} ${near}"?); see: warden ${name} --help`);
}

async function main(argv: string[]): Promise<number> {
  const { dataDir: explicit, rest } = takeDataDir(argv);
  const [name, ...args] = rest;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((args[0] !== undefined && COMMANDS[args[0]] ? commandHelp(args[0]) : fullHelp()) + '\n');
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = checkNames(name, args);
  if (asksForHelp(args)) {
    process.stdout.write(commandHelp(name) + '\n');
    return 0;
  }
  // Absolute: a core this command starts has its own working directory.
  const dataDir = resolve(resolveDataDir(explicit));
  let control: Promise<ControlClient> | undefined;
  const context: CommandContext = {
    dataDir,
    control: (options) =>
      (control ??= ControlClient.connect(dataDir, new URL('./warden.mjs', import.meta.url), options?.start ?? true)),
    out: (text) => void process.stdout.write(text + '\n'),
  };
  try {
    await command(args, context);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(commandHelp(name) + '\n');
      return 0;
    }
    const connected = control ? await control.catch(() => undefined) : undefined;
    if (error instanceof CliError && !(error instanceof UsageError)) throw new CliError(await withNotFoundHint(error.message, connected), error.exitCode);
    throw error;
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
