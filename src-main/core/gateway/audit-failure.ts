import { auditFailureReason } from '../audit/audit-failure.js';

/**
 * Telling a failed audit write apart from other failures, and saying it in words. A storage
 * failure fails a whole read (its transaction is gone); any other failure stays with the
 * message that caused it.
 */

/** True for errors of the database itself (SQLite codes), which end the read's transaction. */
export function isStorageError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return error.name === 'SqliteError' || (typeof code === 'string' && code.startsWith('SQLITE_'));
}

/** The sentence a client gets for a call refused because its audit row could not be written. */
export function auditWriteFailure(error: unknown): string {
  return `Warden could not write its audit log (${auditFailureReason(error)}); the call was not made`;
}
