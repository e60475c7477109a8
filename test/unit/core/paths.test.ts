import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareSocketDir, shortSocketDir, socketDirProblem, socketPath } from '../../../src-main/core/paths.js';

describe('G8: the shared socket folder', () => {
  const saved = process.env.TMPDIR;
  const base = tmpdir();
  let root = '';
  let longDataDir = '';
  beforeEach(() => {
    root = mkdtempSync(join(base, 'warden-paths-'));
    process.env.TMPDIR = root;
    longDataDir = join(root, 'x'.repeat(120));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(root, { recursive: true, force: true });
  });

  it('is used for a data dir whose socket path would be too long', () => {
    expect(socketPath(longDataDir).startsWith(shortSocketDir())).toBe(true);
  });

  it('is created 0700 and accepted when absent', () => {
    expect(socketDirProblem(socketPath(longDataDir))).toBeUndefined();
    expect(prepareSocketDir(socketPath(longDataDir))).toBeUndefined();
    expect(lstatSync(shortSocketDir()).mode & 0o777).toBe(0o700);
  });

  it.each([0o777, 0o755, 0o701])('is refused with mode %o', (mode) => {
    mkdirSync(shortSocketDir());
    chmodSync(shortSocketDir(), mode);
    expect(prepareSocketDir(socketPath(longDataDir))).toContain(`its mode is 0${mode.toString(8)}, not 0700`);
    expect(socketDirProblem(socketPath(longDataDir))).toContain(shortSocketDir());
  });

  it('is refused when it is a symbolic link or a file', () => {
    mkdirSync(join(root, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(root, 'elsewhere'), shortSocketDir());
    expect(prepareSocketDir(socketPath(longDataDir))).toContain('it is a symbolic link');
    rmSync(shortSocketDir());
    writeFileSync(shortSocketDir(), '');
    expect(prepareSocketDir(socketPath(longDataDir))).toContain('it is not a directory');
  });

  it('is not checked for a socket inside the data dir', () => {
    expect(socketDirProblem(socketPath(join(root, 'short')))).toBeUndefined();
  });
});
