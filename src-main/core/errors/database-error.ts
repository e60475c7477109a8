import { WardenError } from './warden-error.js';

/** The database cannot be used as it is (newer schema, corrupt file, locked). */
export class DatabaseError extends WardenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
    this.name = 'DatabaseError';
  }
}

/** What to do about a database that cannot be used, for the end of a refusal sentence. */
export const DATABASE_WAY_ON =
  'restore the newest backup with: warden db restore --latest (list them with: warden db backups), or start fresh with: warden db reset (both keep the current file aside)';

/**
 * The refusal to start on a database that is missing, empty or damaged: one sentence that names
 * the file, what is wrong with it, and the way on.
 */
export class DamagedDatabaseError extends DatabaseError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`Warden will not start: the database ${file} ${problem}; ${DATABASE_WAY_ON}`, options);
    this.name = 'DamagedDatabaseError';
    this.file = file;
  }
}

/** SQLite result codes (primary part) and what they mean to a person. */
const SQLITE_REASONS: ReadonlyArray<[prefix: string, reason: string]> = [
  ['SQLITE_FULL', 'the disk is full'],
  ['SQLITE_IOERR', 'the disk could not be read or written'],
  ['SQLITE_CORRUPT', 'the database file is damaged'],
  ['SQLITE_NOTADB', 'the database file is damaged'],
  ['SQLITE_READONLY', 'the database file is read-only'],
  ['SQLITE_CANTOPEN', 'the database file cannot be opened'],
  ['SQLITE_PERM', 'the database file cannot be opened'],
  ['SQLITE_BUSY', 'the database is in use by another program'],
  ['SQLITE_LOCKED', 'the database is in use by another program'],
  ['SQLITE_NOMEM', 'Warden ran out of memory'],
];

/**
 * A short phrase for a SQLite error, from its code alone (its message may quote data), or
 * undefined when `error` is not one.
 */
export function sqliteReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  for (const [prefix, reason] of SQLITE_REASONS) if (code === prefix || code.startsWith(`${prefix}_`)) return reason;
  return `a database error (${code.slice(0, 48)})`;
}
