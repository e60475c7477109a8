import * as nodeFs from 'node:fs';
import { WardenError } from './errors/warden-error.js';

/** The file operations a lock uses (config writes pass their own, for fault tests). */
export type LockFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'closeSync' | 'readFileSync' | 'statSync' | 'unlinkSync'>;

export interface LockFileOptions {
  /** What the lock file holds while ours (a pid, or nothing). */
  content: string;
  /**
   * Whether the lock as found is still held: a refusal sentence when it is, undefined when it
   * was left behind and may be taken over. `ageMs` is the time since it was written.
   */
  heldBy(text: string, ageMs: number): string | undefined;
  /** The refusal when another process is taking the lock over right now. */
  busy: string;
  fs?: LockFs;
  now?: number;
}

/** A takeover guard older than this was left by a process that died while taking over. */
const GUARD_STALE_MS = 10_000;

/**
 * Takes a lock file, created exclusively. A lock that `heldBy` calls stale is removed under a
 * takeover guard, and only if it still holds what was judged: without the guard, two processes
 * that both found the stale lock could each remove it, the second removing the lock the first
 * had just created, and both would go on. Returns the release function.
 */
export function takeLockFile(file: string, options: LockFileOptions): () => void {
  const fs = options.fs ?? nodeFs;
  const now = options.now ?? Date.now();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      try {
        if (options.content !== '') fs.writeSync(fd, options.content);
      } finally {
        fs.closeSync(fd);
      }
      return () => {
        if (readText(fs, file) === options.content) unlinkQuietly(fs, file);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = readText(fs, file);
      const held = options.heldBy(text, ageMs(fs, file, now));
      if (held !== undefined) throw new WardenError('conflict', held);
      removeStale(fs, file, text, now, options.busy);
    }
  }
  throw new WardenError('conflict', options.busy);
}

function removeStale(fs: LockFs, file: string, staleText: string, now: number, busy: string): void {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = fs.openSync(guard, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (ageMs(fs, guard, now) > GUARD_STALE_MS) {
      unlinkQuietly(fs, guard);
      return;
    }
    throw new WardenError('conflict', busy);
  }
  try {
    if (readText(fs, file) === staleText) unlinkQuietly(fs, file);
  } finally {
    fs.closeSync(fd);
    unlinkQuietly(fs, guard);
  }
}

/** Time since the file was written; a file that is gone counts as old. */
function ageMs(fs: LockFs, file: string, now: number): number {
  try {
    return now - fs.statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function unlinkQuietly(fs: LockFs, file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone.
  }
}

function readText(fs: LockFs, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
