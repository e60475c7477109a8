import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describeFailure, guarded } from '../errors/guarded.js';

const SETTLE_MS = 500;

/**
 * Watches client config files and calls `check` once a file has stopped changing for a
 * moment. The folder is watched, not the file: clients (and Warden) replace the file by
 * renaming. A folder that is missing is skipped until asked again.
 */
export class DriftWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly check: (path: string) => unknown,
    private readonly note: (text: string) => void,
  ) {}

  /** Starts watching `path` (once; later calls for the same path do nothing). */
  watch(path: string): void {
    if (this.watchers.has(path)) return;
    try {
      const watcher = watch(dirname(path), guarded(this.note, 'watching a client config', (_event: string, file: string | null) => {
        if (file !== null && file !== basename(path)) return;
        clearTimeout(this.timers.get(path));
        this.timers.set(path, setTimeout(guarded(this.note, 'checking a client config', () => this.check(path)), SETTLE_MS));
      }));
      watcher.on('error', (error) => this.note(`watching ${path} stopped: ${describeFailure(error)}`));
      this.watchers.set(path, watcher);
    } catch {
      // The folder is gone; there is nothing to watch until the client is installed again.
    }
  }

  /** Stops every watch and pending check. */
  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.timers.clear();
    this.watchers.clear();
  }
}
