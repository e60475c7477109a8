import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { WardenError } from './errors/warden-error.js';

/**
 * Takes the data dir's lock file (created exclusively, holding our pid), so two cores never
 * serve one data dir. A lock left by a process that no longer exists is taken over.
 * Returns the release function.
 */
export function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
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
      const holder = Number.parseInt(readText(file), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new WardenError('conflict', `Warden is already running for this data dir (pid ${holder})`);
      }
      try {
        unlinkSync(file);
      } catch {
        // Someone else removed the stale lock; try again.
      }
    }
  }
  throw new WardenError('conflict', 'another Warden core is starting for this data dir');
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
