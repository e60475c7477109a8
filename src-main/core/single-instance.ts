import { takeLockFile } from './lock-file.js';

/** An empty lock younger than this is a core between creating the file and writing its pid. */
const STARTING_MS = 10_000;

const STARTING = 'another Warden core is starting for this data dir';

/**
 * Takes the data dir's lock file (holding our pid), so two cores never serve one data dir. A
 * lock left by a process that no longer exists is taken over. Returns the release function.
 */
export function acquireLock(file: string): () => void {
  return takeLockFile(file, {
    content: String(process.pid),
    busy: STARTING,
    heldBy: (text, ageMs) => {
      const holder = Number.parseInt(text, 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        return `Warden is already running for this data dir (pid ${holder})`;
      }
      return text === '' && ageMs < STARTING_MS ? STARTING : undefined;
    },
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
