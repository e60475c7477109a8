/**
 * Where Warden keeps its files. Kept free of heavy imports: the shim bundles this file.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** The product name, which is also Electron's userData folder name. */
export const APP_NAME = 'MCP Warden';

/**
 * The data dir: `--data-dir`, else `WARDEN_HOME`, else the folder Electron uses as userData
 * for this app, so the desktop app and `warden daemon` share one data dir.
 */
export function resolveDataDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.WARDEN_HOME) return env.WARDEN_HOME;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

/** Unix socket paths longer than this fail to bind on macOS (104 bytes with the NUL). */
const MAX_SOCKET_PATH = 100;

/**
 * The local endpoint shims and the CLI connect to. On Windows a per-user named pipe; elsewhere
 * `warden.sock` in the data dir, or, when that path is too long for a Unix socket, a socket in
 * a per-user 0700 folder under the temp dir named after a hash of the data dir.
 */
export function socketPath(dataDir: string): string {
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  if (process.platform === 'win32') {
    return `\\\\.\\pipe\\mcp-warden-${userInfo().username}-${digest}`;
  }
  const inDataDir = join(dataDir, 'warden.sock');
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH) return inDataDir;
  return join(shortSocketDir(), `${digest}.sock`);
}

/** The per-user folder for sockets whose data-dir path is too long. */
export function shortSocketDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : userInfo().username;
  return join(tmpdir(), `mcp-warden-${uid}`);
}

/**
 * Why the folder holding `socket` must not be used, or undefined when it may. Only the shared
 * temp folder ({@link shortSocketDir}) is checked, since anyone may create it first: it must be
 * a real directory (not a symlink), owned by this user, with mode 0700 exactly, or another
 * user could have taken over the socket. A folder that does not exist yet is fine here: the
 * core creates it ({@link prepareSocketDir}). The shim and the CLI call this before connecting.
 */
export function socketDirProblem(socket: string): string | undefined {
  const dir = dirname(socket);
  if (process.platform === 'win32' || dir !== shortSocketDir()) return undefined;
  let stat;
  try {
    stat = lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return refusal(dir, `it cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (stat.isSymbolicLink()) return refusal(dir, 'it is a symbolic link');
  if (!stat.isDirectory()) return refusal(dir, 'it is not a directory');
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return refusal(dir, `it belongs to user id ${stat.uid}, not to you`);
  if ((stat.mode & 0o777) !== 0o700) return refusal(dir, `its mode is ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, not 0700`);
  return undefined;
}

/**
 * Makes the folder for the core's socket (mode 0700) when it is the shared temp folder and
 * absent, then checks it as {@link socketDirProblem} does; returns the refusal, if any.
 */
export function prepareSocketDir(socket: string): string | undefined {
  const dir = dirname(socket);
  if (process.platform !== 'win32' && dir === shortSocketDir()) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return refusal(dir, `it cannot be created: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return socketDirProblem(socket);
}

function refusal(dir: string, why: string): string {
  return `Warden refuses the socket folder ${dir}: ${why}, so another user could take over the connection; remove it (rm -rf "${dir}") or use a shorter data dir path (WARDEN_HOME), then try again`;
}

/** The file holding the admin token the CLI presents. */
export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin.token');
}

/** The lock file that keeps one core per data dir. */
export function lockPath(dataDir: string): string {
  return join(dataDir, 'warden.lock');
}

/** The core's own log (start-up, failed hellos, upstream crashes); never holds secrets. */
export function daemonLogPath(dataDir: string): string {
  return join(dataDir, 'logs', 'warden.log');
}

/** The stderr capture of one upstream server. */
export function serverLogPath(dataDir: string, server: string): string {
  return join(dataDir, 'logs', `server-${server}.log`);
}
