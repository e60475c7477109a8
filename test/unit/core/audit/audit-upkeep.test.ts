import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readHeadFile, writeHeadFile } from '../../../../src-main/core/audit/audit-head-file.js';
import { AuditLog } from '../../../../src-main/core/audit/audit-log.js';
import { startUpkeep } from '../../../../src-main/core/audit/audit-upkeep.js';
import { listBackups } from '../../../../src-main/core/db/backups.js';
import { CallStore } from '../../../../src-main/core/db/call-store.js';
import { backupsPath, databasePath, headFilePath } from '../../../../src-main/core/db/data-files.js';
import { openDatabase } from '../../../../src-main/core/db/database.js';
import { SettingsStore } from '../../../../src-main/core/db/settings-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the condition never held');
    await sleep(50);
  }
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'warden-upkeep-'));
  dirs.push(dir);
  const db = openDatabase(databasePath(dir));
  const settings = new SettingsStore(db);
  const audit = new AuditLog(new CallStore(db), settings, Buffer.alloc(32, 1));
  const notes: string[] = [];
  const limitFile = join(dir, 'limit');
  const upkeep = startUpkeep({ db, audit, settings, dataDir: dir, now: Date.now, note: (line) => notes.push(line), testLimitFile: limitFile });
  const row = (i: number) => ({ ts: i, session: 's', client: 'c', server: 'v', method: 'tools/call', target: 't', arguments: 'x'.repeat(3000), decision: 'allow', reason: 'r', reasonMeta: null });
  return { dir, db, audit, notes, limitFile, upkeep, row };
}

describe('audit-head.json', () => {
  it('is written atomically, 0600, and read back; anything else reads as unreadable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-head-'));
    dirs.push(dir);
    const path = join(dir, 'audit-head.json');
    expect(readHeadFile(path)).toEqual({ state: 'absent' });
    writeHeadFile(path, { id: 7, mac: 'm', tag: 't' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readHeadFile(path)).toEqual({ state: 'present', head: { id: 7, mac: 'm', tag: 't' } });
    for (const junk of ['', '{"id":"7"}', 'x'.repeat(10_000), '[]']) {
      writeFileSync(path, junk);
      expect(readHeadFile(path)).toEqual({ state: 'unreadable' });
    }
  });
});

describe('G5: the database timers survive a full disk', () => {
  it('keeps the head file and a daily backup, reports a full disk once, and says when it works again', async () => {
    const { dir, db, audit, notes, limitFile, upkeep, row } = setup();
    await until(() => listBackups(backupsPath(dir)).some((b) => b.kind === 'daily'));
    audit.batch(() => audit.begin(row(1)));
    await until(() => readHeadFile(headFilePath(dir)).state === 'present' && JSON.parse(readFileSync(headFilePath(dir), 'utf8')).id === 1);

    writeFileSync(limitFile, 'full');
    await sleep(1500);
    let full = false;
    for (let i = 2; i < 5000 && !full; i++) {
      try {
        audit.batch(() => audit.end(audit.begin(row(i)), { outcome: 'ok', error: 'e'.repeat(20_000), durationMs: 1, resultBytes: 1, notes: null }));
      } catch {
        full = true;
      }
    }
    expect(full).toBe(true);
    // An outcome far larger than any free space left: it waits in the queue.
    audit.end(1, { outcome: 'ok', error: 'e'.repeat(400_000), durationMs: 1, resultBytes: 1, notes: null });
    await sleep(2500);
    expect(audit.query(1, 0)[0]?.outcome).toBe('pending');
    const failures = notes.filter((line) => /failed \(the disk is full\)/.test(line));
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures).size).toBe(failures.length);

    writeFileSync(limitFile, 'none');
    await until(() => notes.some((line) => /works again/.test(line)));
    await upkeep.close();
    expect(readHeadFile(headFilePath(dir))).toMatchObject({ state: 'present', head: { id: audit.head().id } });
    expect(audit.verify()).toMatchObject({ ok: true });
    expect(audit.query(10_000).every((r) => r.outcome !== 'pending')).toBe(true);
    db.close();
  }, 30_000);
});
