/**
 * Connecting to the Warden core, starting it first when it is not running. Shared by the shim
 * and the CLI; Node built-ins only.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './cli-error.js';

const START_TIMEOUT_MS = 10_000;

/** Connects to `path`; when nothing listens there, starts `warden daemon` and retries for 10 s. */
export async function connectOrStart(dataDir: string, path: string, wardenScript: URL): Promise<Socket> {
  try {
    return await tryConnect(path);
  } catch (error) {
    if (!isAbsent(error)) throw new CliError(`cannot reach the Warden core at ${path}: ${(error as Error).message}`);
  }
  startDaemon(dataDir, fileURLToPath(wardenScript));
  const deadline = Date.now() + START_TIMEOUT_MS;
  let wait = 25;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      return await tryConnect(path);
    } catch (error) {
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

function tryConnect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
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
 */
function startDaemon(dataDir: string, wardenScript: string): void {
  const env = { ...process.env };
  delete env.WARDEN_CLIENT_KEY;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [wardenScript, 'daemon', '--data-dir', dataDir], {
    detached: true,
    stdio: 'ignore',
    env,
    windowsHide: true,
  });
  child.on('error', () => undefined);
  child.unref();
}
