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

/** What went wrong with an audit write, short and free of secrets. */
export function auditFailureReason(error: unknown): string {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : '';
  if (code === 'SQLITE_FULL' || /database or disk is full/i.test(message)) return 'the disk is full';
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) return 'the disk could not be written';
  if (code === 'SQLITE_READONLY') return 'the database is read-only';
  return typeof code === 'string' ? `database error ${code}` : 'an unexpected error';
}
