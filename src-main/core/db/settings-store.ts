import type { Db } from './database.js';

/** Typed settings with defaults; values are stored as JSON. */
export interface Settings {
  /** Longest line (bytes) a client may send before it is refused. */
  maxMessageBytes: number;
  /** Audit rows older than this many days are pruned. */
  logRetentionDays: number;
  /** At most this many audit rows are kept. */
  logMaxRows: number;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  maxMessageBytes: 4 * 1024 * 1024,
  logRetentionDays: 30,
  logMaxRows: 1_000_000,
};

/** Reads and writes settings; unknown keys in the table are ignored. */
export class SettingsStore {
  private readonly getStmt;
  private readonly setStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  get<K extends keyof Settings>(key: K): Settings[K] {
    const row = this.getStmt.get(key);
    return row ? (JSON.parse(row.value) as Settings[K]) : DEFAULT_SETTINGS[key];
  }

  set<K extends keyof Settings>(key: K, value: Settings[K]): void {
    this.setStmt.run(key, JSON.stringify(value));
  }

  /** Raw access for internal values that are not user settings (vault check, schema marks). */
  getRaw(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  setRaw(key: string, value: string): void {
    this.setStmt.run(key, value);
  }
}
