import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './database.js';
import { fileStamp } from './data-files.js';

/** How many backups of each kind are kept; the oldest beyond go. */
export const BACKUP_GENERATIONS = 5;

/** `daily`: the hourly check found none from the last day; `manual`: `warden db backup`; `migration`: before a schema change. */
export type BackupKind = 'daily' | 'manual' | 'migration';

/** One backup file. Backups are copies of the database: ciphertexts and hashes, no plaintext secret. */
export interface BackupInfo {
  name: string;
  path: string;
  kind: BackupKind;
  /** When it was taken (ms since the epoch), from its name. */
  createdAt: number;
  bytes: number;
}

const NAME = /^warden-(\d{8})T(\d{6})(\d{3})Z-(daily|manual|migration)(?:-schema\d+)?(?:-\d+)?\.db$/;

/**
 * Copies the open database into `dir` with SQLite's online backup API: a consistent snapshot,
 * taken in steps so calls go on meanwhile. Written under a temporary name and renamed once
 * complete and fsynced, 0600 in a 0700 folder; then the oldest of its kind beyond
 * {@link BACKUP_GENERATIONS} are removed.
 */
export async function backupDatabase(db: Db, dir: string, kind: Exclude<BackupKind, 'migration'>, at: number): Promise<BackupInfo> {
  const target = prepare(dir, kind, at);
  const temp = `${target}.partial`;
  try {
    await db.backup(temp);
    return finish(temp, target, dir, kind);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Copies the database before migration `fromSchema` changes it (synchronously: nothing else
 * runs yet at start), with `VACUUM INTO`, another consistent-snapshot copy.
 */
export function backupBeforeMigration(db: Db, dir: string, fromSchema: number, at: number): BackupInfo {
  const target = prepare(dir, 'migration', at, `-schema${fromSchema}`);
  const temp = `${target}.partial`;
  try {
    db.prepare('VACUUM INTO ?').run(temp);
    return finish(temp, target, dir, 'migration');
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The backups in `dir`, newest first; files that are not Warden backups are ignored. */
export function listBackups(dir: string): BackupInfo[] {
  if (!existsSync(dir)) return [];
  const found: BackupInfo[] = [];
  for (const name of readdirSync(dir)) {
    const match = NAME.exec(name);
    if (!match) continue;
    const [, day, time, ms, kind] = match as unknown as [string, string, string, string, BackupKind];
    const createdAt = Date.parse(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}.${ms}Z`);
    const path = join(dir, name);
    found.push({ name, path, kind, createdAt, bytes: statSync(path).size });
  }
  return found.sort((a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name));
}

function prepare(dir: string, kind: BackupKind, at: number, detail = ''): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  const base = `warden-${fileStamp(at)}-${kind}${detail}`;
  let target = join(dir, `${base}.db`);
  for (let n = 2; existsSync(target); n++) target = join(dir, `${base}-${n}.db`);
  return target;
}

/** Makes the copy one self-contained file (no WAL beside it), durable, private; then rotates. */
function finish(temp: string, target: string, dir: string, kind: BackupKind): BackupInfo {
  const copy = new Database(temp);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  chmodSync(temp, 0o600);
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, target);
  rotate(dir, kind);
  const info = listBackups(dir).find((backup) => backup.path === target);
  if (!info) throw new Error(`the backup ${target} vanished after it was written`);
  return info;
}

function rotate(dir: string, kind: BackupKind): void {
  const ofKind = listBackups(dir).filter((backup) => backup.kind === kind);
  for (const old of ofKind.slice(BACKUP_GENERATIONS)) rmSync(old.path, { force: true });
}
