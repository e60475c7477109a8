import { WardenError } from '../../core/errors/warden-error.js';
import { daemonLogPath, socketPath } from '../../core/paths.js';
import { runDaemon, type DaemonReady } from '../../core/run-daemon.js';
import { CappedLog } from '../../core/upstream/capped-log.js';
import { CliError, CoreNotRunningError, EXIT_ALREADY_RUNNING, UsageError } from '../cli-error.js';
import { parse, type Command } from '../context.js';
import { printFlowGroups } from './label.js';
import { legStatusLines } from './leg-status.js';

/**
 * `warden status [--json]`: whether the core runs, where, and whether it is paused. It never
 * starts a core; when none runs it says so (with --json, as `{"running":false,…}` on stdout)
 * and exits 1.
 */
export const statusCommand: Command = async (argv, context) => {
  const { values } = parse(argv, { json: { type: 'boolean' } }, 'warden status [--json]');
  let control;
  try {
    control = await context.control({ start: false });
  } catch (error) {
    if (error instanceof CoreNotRunningError && values.json) {
      context.out(JSON.stringify({ running: false, dataDir: context.dataDir, socket: socketPath(context.dataDir) }));
    }
    throw error;
  }
  const [status, { settings }, { sessions: aggregated }, { groups }] = await Promise.all([
    control.call('status', {}),
    control.call('settings.get', {}),
    control.call('sessions.aggregated', {}),
    control.call('flow.groups', {}),
  ]);
  if (values.json) return context.out(JSON.stringify({ running: true, paused: settings.paused, ...status, aggregated, flowGroups: groups }));
  context.out(
    [`Warden ${status.version} is running (pid ${status.pid}); data dir ${status.dataDir}; ${status.servers} server(s), ${status.sessions} session(s)`, ...legStatusLines(aggregated)].join('\n'),
  );
  context.out(settings.paused ? 'PAUSED: every call is refused until: warden resume' : 'not paused: calls are decided by the rules');
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

/** `warden stop`: stops the running core and returns once its process has exited (at most 10 s). */
export const stopCommand: Command = async (argv, context) => {
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

/** The one line `warden daemon` prints once it listens. */
export function readyLine(ready: DaemonReady): string {
  const web = ready.webUrl === undefined ? '' : `; MCP Warden window: ${ready.webUrl}`;
  return `Warden core running: data dir ${ready.dataDir}; socket ${ready.socket}${web}`;
}

/**
 * `warden daemon [--web [--port N]] [--http-port N]`: runs the core in this process until stopped. A data dir
 * another core serves is refused with one line and exit code 3 (a CLI or shim that started
 * this one then uses the other).
 */
export const daemonCommand: Command = async (argv, context) => {
  const { values } = parse(argv, { web: { type: 'boolean' }, port: { type: 'string' }, 'http-port': { type: 'string' } }, 'warden daemon [--web [--port N]] [--http-port N]');
  const httpPort = values['http-port'] === undefined ? undefined : Number(values['http-port']);
  if (httpPort !== undefined && (!/^\d+$/.test(values['http-port'] as string) || httpPort > 65535)) throw new UsageError('--http-port takes a port number (0 picks a free one)');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number (0 picks a free one)');
  if (values.port !== undefined && !values.web) throw new UsageError('--port goes with --web');
  const echo = process.stderr.isTTY ? (line: string): void => void process.stderr.write(line + '\n') : undefined;
  try {
    await runDaemon(context.dataDir, echo, values.web ? { port } : undefined, (ready) => context.out(readyLine(ready)), httpPort);
    // Everything is closed by now; a stdio handle (stderr as a socket) must not keep a
    // stopped daemon alive.
    process.exit(0);
  } catch (error) {
    if (error instanceof WardenError && error.code === 'conflict') {
      throw new CliError(`${error.message}; use it (warden status), or stop it first (warden stop)`, EXIT_ALREADY_RUNNING);
    }
    const log = new CappedLog(daemonLogPath(context.dataDir));
    log.write(`[${new Date().toISOString()}] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    log.close();
    throw error;
  }
};
