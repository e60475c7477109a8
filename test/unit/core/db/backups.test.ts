import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKUP_GENERATIONS, backupDatabase, listBackups } from '../../../../src-main/core/db/backups.js';
import { backupsPath, databasePath, headFilePath } from '../../../../src-main/core/db/data-files.js';
import { openDatabase } from '../../../../src-main/core/db/database.js';
import { resetDatabase, restoreDatabase } from '../../../../src-main/core/db/restore.js';
import { ServerStore } from '../../../../src-main/core/db/server-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bak-'));
  dirs.push(dir);
  return dir;
}
const mode = (path: string): number => statSync(path).mode & 0o777;
const addServer = (db: Database.Database, name: string): void =>
  void new ServerStore(db).add(name, { kind: 'stdio', config: { command: 'node', args: [], env: {} } } as never, 'ask', 1);
const serverNames = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT name FROM servers ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
};

describe('G6: automatic backups', () => {
  it('copies the open database into a 0600 file in a 0700 folder, one self-contained file', async () => {
    const dir = dataDir();
    const db = openDatabase(databasePath(dir));
    addServer(db, 'github');
    const backup = await backupDatabase(db, backupsPath(dir), 'manual', Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    db.close();
    expect(backup).toMatchObject({ name: 'warden-20260102T030405006Z-manual.db', kind: 'manual', createdAt: Date.UTC(2026, 0, 2, 3, 4, 5, 6) });
    expect(mode(backup.path)).toBe(0o600);
    expect(mode(backupsPath(dir))).toBe(0o700);
    expect(existsSync(`${backup.path}-wal`)).toBe(false);
    expect(serverNames(backup.path)).toEqual(['github']);
  });

  it(`keeps the newest ${BACKUP_GENERATIONS} of each kind`, async () => {
    const dir = dataDir();
    const db = openDatabase(databasePath(dir));
    for (let day = 1; day <= 7; day++) await backupDatabase(db, backupsPath(dir), 'daily', Date.UTC(2026, 0, day));
    await backupDatabase(db, backupsPath(dir), 'manual', Date.UTC(2026, 0, 1));
    db.close();
    const backups = listBackups(backupsPath(dir));
    expect(backups.filter((b) => b.kind === 'daily').map((b) => new Date(b.createdAt).getUTCDate())).toEqual([7, 6, 5, 4, 3]);
    expect(backups.filter((b) => b.kind === 'manual')).toHaveLength(1);
  });
});

describe('G6: restore', () => {
  async function withBackup() {
    const dir = dataDir();
    const db = openDatabase(databasePath(dir));
    addServer(db, 'before');
    const backup = await backupDatabase(db, backupsPath(dir), 'daily', Date.UTC(2026, 0, 1));
    addServer(db, 'after');
    db.close();
    writeFileSync(headFilePath(dir), '{"id":9,"mac":"m","tag":"t"}\n');
    return { dir, backup };
  }

  it('puts the latest backup in place and keeps the replaced database and head file aside', async () => {
    const { dir } = await withBackup();
    const result = restoreDatabase(dir, 'latest', Date.UTC(2026, 5, 1));
    expect(serverNames(databasePath(dir))).toEqual(['before']);
    expect(mode(databasePath(dir))).toBe(0o600);
    expect(existsSync(headFilePath(dir))).toBe(false);
    expect(result.keptAside).toEqual(expect.arrayContaining([join(dir, 'warden-replaced-20260601T000000000Z.db'), join(dir, 'audit-head-replaced-20260601T000000000Z.json')]));
    expect(serverNames(join(dir, 'warden-replaced-20260601T000000000Z.db'))).toEqual(['after', 'before']);
    const reopened = openDatabase(databasePath(dir), undefined, { mustExist: true });
    expect(new ServerStore(reopened).list().map((s) => s.name)).toEqual(['before']);
    reopened.close();
  });

  it('restores a backup named by its file name', async () => {
    const { dir, backup } = await withBackup();
    expect(restoreDatabase(dir, backup.name, Date.now()).restored).toBe(backup.path);
  });

  it('refuses a damaged backup and changes nothing', async () => {
    const { dir } = await withBackup();
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, 'not a database at all, just text that goes on for a while');
    const before = readFileSync(databasePath(dir));
    expect(() => restoreDatabase(dir, bad, Date.now())).toThrow(/bad\.db (cannot be opened as a Warden backup|is not a usable Warden backup)/);
    expect(readFileSync(databasePath(dir)).equals(before)).toBe(true);
    expect(existsSync(headFilePath(dir))).toBe(true);
  });

  it('says so when there is no backup', () => {
    expect(() => restoreDatabase(dataDir(), 'latest', Date.now())).toThrow(/there are none in/);
  });

  it('resets to an empty database, keeping the old one aside', async () => {
    const { dir } = await withBackup();
    const { keptAside } = resetDatabase(dir, Date.UTC(2026, 5, 1));
    expect(existsSync(databasePath(dir))).toBe(false);
    expect(keptAside).toHaveLength(2);
    const fresh = openDatabase(databasePath(dir));
    expect(new ServerStore(fresh).list()).toEqual([]);
    fresh.close();
  });
});
