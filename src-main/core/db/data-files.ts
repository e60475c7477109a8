import { join } from 'node:path';

/**
 * The files of the database in a data dir. Kept here (not in paths.ts) because only the
 * database, its backups and the offline restore use them.
 */

/** The SQLite database. */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'warden.db');
}

/** The audit log's signed head, kept outside the database so losing the whole log shows. */
export function headFilePath(dataDir: string): string {
  return join(dataDir, 'audit-head.json');
}

/** The folder of automatic and manual backups (0700, files 0600). */
export function backupsPath(dataDir: string): string {
  return join(dataDir, 'backups');
}

/** A timestamp for file names that sorts as it reads: 20260102T030405123Z. */
export function fileStamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:.]/g, '');
}
