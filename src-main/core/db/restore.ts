import Database from 'better-sqlite3';
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { InvalidInputError, NotFoundError } from '../errors/warden-error.js';
import { listBackups, type BackupInfo } from './backups.js';
import { backupsPath, databasePath, fileStamp, headFilePath } from './data-files.js';
import { firstFinding } from './database.js';
import { MIGRATIONS } from './migrations.js';

/** What a restore or reset did: the backup put in place (if any), the files moved aside. */
export interface RestoreResult {
  restored: string | undefined;
  keptAside: string[];
}

/**
 * Puts a backup in place of the data dir's database, offline: the caller holds the data-dir
 * lock, so no core runs. `source` is "latest", a backup's name in the backups folder, or a
 * path. The backup is checked first (a SQLite database that passes `quick_check`, of a schema
 * this Warden knows). The current database, its WAL and the audit head file are moved aside
 * (renamed with a `replaced-<time>` stamp), never deleted; without the head file the next
 * start takes the restored log as it is.
 */
export function restoreDatabase(dataDir: string, source: string, at: number): RestoreResult {
  const backup = findBackup(dataDir, source);
  checkBackup(backup);
  const keptAside = moveAside(dataDir, at);
  const target = databasePath(dataDir);
  const temp = `${target}.restoring`;
  copyFileSync(backup, temp);
  chmodSync(temp, 0o600);
  syncFile(temp);
  renameSync(temp, target);
  syncFile(dataDir);
  return { restored: backup, keptAside };
}

/**
 * Starts the data dir's database afresh, offline (the caller holds the data-dir lock): the
 * current database, its WAL and the audit head file are moved aside, never deleted. Servers,
 * clients, rules and the log start empty at the next start; backups stay.
 */
export function resetDatabase(dataDir: string, at: number): RestoreResult {
  return { restored: undefined, keptAside: moveAside(dataDir, at) };
}

function findBackup(dataDir: string, source: string): string {
  const dir = backupsPath(dataDir);
  if (source === 'latest') {
    const newest: BackupInfo | undefined = listBackups(dir)[0];
    if (!newest) throw new NotFoundError('backup', `latest (there are none in ${dir})`);
    return newest.path;
  }
  const inFolder = join(dir, basename(source));
  if (!isAbsolute(source) && basename(source) === source && existsSync(inFolder)) return inFolder;
  const path = resolve(source);
  if (!existsSync(path)) throw new NotFoundError('backup', source);
  return path;
}

/** Refuses a file that would not start: not a database, damaged, or of an unknown schema. */
function checkBackup(path: string): void {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new InvalidInputError(`${path} cannot be opened as a Warden backup (${(error as Error).message}); pick another with: warden db backups`, { cause: error });
  }
  try {
    const check = firstFinding((db.pragma('quick_check(1)') as Array<{ quick_check: string }>).map((row) => row.quick_check));
    const schema = db.pragma('user_version', { simple: true }) as number;
    if (check !== 'ok') throw new InvalidInputError(`${path} is damaged (SQLite's integrity check says: ${check}); pick another with: warden db backups`);
    if (schema < 1 || schema > MIGRATIONS.length) {
      throw new InvalidInputError(`${path} is not a Warden database this version can use (schema ${schema}); pick another with: warden db backups`);
    }
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(`${path} is not a usable Warden backup (${(error as Error).message}); pick another with: warden db backups`, { cause: error });
  } finally {
    db.close();
  }
}

/** Renames the database files and the head file with a stamp; returns the new paths. */
function moveAside(dataDir: string, at: number): string[] {
  const stamp = fileStamp(at);
  const db = databasePath(dataDir);
  const moves: Array<[string, string]> = [
    // The WAL keeps the name SQLite looks for beside the moved file, so the pair still opens.
    [db, join(dataDir, `warden-replaced-${stamp}.db`)],
    [`${db}-wal`, join(dataDir, `warden-replaced-${stamp}.db-wal`)],
    [headFilePath(dataDir), join(dataDir, `audit-head-replaced-${stamp}.json`)],
  ];
  const kept: string[] = [];
  for (const [from, to] of moves) {
    if (!existsSync(from)) continue;
    renameSync(from, to);
    kept.push(to);
  }
  // Shared memory belongs to the old file's open connections; none remain.
  rmSync(`${db}-shm`, { force: true });
  return kept;
}

function syncFile(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // Directories cannot be fsynced on every platform; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
