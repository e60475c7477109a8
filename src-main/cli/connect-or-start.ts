/**
 * Connecting to the Warden core, starting it first when it is not running. Shared by the shim
 * and the CLI; Node built-ins only.
 */
import { spawn } from 'node:child_process';
import { connect, type OnReadOpts, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socketDirProblem } from '../core/paths.js';
import { CliError, CoreNotRunningError, EXIT_ALREADY_RUNNING } from './cli-error.js';

const START_TIMEOUT_MS = 10_000;

/**
 * Connects to `path`; when nothing listens there, starts `warden daemon` and retries for 10 s
 * (or, with `start: false`, reports that the core is not running).
 */
export async function connectOrStart(
  dataDir: string,
  path: string,
  wardenScript: URL,
  start = true,
  onread?: OnReadOpts,
): Promise<Socket> {
  try {
    return await tryConnect(path, onread);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (!isAbsent(error)) throw new CliError(`cannot reach the Warden core at ${path}: ${(error as Error).message}`);
    if (!start) throw new CoreNotRunningError(dataDir);
  }
  const started = startDaemon(dataDir, fileURLToPath(wardenScript));
  const deadline = Date.now() + START_TIMEOUT_MS;
  let wait = 25;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    if (started.failed) {
      throw new CliError(`the Warden core could not start; see ${join(dataDir, 'logs', 'warden.log')}`);
    }
    try {
      return await tryConnect(path, onread);
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (!isAbsent(error)) throw new CliError(`cannot reach the Warden core at ${path}: ${(error as Error).message}`);
      if (Date.now() >= deadline) {
        throw new CliError(
          `the Warden core did not start within 10 s; see ${join(dataDir, 'logs', 'warden.log')} or run: warden daemon`,
        );
      }
      wait = Math.min(wait * 2, 250);
    }
  }
}

function tryConnect(path: string, onread: OnReadOpts | undefined): Promise<Socket> {
  // The core refuses an unsafe socket folder; so do we, before trusting whatever listens there.
  const unsafe = socketDirProblem(path);
  if (unsafe) return Promise.reject(new CliError(unsafe));
  return new Promise((resolve, reject) => {
    const socket = connect(onread ? { path, onread } : { path });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/**
 * Starts the core detached from this process, with this process's environment minus what must
 * not leak into it: the client key, and NODE_OPTIONS (which could inject code into the core).
 * `failed` turns true if it exits with an error; a core that finds another one already
 * running or starting exits with EXIT_ALREADY_RUNNING, and the caller keeps waiting for that one.
 */
function startDaemon(dataDir: string, wardenScript: string): { failed: boolean } {
  const state = { failed: false };
  const env = { ...process.env };
  delete env.WARDEN_CLIENT_KEY;
  delete env.NODE_OPTIONS;
  // Run as the desktop app's Node (ELECTRON_RUN_AS_NODE): start the app itself, in the tray,
  // so the core gets the OS keychain; elsewhere start the headless daemon.
  const asApp = env.ELECTRON_RUN_AS_NODE !== undefined;
  delete env.ELECTRON_RUN_AS_NODE;
  const args = asApp ? [...(env.WARDEN_APP ? [env.WARDEN_APP] : []), '--background'] : [wardenScript, 'daemon', '--data-dir', dataDir];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: 'ignore',
    env,
    windowsHide: true,
  });
  child.on('error', () => {
    state.failed = true;
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== EXIT_ALREADY_RUNNING) state.failed = true;
  });
  child.unref();
  return state;
}
