import type { UserSettings } from '../../../src-shared/control-api.js';
import { DEFAULT_HTTP_PORT } from '../../../src-shared/http-endpoint.js';
import type { Db } from './database.js';

/** Typed settings with defaults; values are stored as JSON. */
export type Settings = UserSettings;

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  /** Clients abandon a call after about 60 s; an unanswered ask is denied before that. */
  approvalTimeoutSeconds: 45,
  maxArgumentBytes: 1024 * 1024,
  maxMessageBytes: 4 * 1024 * 1024,
  defaultClientLimitPerMinute: 1000,
  logRetentionDays: 30,
  logMaxRows: 1_000_000,
  logMaxMiB: 512,
  paused: false,
  autoReconnect: false,
  desktopNotifications: true,
  upstreamIdleStopSeconds: 0,
  oauthClientMetadataUrl: '',
  /** Fixed by default, so client configs that name the URL stay valid across restarts. */
  httpPort: DEFAULT_HTTP_PORT,
  maxHttpSessionsPerKey: 16,
  /** The flow guard holds the call that would complete the trifecta (see core/flow). */
  flowGuard: 'ask',
  flowIdleMinutes: 30,
};

/**
 * Reads and writes settings; unknown keys in the table are ignored. Values are cached: the
 * core is the only writer, and policy reads several settings on every call.
 */
export class SettingsStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  get<K extends keyof Settings>(key: K): Settings[K] {
    if (this.cache.has(key)) return this.cache.get(key) as Settings[K];
    const row = this.getStmt.get(key);
    const value = row ? (JSON.parse(row.value) as Settings[K]) : DEFAULT_SETTINGS[key];
    this.cache.set(key, value);
    return value;
  }

  set<K extends keyof Settings>(key: K, value: Settings[K]): void {
    this.setStmt.run(key, JSON.stringify(value));
    this.cache.set(key, value);
  }

  all(): Settings {
    const out = { ...DEFAULT_SETTINGS } as Record<string, unknown>;
    for (const key of Object.keys(DEFAULT_SETTINGS)) out[key] = this.get(key as keyof Settings);
    return out as unknown as Settings;
  }

  /** Raw access for internal values that are not user settings (vault check, schema marks). */
  getRaw(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  setRaw(key: string, value: string): void {
    this.setStmt.run(key, value);
  }
}
