import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, typed by its JSDoc
import { electronProblem } from '../../../scripts/electron-check.mjs';
import { ROOT } from '../../helpers/warden-harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** A checkout whose node_modules/electron holds `binary` (a shell script) as its executable. */
function checkout(binary?: string): string {
  const root = tempDir('warden-electron-');
  const electron = join(root, 'node_modules', 'electron');
  mkdirSync(join(electron, 'dist'), { recursive: true });
  writeFileSync(join(electron, 'package.json'), '{"name":"electron"}');
  if (binary !== undefined) {
    writeFileSync(join(electron, 'path.txt'), 'electron');
    writeFileSync(join(electron, 'dist', 'electron'), `#!/bin/sh\n${binary}\n`);
    chmodSync(join(electron, 'dist', 'electron'), 0o755);
  }
  return root;
}

const display = { DISPLAY: ':0', PATH: process.env.PATH };
const check = (root: string, env: Record<string, string | undefined> = display, download = (): boolean => false): string | undefined =>
  electronProblem({ root, env, platform: 'linux', download });

describe('electronProblem()', () => {
  it('says there is no display on Linux without DISPLAY or WAYLAND_DISPLAY, and names npm run daemon', () => {
    expect(check(checkout('exit 0'), { PATH: process.env.PATH })).toBe(
      'npm start: there is no display (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop app cannot open; `npm run daemon` runs Warden headless (and `npx warden daemon --web` serves its window to a browser).',
    );
    expect(check(checkout('exit 0'), { WAYLAND_DISPLAY: 'wayland-0', PATH: process.env.PATH })).toBeUndefined();
  });

  it('says the binary is missing when it is not there and the download fails', () => {
    let tried = 0;
    const problem = check(checkout(), display, () => (tried++, false));
    expect(tried).toBe(1);
    expect(problem).toMatch(/^npm start: the Electron binary is missing and could not be downloaded \(offline\? .*`npm run daemon` runs Warden headless/);
  });

  it('quotes why a binary that is there cannot start', () => {
    const problem = check(checkout('echo "error while loading shared libraries: libnss3.so" >&2; exit 127'));
    expect(problem).toBe(
      'npm start: the Electron binary cannot run here (error while loading shared libraries: libnss3.so); `npm run daemon` runs Warden headless (and `npx warden daemon --web` serves its window to a browser).',
    );
  });

  it('finds nothing wrong with a display and a binary that runs', () => {
    expect(check(checkout('exit 0'))).toBeUndefined();
  });
});

describe('npm start (scripts/start.mjs)', () => {
  it('stops at once with the one sentence when there is no display, before building anything', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^npm start: there is no display .*`npm run daemon` runs Warden headless.*\n$/);
  });
});
