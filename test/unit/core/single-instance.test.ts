import { spawn } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir.js';
import { acquireLock } from '../../../src-main/core/single-instance.js';

const dir = (): string => tempDir('warden-lock-');

/** A pid no process holds: one past the highest the kernel hands out is never alive. */
const DEAD_PID = 4_194_304 + 1;

describe('acquireLock()', () => {
  it('refuses a lock held by a live process, naming its pid', () => {
    const file = join(dir(), 'warden.lock');
    const release = acquireLock(file);
    writeFileSync(file, String(process.ppid));
    expect(() => acquireLock(file)).toThrow(`Warden is already running for this data dir (pid ${process.ppid})`);
    writeFileSync(file, String(process.pid));
    release();
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a lock left by a process that is gone, and clears an old takeover guard', () => {
    const file = join(dir(), 'warden.lock');
    writeFileSync(file, String(DEAD_PID));
    writeFileSync(`${file}.takeover`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.takeover`, old, old);
    const release = acquireLock(file);
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
    expect(existsSync(`${file}.takeover`)).toBe(false);
    release();
  });

  it('leaves a stale lock to a core that is taking it over right now', () => {
    const file = join(dir(), 'warden.lock');
    writeFileSync(file, String(DEAD_PID));
    writeFileSync(`${file}.takeover`, '');
    expect(() => acquireLock(file)).toThrow('another Warden core is starting for this data dir');
    expect(readFileSync(file, 'utf8')).toBe(String(DEAD_PID));
  });

  it('leaves an empty lock to the core that has just created it, and takes over an old one', () => {
    const file = join(dir(), 'warden.lock');
    writeFileSync(file, '');
    expect(() => acquireLock(file)).toThrow('another Warden core is starting for this data dir');
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    acquireLock(file)();
  });
});

describe('acquireLock() across processes', () => {
  let script: string;
  beforeAll(async () => {
    script = join(dir(), 'lock.mjs');
    await build({
      stdin: {
        contents: `import { acquireLock } from './src-main/core/single-instance.ts';
          const file = process.argv[2];
          const start = Number(process.argv[3]);
          while (Date.now() < start);
          try { const release = acquireLock(file); console.log('won'); setTimeout(release, 800); }
          catch (error) { console.log(error.message); }`,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
  });

  it('lets exactly one of many cores starting at once take over a stale lock', async () => {
    for (let round = 0; round < 3; round++) {
      const file = join(dir(), 'warden.lock');
      writeFileSync(file, String(DEAD_PID));
      const start = Date.now() + 400;
      const outputs = await Promise.all(
        Array.from({ length: 6 }, () => new Promise<string>((resolve) => {
          const child = spawn(process.execPath, [script, file, String(start)], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.on('close', () => resolve(out.trim()));
        })),
      );
      expect(outputs.filter((line) => line === 'won')).toHaveLength(1);
      for (const line of outputs.filter((line) => line !== 'won')) {
        expect(line).toMatch(/^(Warden is already running for this data dir \(pid \d+\)|another Warden core is starting for this data dir)$/);
      }
    }
  }, 20_000);
});
