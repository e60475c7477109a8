import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditLog, SignedHead } from './audit-log.js';

/** Larger than any head record: a bigger file is not ours. */
const MAX_HEAD_FILE_BYTES = 4096;

/** What the head file says: a head, none (never written), or something unreadable. */
export type HeadFile = { state: 'absent' } | { state: 'unreadable' } | { state: 'present'; head: SignedHead };

/**
 * Reads the audit log's signed head kept outside the database. A file that is not a head
 * record is "unreadable" (the caller still knows a log existed), never an exception.
 */
export function readHeadFile(path: string): HeadFile {
  if (!existsSync(path)) return { state: 'absent' };
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > MAX_HEAD_FILE_BYTES) return { state: 'unreadable' };
    const parsed = JSON.parse(text) as Partial<SignedHead>;
    if (!Number.isSafeInteger(parsed.id) || typeof parsed.mac !== 'string' || typeof parsed.tag !== 'string') return { state: 'unreadable' };
    return { state: 'present', head: { id: parsed.id as number, mac: parsed.mac, tag: parsed.tag } };
  } catch {
    return { state: 'unreadable' };
  }
}

/**
 * Writes the head atomically: a 0600 temporary file, fsynced, renamed over the old one, and
 * the folder fsynced, so a crash leaves the old head or the new one, never half of one.
 */
export function writeHeadFile(path: string, head: SignedHead): void {
  const temp = `${path}.tmp`;
  // A temporary file left by a crash may have another mode: start from none.
  rmSync(temp, { force: true });
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify({ id: head.id, mac: head.mac, tag: head.tag }) + '\n');
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
  syncFolder(dirname(path));
}

function syncFolder(folder: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses a database whose audit log cannot be the one that wrote the head file (see
 * {@link AuditLog.headProblem}); an unreadable head file only says a log existed, which
 * `openDatabase({ mustExist })` has already checked.
 */
export function lostLogProblem(audit: Pick<AuditLog, 'headProblem'>, headFile: HeadFile): string | undefined {
  return audit.headProblem(headFile.state === 'present' ? headFile.head : undefined);
}
