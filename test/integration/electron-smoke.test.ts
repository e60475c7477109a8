import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, WardenHarness } from '../helpers/warden-harness.js';

describe('the built desktop bundle, started under Node with a fake electron module', () => {
  const warden = new WardenHarness();

  afterAll(async () => {
    await warden.stop();
  });

  it('starts the core, points at files that exist, builds the tray menu, and quits cleanly through it', async () => {
    const child = spawn(process.execPath, ['-r', join(ROOT, 'test', 'fixtures', 'fake-electron-hook.cjs'), join(ROOT, 'dist', 'electron', 'main.cjs')], {
      env: warden.baseEnv({ FAKE_ELECTRON_EXIT: '1' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 20_000;
    while (!out.includes('\n')) {
      if (Date.now() > deadline) throw new Error(`no report from the bundle: ${out} ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out.startsWith('READY '), `${out}\n${err}`).toBe(true);
    const report = JSON.parse(out.slice('READY '.length)) as {
      menu: string[];
      windows: string[][];
      preload: string;
      preloadExists: boolean;
      iconExists: boolean;
      protocol: string[];
    };
    expect(report.preloadExists).toBe(true);
    expect(report.iconExists).toBe(true);
    expect(report.protocol).toEqual(['app']);
    expect(report.windows).toEqual([['app://warden/index.html#/overview']]);
    expect(report.menu).toEqual(['Pause all tool calls', 'Open Warden', 'separator', 'Start at login', 'Quit MCP Warden']);
    expect(existsSync(join(warden.dataDir, 'warden.sock'))).toBe(true);
    expect(JSON.parse(await warden.ok(['status', '--json'])).vault.description).toBe('OS keychain');

    child.stdin.write('quit\n');
    expect(await exited).toBe(0);
    expect(existsSync(join(warden.dataDir, 'warden.sock'))).toBe(false);
  });

  it('keeps the shim bundle free of heavy modules (no SDK, zod or sqlite)', () => {
    const shim = readFileSync(join(ROOT, 'dist', 'cli', 'stdio.mjs'), 'utf8');
    const imports = [...shim.matchAll(/^import\s.*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(imports.every((name) => name?.startsWith('node:'))).toBe(true);
    expect(shim).not.toMatch(/better-sqlite3|modelcontextprotocol|zod/);
    expect(shim.length).toBeLessThan(40_000);
  });
});
