import Database from 'better-sqlite3';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { DamagedDatabaseError, DatabaseError, sqliteReason } from '../errors/database-error.js';
import { WardenError } from '../errors/warden-error.js';
import { backupBeforeMigration } from './backups.js';
import { MIGRATIONS } from './migrations.js';

/** The better-sqlite3 handle; only modules under core/db touch it. */
export type Db = Database.Database;

export interface OpenOptions {
  /**
   * The database existed before (its signed head is kept outside it): a missing or empty file
   * is a loss to refuse, not a fresh install to create.
   */
  mustExist?: boolean;
  /** Where a copy goes before a migration changes an existing database. */
  backupDir?: string;
  now?: () => number;
}

/**
 * Opens (creating if needed) the Warden database at `file` (or `:memory:`), in WAL mode, checks
 * its pages (`PRAGMA quick_check`), and brings its schema up to date inside one transaction per
 * migration, after a backup when it already had data.
 *
 * Refuses, with a {@link DamagedDatabaseError} naming the file and the way on, a file that is
 * not a database or fails the check (and, with `mustExist`, one that is missing or empty);
 * refuses a database written by a newer Warden instead of silently using or downgrading it.
 */
export function openDatabase(file: string, migrations: readonly string[] = MIGRATIONS, options: OpenOptions = {}): Db {
  if (options.mustExist && file !== ':memory:') {
    const size = existsSync(file) ? statSync(file).size : -1;
    if (size <= 0) throw new DamagedDatabaseError(file, size < 0 ? 'is missing, but Warden wrote an audit log there before' : 'is empty (0 bytes), but Warden wrote an audit log there before');
  }
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw new DatabaseError(`cannot open the Warden database at ${file}: ${sqliteReason(error) ?? (error as Error).message}`, { cause: error });
  }
  try {
    configure(db, file);
    if (file !== ':memory:') checkPages(db, file);
    const current = db.pragma('user_version', { simple: true }) as number;
    if (options.backupDir && file !== ':memory:' && current > 0 && current < migrations.length) {
      backupBeforeMigration(db, options.backupDir, current, (options.now ?? Date.now)());
    }
    migrate(db, migrations);
    restrictFiles(file);
    return db;
  } catch (error) {
    db.close();
    throw asDatabaseError(file, error);
  }
}

function configure(db: Db, file: string): void {
  // Only the core opens the database (the CLI and window go through it), so it holds the
  // lock for its lifetime: that enforces the rule, and saves the shared-memory locking
  // calls of every transaction on the call path.
  if (file !== ':memory:') db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  // NORMAL keeps every committed row through a crash of the process; only a power loss can
  // drop the last transactions, which is the usual WAL trade for a log written per call.
  db.pragma('synchronous = NORMAL');
  // Checkpoints (which fsync) run from a timer instead of inside a call's commit; the WAL
  // file is cut back to 16 MiB when one completes.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

/** A damaged page refuses the start, before any write can build on it. */
function checkPages(db: Db, file: string): void {
  const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
  if (rows.length === 1 && rows[0]?.quick_check === 'ok') return;
  throw new DamagedDatabaseError(file, `is damaged (SQLite's integrity check says: ${firstFinding(rows.map((row) => row.quick_check))})`);
}

/** The first finding of an integrity check, on one line. */
export function firstFinding(findings: readonly string[]): string {
  const lines = findings.join('\n').split('\n').filter((line) => line.trim() !== '' && !/^\*\*\* in database \w+ \*\*\*$/.test(line));
  return (lines[0] ?? 'no answer').slice(0, 160);
}

/** Known SQLite failures become one sentence; Warden's own errors pass unchanged. */
function asDatabaseError(file: string, error: unknown): unknown {
  if (error instanceof WardenError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))) {
    return new DamagedDatabaseError(file, 'is damaged (it is not a SQLite database, or its pages are broken)', { cause: error });
  }
  const reason = sqliteReason(error);
  if (reason === undefined) return error;
  return new DatabaseError(`cannot open the Warden database at ${file}: ${reason}; fix that and start Warden again`, { cause: error });
}

function migrate(db: Db, migrations: readonly string[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new DatabaseError(
      `the Warden database was written by a newer version of Warden (schema ${current}, this version knows ${migrations.length}); update Warden or use another data dir`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    const step = db.transaction(() => {
      db.exec(migrations[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    });
    step.immediate();
  }
}

/** The database holds ciphertexts and the audit log: readable by the user alone. */
function restrictFiles(file: string): void {
  if (file === ':memory:' || process.platform === 'win32') return;
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

/**
 * Copies the WAL into the database file when anything was written since `lastChanges`, and
 * fsyncs both (PASSIVE: it never waits). Returns the change count to pass next time, and
 * whether everything committed is now durable in the database file. Throws what SQLite throws.
 */
export function checkpoint(db: Db, lastChanges: number): { changes: number; complete: boolean } {
  const changes = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  if (changes === lastChanges) return { changes, complete: true };
  const [result] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
  return { changes, complete: result !== undefined && result.busy === 0 && result.log === result.checkpointed };
}

/**
 * Test-only: caps the database at its current size plus `extraPages` pages (`PRAGMA
 * max_page_count`), so writes fail with "database or disk is full" as on a full disk.
 * `undefined` lifts the cap. Returns the cap in force.
 */
export function limitPages(db: Db, extraPages: number | undefined): number {
  const cap = extraPages === undefined ? 0xfffffffe : (db.pragma('page_count', { simple: true }) as number) + extraPages;
  return db.pragma(`max_page_count = ${Math.floor(cap)}`, { simple: true }) as number;
}
