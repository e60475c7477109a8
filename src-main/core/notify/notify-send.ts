import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A desktop notification service Warden can post to: `notify-send`, and whether it offers buttons. */
export interface NotifySend {
  path: string;
  /** libnotify 0.7.10 and later: `-A/--action`, waiting for the click and printing its name. */
  actions: boolean;
}

const HELP_TIMEOUT_MS = 3000;
const MAX_HELP_BYTES = 64 * 1024;

/** The first executable `notify-send` on `PATH`, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there or not executable: the next folder.
    }
  }
  return undefined;
}

/**
 * Finds `notify-send` (Linux only) and asks its `--help` once whether it takes actions.
 * Resolves undefined where there is none, or where `--help` fails or does not answer in time.
 */
export function detectNotifySend(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<NotifySend | undefined> {
  if (platform !== 'linux') return Promise.resolve(undefined);
  const path = findOnPath('notify-send', env);
  if (path === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(path, ['--help'], { env, timeout: HELP_TIMEOUT_MS, maxBuffer: MAX_HELP_BYTES }, (error, stdout, stderr) => {
      // A notify-send that cannot even print its help (no display libraries, a broken install) is none.
      if (error) return resolve(undefined);
      const help = `${String(stdout)}\n${String(stderr)}`;
      resolve({ path, actions: /(^|\s)(-A,\s*)?--action\b/m.test(help) });
    });
  });
}
