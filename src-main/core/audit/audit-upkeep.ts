import { existsSync, readFileSync } from 'node:fs';
import { backupDatabase, listBackups, type BackupInfo } from '../db/backups.js';
import { backupsPath, headFilePath } from '../db/data-files.js';
import { checkpoint, limitPages, type Db } from '../db/database.js';
import type { SettingsStore } from '../db/settings-store.js';
import { sqliteReason } from '../errors/database-error.js';
import type { AuditLog, SignedHead } from './audit-log.js';
import { writeHeadFile } from './audit-head-file.js';

const SECOND_MS = 1000;
const HOUR_MS = 60 * 60 * SECOND_MS;
const DAY_MS = 24 * HOUR_MS;
const MIB = 1024 * 1024;

export interface UpkeepOptions {
  db: Db;
  audit: AuditLog;
  settings: SettingsStore;
  dataDir: string;
  now(): number;
  /** The core's own log. */
  note(line: string): void;
  /**
   * Test-only (`WARDEN_TEST_DB_LIMIT_FILE`): a file whose content caps the database, re-read
   * every second: a number N allows N more pages, "full" none, anything else lifts the cap.
   * It is how tests make SQLite report a full disk without filling one.
   */
  testLimitFile?: string;
}

/** The database's background work, running until closed. */
export interface Upkeep {
  /** Takes a backup now (`warden db backup`). */
  backupNow(): Promise<BackupInfo>;
  /** Stops the timers, waits for a backup in progress, and writes the final head. */
  close(): Promise<void>;
}

/**
 * Runs the database's timers: every second, the queued call outcomes are written, the audit
 * log's head is signed, the WAL is checkpointed, and then the head is copied to
 * `audit-head.json` (only once the checkpoint made it durable, so the file is never ahead of
 * what a power loss keeps); every hour, the log is pruned (age, rows, `logMaxMiB`) and a daily
 * backup is taken when the last is a day old. Every step catches its own errors: a failing
 * one (a full disk) is told to the core's log once, retried, and told again when it works.
 */
export function startUpkeep(options: UpkeepOptions): Upkeep {
  const { db, audit, settings, now } = options;
  const failing = new Set<string>();
  const attempt = <T>(what: string, work: () => T): T | undefined => {
    try {
      const value = work();
      if (failing.delete(what)) options.note(`${what} works again`);
      return value;
    } catch (error) {
      if (!failing.has(what)) {
        failing.add(what);
        options.note(`${what} failed (${describe(error)}); Warden keeps trying and says so here when it works again`);
      }
      return undefined;
    }
  };

  let lastChanges = -1;
  let fileHeadId = -1;
  let limitText: string | undefined;
  const everySecond = (): void => {
    if (options.testLimitFile) attempt('applying the test page limit', () => (limitText = applyTestLimit(db, options.testLimitFile as string, limitText)));
    attempt('writing call outcomes', () => audit.flush());
    const head = attempt('signing the audit log head', () => audit.anchor());
    const durable = attempt('checkpointing the database', () => {
      const result = checkpoint(db, lastChanges);
      // An incomplete checkpoint is retried next time even with no new change.
      lastChanges = result.complete ? result.changes : -1;
      return result.complete;
    });
    if (head && durable && head.id !== fileHeadId) writeHead(head);
  };
  const writeHead = (head: SignedHead): void => {
    attempt('writing audit-head.json', () => {
      writeHeadFile(headFilePath(options.dataDir), head);
      fileHeadId = head.id;
    });
  };

  let backup: Promise<BackupInfo> | undefined;
  const backupNow = (kind: 'daily' | 'manual'): Promise<BackupInfo> => {
    backup ??= backupDatabase(db, backupsPath(options.dataDir), kind, now()).finally(() => {
      backup = undefined;
    });
    return backup;
  };
  const everyHour = (): void => {
    attempt('pruning the audit log', () => {
      const removed = audit.prune(now() - settings.get('logRetentionDays') * DAY_MS, settings.get('logMaxRows'), settings.get('logMaxMiB') * MIB);
      if (removed > 0) options.note(`pruned ${removed} audit row(s) past retention`);
    });
    const newest = attempt('listing the backups', () => listBackups(backupsPath(options.dataDir)).find((b) => b.kind !== 'migration'));
    if (newest === undefined || now() - newest.createdAt >= DAY_MS) {
      backupNow('daily').then(
        (info) => {
          failing.delete('taking the daily backup');
          options.note(`backed up the database to ${info.path}`);
        },
        (error: unknown) => attempt('taking the daily backup', () => {
          throw error;
        }),
      );
    }
  };

  everySecond();
  everyHour();
  const second = setInterval(everySecond, SECOND_MS);
  const hour = setInterval(everyHour, HOUR_MS);
  second.unref();
  hour.unref();

  return {
    backupNow: () => backupNow('manual'),
    close: async () => {
      clearInterval(second);
      clearInterval(hour);
      await backup?.catch(() => undefined);
      lastChanges = -1;
      everySecond();
    },
  };
}

/** A failure in a few words without its message (which may quote data): a SQLite or system code. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return sqliteReason(error) ?? (typeof code === 'string' ? code.slice(0, 32) : 'an internal error');
}

function applyTestLimit(db: Db, file: string, applied: string | undefined): string {
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (text === applied) return text;
  const pages = text === 'full' ? 0 : /^\d+$/.test(text) ? Number(text) : undefined;
  limitPages(db, pages);
  return text;
}
