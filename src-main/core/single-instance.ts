import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { WardenError } from './errors/warden-error.js';

/** A takeover guard or an empty lock older than this was left by a core that died starting. */
const GUARD_STALE_MS = 10_000;

/**
 * Takes the data dir's lock file (created exclusively, holding our pid), so two cores never
 * serve one data dir. A lock left by a process that no longer exists is taken over.
 * Returns the release function.
 */
export function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = readText(file);
      const holder = Number.parseInt(text, 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new WardenError('conflict', `Warden is already running for this data dir (pid ${holder})`);
      }
      // An empty lock is a core between creating the file and writing its pid, unless it is old.
      if (text === '' && ageMs(file) < GUARD_STALE_MS) throw new WardenError('conflict', 'another Warden core is starting for this data dir');
      removeStale(file, text);
    }
  }
  throw new WardenError('conflict', 'another Warden core is starting for this data dir');
}

/**
 * Removes a stale lock under a takeover guard, and only if it still names the dead holder:
 * without the guard, two cores that both saw the stale lock could each remove it, the second
 * removing the lock the first had just created, and both would run.
 */
function removeStale(file: string, staleText: string): void {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (ageMs(guard) > GUARD_STALE_MS) {
      unlinkQuietly(guard);
      return;
    }
    throw new WardenError('conflict', 'another Warden core is starting for this data dir');
  }
  try {
    if (readText(file) === staleText) unlinkQuietly(file);
  } finally {
    closeSync(fd);
    unlinkQuietly(guard);
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
