import { sqliteReason } from '../errors/database-error.js';
import { WardenError } from '../errors/warden-error.js';

/**
 * Why an audit write failed, as a short phrase for the sentence "Warden could not write its
 * audit log (<reason>); the call was not made". "the disk is full" for SQLITE_FULL (which is
 * also what `PRAGMA max_page_count` produces); a fixed phrase for other SQLite codes; the
 * sentence of Warden's own errors; "an internal error" for anything else. Never includes the
 * text of a foreign error, which may hold arguments, paths or secrets.
 */
export function auditFailureReason(error: unknown): string {
  const sqlite = sqliteReason(error);
  if (sqlite !== undefined) return sqlite;
  if (error instanceof WardenError) return error.message;
  return 'an internal error';
}

/** The sentence a client gets for a call refused because its audit row could not be written. */
export function auditWriteFailure(error: unknown): string {
  return `Warden could not write its audit log (${auditFailureReason(error)}); the call was not made`;
}

/**
 * True for errors of the database itself (a SQLite code): they end the transaction they
 * happened in, so the gateway fails the whole read instead of the one message.
 */
export function isStorageError(error: unknown): boolean {
  return sqliteReason(error) !== undefined;
}
