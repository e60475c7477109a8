import type { EntryTransport } from './entry-shapes.js';

/** Where the memory lives: the settings table's raw values in the core, a map in tests. */
export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** How Warden last connected one client config, so a reconnect writes the same again. */
export interface ConnectStyle {
  transport: EntryTransport;
  /** Set when one entry serves the aggregated session instead of one entry per server. */
  aggregate?: {
    /** The entry's name in the config (free before Warden wrote it, so disconnect removes it). */
    entry: string;
  };
}

/** A client key `connect` made: its client's name, the app, the key sealed (base64). */
export interface CreatedKey {
  name: string;
  app: string;
  sealed: string;
}

const STYLE_PREFIX = 'integrations.style:';
const CREATED_KEYS = 'integrations.createdKeys';
const MAX_CREATED = 1000;

/** A store used when none is given: remembers for the life of the process. */
export function memoryStore(): KeyValueStore {
  const values = new Map<string, string>();
  return { get: (key) => values.get(key), set: (key, value) => void values.set(key, value) };
}

/**
 * What `connect` remembers beyond the links: each config's style (stdio or HTTP, per server
 * or aggregated) and the client keys it made, which `disconnect` revokes once no config
 * Warden manages holds them. A stored value that does not parse counts as absent.
 */
export class ConnectMemory {
  constructor(private readonly store: KeyValueStore) {}

  style(app: string, path: string): ConnectStyle | undefined {
    const value = this.read(STYLE_PREFIX + JSON.stringify([app, path]));
    if (typeof value !== 'object' || value === null) return undefined;
    const { transport, aggregate } = value as Partial<ConnectStyle>;
    if (transport !== 'stdio' && transport !== 'http') return undefined;
    const valid = typeof aggregate === 'object' && aggregate !== null && typeof aggregate.entry === 'string';
    return { transport, ...(valid ? { aggregate: { entry: aggregate.entry } } : {}) };
  }

  setStyle(app: string, path: string, style: ConnectStyle | undefined): void {
    this.store.set(STYLE_PREFIX + JSON.stringify([app, path]), JSON.stringify(style ?? null));
  }

  /**
   * The clients whose keys `connect` made and no one has revoked through it: the client
   * app they were made for, and the key sealed by the vault, so a reconnect after the client
   * rewrote its entries writes the same key again instead of making another.
   */
  createdKeys(): CreatedKey[] {
    const value = this.read(CREATED_KEYS);
    if (!Array.isArray(value)) return [];
    return value.filter((item): item is CreatedKey => typeof item === 'object' && item !== null && typeof item.name === 'string' && typeof item.app === 'string' && typeof item.sealed === 'string');
  }

  addCreatedKey(key: CreatedKey): void {
    const keys = this.createdKeys().filter((known) => known.name !== key.name);
    this.store.set(CREATED_KEYS, JSON.stringify([...keys, key].slice(-MAX_CREATED)));
  }

  forgetCreatedKey(name: string): void {
    this.store.set(CREATED_KEYS, JSON.stringify(this.createdKeys().filter((known) => known.name !== name)));
  }

  private read(key: string): unknown {
    const text = this.store.get(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
}
