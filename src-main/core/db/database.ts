import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { DatabaseError } from '../errors/database-error.js';
import { MIGRATIONS } from './migrations.js';

/** The better-sqlite3 handle; only modules under core/db touch it. */
export type Db = Database.Database;

/**
 * Opens (creating if needed) the Warden database at `file` (or `:memory:`), in WAL mode, and
 * brings its schema up to date inside one transaction per migration.
 *
 * Refuses a database written by a newer Warden instead of silently using or downgrading it.
 */
export function openDatabase(file: string, migrations: readonly string[] = MIGRATIONS): Db {
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw new DatabaseError(`cannot open the Warden database at ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
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
    migrate(db, migrations);
    restrictFiles(file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
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
 * Checkpoints the WAL every `intervalMs` when something was written since the last time,
 * keeping the fsync of a checkpoint off the path of any call. Returns the disposer.
 */
export function scheduleCheckpoints(db: Db, intervalMs = 1000): () => void {
  let lastChanges = -1;
  const timer = setInterval(() => {
    const changes = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    if (changes === lastChanges) return;
    lastChanges = changes;
    // PASSIVE: copies what it can and never waits; the WAL is reused from its start after.
    db.pragma('wal_checkpoint(PASSIVE)');
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
