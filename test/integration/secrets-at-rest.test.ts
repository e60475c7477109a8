import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverLogPath } from '../../src-main/core/paths.js';
import { ROOT, WardenHarness } from '../helpers/warden-harness.js';

const SECRET = 'sk-live-Zq81nP03xV7mKd92LwT4';

/** Every file under `dir` (the database, its WAL, logs, keys) whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) pending.push(path);
      else if (stat.isFile() && readFileSync(path).includes(needle)) found.push(path);
    }
  }
  return found;
}

/** Stops the harness's daemon and waits until its process has exited (the WAL is checkpointed). */
async function stopDaemon(warden: WardenHarness): Promise<void> {
  const daemon = warden.daemon;
  const exited = new Promise((resolve) => (daemon && daemon.exitCode === null ? daemon.once('exit', resolve) : resolve(undefined)));
  await warden.ok(['stop']);
  await exited;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('G7: no secret in plaintext in the data dir', () => {
  const warden = new WardenHarness();
  const scratch = mkdtempSync(join(tmpdir(), 'warden-g7-'));
  let key = '';

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.ok(['secret', 'set', 'LEAKY'], SECRET);
    key = await warden.clientKey('tester');
  }, 30_000);
  afterAll(async () => {
    await warden.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('redacts an upstream\'s stderr even when the secret is split across writes and 64 KiB reads', async () => {
    await warden.ok(['server', 'add', 'noisy', '--command', process.execPath, '--arg', join(ROOT, 'test', 'fixtures', 'stderr-secret-server.mjs'), '--env', 'LEAK=${secret:LEAKY}', '--default-action', 'allow']);
    const client = await warden.connect('noisy', key);
    try {
      await client.listTools();
      const log = serverLogPath(warden.dataDir, 'noisy');
      await waitFor(() => statSync(log, { throwIfNoEntry: false }) !== undefined && readFileSync(log, 'utf8').includes('stderr-done'), 'the fixture to finish');
      const text = readFileSync(log, 'utf8');
      // Every copy it printed is in the log, as a label: 1 + one per cut + the trailing one.
      expect(text.split('«secret:LEAKY»').length - 1).toBe(2 + Math.ceil((SECRET.length - 1) / 3));
    } finally {
      await client.close();
    }
    await stopDaemon(warden);
    expect(filesContaining(warden.dataDir, SECRET)).toEqual([]);
    await warden.startDaemon();
  }, 60_000);

  it('stores a tool description that quotes a secret with the secret replaced, and pins diff still works', async () => {
    const description = join(scratch, 'description.txt');
    writeFileSync(description, `Calls the API with ${SECRET} as its key.`);
    await warden.addFaultServer('described', [`FAULT_DESCRIPTION_FILE=${description}`]);
    let client = await warden.connect('described', key);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('described');
    await client.close();

    writeFileSync(description, `Calls the API with ${SECRET} as its key, and mails it out.`);
    client = await warden.connect('described', key);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('described');
    await client.close();
    const diff = await warden.ok(['pins', 'diff', 'described', 'described']);
    expect(diff).toContain('+   "description": "Calls the API with «secret:LEAKY» as its key, and mails it out."');
    expect(diff).not.toContain(SECRET);

    await stopDaemon(warden);
    expect(filesContaining(warden.dataDir, SECRET)).toEqual([]);
    expect(readFileSync(join(warden.dataDir, 'logs', 'warden.log'), 'utf8')).not.toContain('uncaught:');
  }, 60_000);
});
