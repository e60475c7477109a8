import type { Db } from './database.js';

/** An entry of a client config that Warden imported as one of its servers. */
export interface ClientLink {
  app: string;
  configPath: string;
  /** The entry's name in the client config. */
  entry: string;
  server: string;
  /** The original entry, with secret env values replaced by `${secret:NAME}`. */
  original: Record<string, unknown>;
  /** Env names whose values were moved into the vault. */
  secretEnv: string[];
  importedAt: number;
  connectedAt: number | null;
}

interface RawLink {
  app: string;
  config_path: string;
  entry: string;
  server: string;
  original: string;
  secret_env: string;
  imported_at: number;
  connected_at: number | null;
}

/** Persists what was imported from which client config. */
export class LinkStore {
  private readonly listStmt;
  private readonly insertStmt;
  private readonly connectedStmt;

  constructor(db: Db) {
    this.listStmt = db.prepare<[string], RawLink>('SELECT * FROM client_links WHERE app = ? ORDER BY imported_at, entry');
    this.insertStmt = db.prepare(
      'INSERT INTO client_links (app, config_path, entry, server, original, secret_env, imported_at) VALUES (@app, @configPath, @entry, @server, @original, @secretEnv, @importedAt)',
    );
    this.connectedStmt = db.prepare('UPDATE client_links SET connected_at = ? WHERE app = ? AND config_path = ? AND entry = ?');
  }

  list(app: string): ClientLink[] {
    return this.listStmt.all(app).map((row) => ({
      app: row.app,
      configPath: row.config_path,
      entry: row.entry,
      server: row.server,
      original: JSON.parse(row.original) as Record<string, unknown>,
      secretEnv: JSON.parse(row.secret_env) as string[],
      importedAt: row.imported_at,
      connectedAt: row.connected_at,
    }));
  }

  add(link: Omit<ClientLink, 'connectedAt'>): void {
    this.insertStmt.run({ ...link, original: JSON.stringify(link.original), secretEnv: JSON.stringify(link.secretEnv) });
  }

  setConnected(link: ClientLink, at: number | null): void {
    this.connectedStmt.run(at, link.app, link.configPath, link.entry);
  }
}
