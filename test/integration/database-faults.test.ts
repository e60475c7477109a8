import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EVERYTHING, WARDEN_BIN, WardenHarness, alive } from '../helpers/warden-harness.js';

/** Runs `warden daemon` to its end and returns its exit code and stderr (it must refuse to start). */
function daemonRefusal(warden: WardenHarness): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [WARDEN_BIN, 'daemon'], { env: warden.baseEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stderr });
    });
  });
}

/** An upstream that appends every line it receives to a file, then passes it to server-everything. */
const RECORDER = `
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
const [record, server] = process.argv.slice(2);
const child = spawn(process.execPath, [server, 'stdio'], { stdio: ['pipe', 'inherit', 'inherit'] });
process.stdin.on('data', (chunk) => { appendFileSync(record, chunk); child.stdin.write(chunk); });
process.stdin.on('end', () => child.stdin.end());
child.on('exit', (code) => process.exit(code ?? 0));
`;

describe('G6: a lost or damaged database stops the start', () => {
  const warden = new WardenHarness();
  const db = join(warden.dataDir, 'warden.db');

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addEverything();
    await warden.ok(['db', 'backup']);
    await warden.ok(['client', 'add', 'claude']);
    // The head file follows within a second of the last write.
    await new Promise((r) => setTimeout(r, 1500));
    await warden.ok(['stop']);
  }, 60_000);
  afterAll(() => warden.stop());

  it('refuses an empty warden.db with one sentence naming the file and the way on', async () => {
    const original = readFileSync(db);
    writeFileSync(db, '');
    const result = await daemonRefusal(warden);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe(
      `warden: Warden will not start: the database ${db} is empty (0 bytes), but Warden wrote an audit log there before; restore the newest backup with: warden db restore --latest (list them with: warden db backups), or start fresh with: warden db reset (both keep the current file aside)\n`,
    );
    expect(readFileSync(db).length).toBe(0);
    writeFileSync(db, original);
  }, 30_000);

  it('refuses a warden.db of garbage bytes', async () => {
    const original = readFileSync(db);
    writeFileSync(db, Buffer.alloc(original.length, 0x41));
    const result = await daemonRefusal(warden);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^warden: Warden will not start: the database .+warden\.db is damaged \(.+\); restore the newest backup with: warden db restore --latest .+\n$/);
    expect(result.stderr.split('\n')).toHaveLength(2);
    writeFileSync(db, original);
  }, 30_000);

  it('refuses a deleted warden.db instead of starting fresh, and restores the latest backup', async () => {
    const original = readFileSync(db);
    const { rmSync } = await import('node:fs');
    rmSync(db);
    const result = await daemonRefusal(warden);
    expect(result.stderr).toMatch(/is missing, but Warden wrote an audit log there before/);
    expect(existsSync(db)).toBe(false);

    const listed = JSON.parse(await warden.ok(['db', 'backups', '--json'])) as Array<{ kind: string }>;
    expect(listed.map((b) => b.kind)).toEqual(expect.arrayContaining(['daily', 'manual']));
    const restored = await warden.ok(['db', 'restore', '--latest']);
    expect(restored).toMatch(/^restored the database from .+backups.+\.db; the replaced files are kept as .+audit-head-replaced-.+\.json/);
    await warden.startDaemon();
    expect(await warden.ok(['server', 'list'])).toMatch(/everything/);
    expect(await warden.ok(['log', 'verify'])).toMatch(/^the audit log verifies/);
    const refused = await warden.cli(['db', 'restore', '--latest']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^warden: Warden is already running for this data dir \(pid \d+\); stop it first with: warden stop\n$/);
    await warden.ok(['stop']);
    writeFileSync(db, original);
  }, 60_000);
});

describe('G5: a full disk refuses calls, forwards none unlogged, and recovers', () => {
  const warden = new WardenHarness();
  const limitFile = join(warden.dataDir, 'test-db-limit');
  const record = join(warden.dataDir, 'upstream-received.jsonl');
  let client: Client;

  beforeAll(async () => {
    await warden.startDaemon({ WARDEN_TEST_DB_LIMIT_FILE: limitFile });
    const recorder = join(warden.dataDir, 'recorder.mjs');
    writeFileSync(recorder, RECORDER);
    await warden.ok(['server', 'add', 'rec', '--command', process.execPath, '--arg', recorder, '--arg', record, '--arg', EVERYTHING, '--default-action', 'allow']);
    client = await warden.connect('rec', await warden.clientKey('claude'));
  }, 60_000);
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await warden.stop();
  });

  const received = (): number => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter((line) => line.includes('"tools/call"')).length : 0);
  const echo = (text: string) => client.callTool({ name: 'echo', arguments: { message: text } }, undefined, { timeout: 5000 });

  it('forwards no call while full, stays up, and works again when space returns', async () => {
    let answered = 0;
    let refusedCount = 0;
    const refusals: string[] = [];
    const attempt = async (text: string): Promise<boolean> => {
      try {
        await echo(text);
        answered++;
        return true;
      } catch (error) {
        refusedCount++;
        refusals.push((error as Error).message);
        return false;
      }
    };
    expect(await attempt('before')).toBe(true);
    writeFileSync(limitFile, 'full');
    await new Promise((r) => setTimeout(r, 1500));
    const big = 'x'.repeat(1500);
    for (let i = 0; i < 400 && refusedCount === 0; i++) await attempt(`filling ${i} ${big}`);
    expect(refusedCount).toBe(1);
    for (let i = 0; i < 2; i++) expect(await attempt(`while full ${i} ${big}`)).toBe(false);
    // Each refused call is answered at once, in words, instead of timing out.
    expect(refusals).toHaveLength(3);
    for (const message of refusals) expect(message).toContain('Warden could not write its audit log (the disk is full); the call was not made');
    // The upstream received exactly the calls that were answered: none of the refused ones.
    expect(received()).toBe(answered);

    const status = JSON.parse(await warden.ok(['status', '--json'])) as { pid: number };
    expect(alive(status.pid)).toBe(true);

    writeFileSync(limitFile, 'none');
    await new Promise((r) => setTimeout(r, 1500));
    const after = await echo('after');
    expect(JSON.stringify(after.content)).toContain('after');
    expect(received()).toBe(answered + 1);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await warden.ok(['log', 'verify'])).toMatch(/^the audit log verifies/);
    expect(alive(status.pid)).toBe(true);
  }, 120_000);
});
