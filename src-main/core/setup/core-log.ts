import { CappedLog } from '../upstream/capped-log.js';
import { daemonLogPath } from '../paths.js';

/** The core's own log: capped on disk, optionally echoed (the daemon's terminal). */
export interface CoreLog {
  /** Writes one time-stamped line; callers redact what may hold secrets. */
  note(line: string): void;
  close(): void;
}

/** Opens the core's log in `dataDir`. */
export function openCoreLog(dataDir: string, now: () => number, echo?: (line: string) => void): CoreLog {
  const log = new CappedLog(daemonLogPath(dataDir));
  return {
    note: (line) => {
      const stamped = `[${new Date(now()).toISOString()}] ${line}`;
      log.write(stamped + '\n');
      echo?.(stamped);
    },
    close: () => log.close(),
  };
}
