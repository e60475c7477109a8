// Before `npm start` builds anything: can the Electron binary run here? One sentence when it
// cannot (no display, no binary and no download, a binary that does not start), naming what
// is missing and the headless way (`npm run daemon`), instead of minutes of rebuilding and
// then Electron's own stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADLESS = '`npm run daemon` runs Warden headless (and `npx warden daemon --web` serves its window to a browser)';

/** How long the one-time download of the binary may take before we give up on it. */
const DOWNLOAD_TIMEOUT_MS = 90_000;

/**
 * The problem that keeps the desktop app from starting, as one sentence, or undefined when
 * Electron can run. `root` is the checkout; `download` fetches the binary (true when it did).
 *
 * @param {{ root: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform, download?: () => boolean }} options
 * @returns {string | undefined}
 */
export function electronProblem({ root, env, platform, download = () => downloadElectron(root) }) {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return `npm start: there is no display (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop app cannot open; ${HEADLESS}.`;
  }
  const electronDir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(electronDir, 'package.json'))) {
    return `npm start: Electron is not installed (node_modules/electron is missing; run npm install); ${HEADLESS}.`;
  }
  let binary = binaryPath(electronDir);
  if (binary === undefined) {
    process.stderr.write('npm start: downloading the Electron binary (once)…\n');
    if (!download() || (binary = binaryPath(electronDir)) === undefined) {
      return `npm start: the Electron binary is missing and could not be downloaded (offline? retry with: node node_modules/electron/install.js); ${HEADLESS}.`;
    }
  }
  const probe = spawnSync(binary, ['-e', 'process.exit(0)'], {
    env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (probe.error || probe.status !== 0) {
    const why = (probe.error?.message ?? probe.stderr ?? '').split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 200) || `it exited with ${probe.status}`;
    return `npm start: the Electron binary cannot run here (${why}); ${HEADLESS}.`;
  }
  return undefined;
}

/** The binary `path.txt` names, when it is there. */
function binaryPath(electronDir) {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

function downloadElectron(root) {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], {
    stdio: ['ignore', 'ignore', 'ignore'],
    timeout: DOWNLOAD_TIMEOUT_MS,
  });
  return result.status === 0;
}
