import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WardenError } from '../errors/warden-error.js';

/** The mark in a backup's name: `<config>.warden-backup-<UTC stamp>[-N]`. */
export const BACKUP_MARK = '.warden-backup-';

/** The file operations listing and removing backups use. */
export type BackupFs = Pick<typeof nodeFs, 'readdirSync' | 'statSync' | 'unlinkSync' | 'chmodSync'>;

/** One backup found beside a client config. */
export interface FoundBackup {
  configPath: string;
  path: string;
  bytes: number;
  /** Permission bits; Warden writes them 0600. */
  mode: number;
  modifiedAt: number;
}

/**
 * The backups Warden wrote beside the config at `configPath`, oldest first; none when the
 * folder is missing. Only regular files whose names carry {@link BACKUP_MARK} after the
 * config's own name count: nothing else in the folder is ever touched.
 */
export function listBackups(configPath: string, fs: BackupFs = nodeFs): FoundBackup[] {
  const prefix = basename(configPath) + BACKUP_MARK;
  let names: string[];
  try {
    names = fs.readdirSync(dirname(configPath));
  } catch {
    return [];
  }
  const found: FoundBackup[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dirname(configPath), name);
    const stat = fs.statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    found.push({ configPath, path, bytes: stat.size, mode: stat.mode & 0o777, modifiedAt: stat.mtimeMs });
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Deletes the given backups; returns the paths removed. A backup already gone is skipped; any
 * other failure stops with a sentence naming the file (those before it stay removed).
 */
export function removeBackups(backups: readonly FoundBackup[], fs: BackupFs = nodeFs): string[] {
  const removed: string[] = [];
  for (const backup of backups) {
    try {
      fs.unlinkSync(backup.path);
      removed.push(backup.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new WardenError('unavailable', `could not remove the backup ${backup.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}; remove it by hand`, { cause: error });
    }
  }
  return removed;
}
