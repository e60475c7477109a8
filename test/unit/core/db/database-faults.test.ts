import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src-main/core/db/database.js';
import { DamagedDatabaseError } from '../../../../src-main/core/errors/database-error.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-dbf-'));
  dirs.push(dir);
  return join(dir, 'warden.db');
}

/** A database with enough rows to span many pages, closed cleanly (WAL folded in). */
function populated(): string {
  const path = file();
  const db = openDatabase(path);
  const insert = db.prepare("INSERT INTO calls (ts, session, client, server, method, outcome, arguments) VALUES (?, 's', 'c', 'v', 'tools/call', 'ok', ?)");
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(i, 'a'.repeat(300));
  })();
  db.close();
  return path;
}

function refusal(path: string): string {
  try {
    openDatabase(path, undefined, { mustExist: true }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(DamagedDatabaseError);
    return (error as Error).message;
  }
  throw new Error('the database opened');
}

describe('G6: a damaged database stops the start with a sentence', () => {
  it('refuses an empty file when a log existed, naming the file and the way on, and writes nothing', () => {
    const path = file();
    writeFileSync(path, '');
    const message = refusal(path);
    expect(message).toBe(
      `Warden will not start: the database ${path} is empty (0 bytes), but Warden wrote an audit log there before; restore the newest backup with: warden db restore --latest (list them with: warden db backups), or start fresh with: warden db reset (both keep the current file aside)`,
    );
    expect(statSync(path).size).toBe(0);
  });

  it('refuses a missing file when a log existed', () => {
    expect(refusal(file())).toMatch(/is missing, but Warden wrote an audit log there before; restore/);
  });

  it('refuses a file of garbage bytes', () => {
    const path = file();
    writeFileSync(path, Buffer.alloc(64 * 1024, 0x5a));
    expect(refusal(path)).toMatch(new RegExp(`the database ${path} is damaged \\(it is not a SQLite database, or its pages are broken\\); restore`));
    expect(readFileSync(path).every((byte) => byte === 0x5a)).toBe(true);
  });

  it('refuses a truncated file', () => {
    const path = populated();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expect(refusal(path)).toMatch(/is damaged \(.+\); restore the newest backup/);
  });

  it('refuses a file whose pages fail the integrity check', () => {
    const path = populated();
    const bytes = readFileSync(path);
    // Scribble over interior b-tree pages (past the schema page), keeping the header valid.
    for (let page = 3; page < 40; page += 3) bytes.fill(0xff, page * 4096 + 8, page * 4096 + 200);
    writeFileSync(path, bytes);
    const message = refusal(path);
    expect(message).toMatch(/is damaged \(SQLite's integrity check says: [^\n]+\); restore the newest backup with: warden db restore --latest/);
    expect(message).not.toContain('\n');
  });

  it('opens an intact database that had a log', () => {
    const path = populated();
    const db = openDatabase(path, undefined, { mustExist: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n).toBe(2000);
    db.close();
  });

  it('refuses a database another program holds, in a sentence', () => {
    const path = populated();
    const holder = new Database(path);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      expect(() => openDatabase(path)).toThrow(/cannot open the Warden database at .+: the database is in use by another program/);
    } finally {
      holder.close();
    }
  }, 20_000);
});
