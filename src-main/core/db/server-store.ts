import type { OAuthAuthMethod, OAuthGrant } from '../../../src-shared/control-api.js';
import type { Action } from '../../../src-shared/policy-types.js';
import type { Db } from './database.js';

/** How to start a local (stdio) upstream. Values may hold `${secret:NAME}` templates. */
export interface StdioServerConfig {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** How to reach a remote server. Header values may hold `${secret:NAME}` templates. */
export interface RemoteServerConfig {
  url: string;
  transport: 'http' | 'sse' | 'auto';
  headers: Record<string, string>;
  /** Pre-registered OAuth client (secret and private key as `${secret:NAME}` templates), its grant, or a Client ID Metadata Document URL. */
  oauth?: { clientId?: string; clientSecret?: string; clientMetadataUrl?: string; scope?: string; grant?: OAuthGrant; authMethod?: OAuthAuthMethod; privateKey?: string };
}

/** What kind of server, and how to reach it. */
export type ServerTarget = { kind: 'stdio'; config: StdioServerConfig } | { kind: 'remote'; config: RemoteServerConfig };

export type ServerRow = ServerTarget & {
  name: string;
  enabled: boolean;
  /** What calls get when no rule matches. */
  defaultAction: Action;
  createdAt: number;
};

interface RawServerRow {
  name: string;
  kind: string;
  config: string;
  enabled: number;
  default_action: Action;
  created_at: number;
}

/** Persists upstream server definitions. */
export class ServerStore {
  private readonly getStmt;
  private readonly listStmt;
  private readonly insertStmt;
  private readonly deleteStmt;
  private readonly defaultStmt;
  private readonly enabledStmt;
  private readonly updateStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], RawServerRow>('SELECT * FROM servers WHERE name = ?');
    this.listStmt = db.prepare<[], RawServerRow>('SELECT * FROM servers ORDER BY name');
    this.insertStmt = db.prepare('INSERT INTO servers (name, kind, config, enabled, default_action, created_at) VALUES (?, ?, ?, 1, ?, ?)');
    this.defaultStmt = db.prepare('UPDATE servers SET default_action = ? WHERE name = ?');
    this.enabledStmt = db.prepare('UPDATE servers SET enabled = ? WHERE name = ?');
    this.updateStmt = db.prepare('UPDATE servers SET kind = ?, config = ?, default_action = ? WHERE name = ?');
    this.deleteStmt = db.prepare('DELETE FROM servers WHERE name = ?');
  }

  get(name: string): ServerRow | undefined {
    const row = this.getStmt.get(name);
    return row ? toServer(row) : undefined;
  }

  list(): ServerRow[] {
    return this.listStmt.all().map(toServer);
  }

  /** Adds a server; returns false when the name is taken. */
  add(name: string, server: ServerTarget, defaultAction: Action, now: number): boolean {
    if (this.getStmt.get(name)) return false;
    this.insertStmt.run(name, server.kind, JSON.stringify(server.config), defaultAction, now);
    return true;
  }

  /** Replaces a server's kind, config and default action; false when it does not exist. */
  update(name: string, server: ServerTarget, defaultAction: Action): boolean {
    return this.updateStmt.run(server.kind, JSON.stringify(server.config), defaultAction, name).changes > 0;
  }

  setEnabled(name: string, enabled: boolean): boolean {
    return this.enabledStmt.run(enabled ? 1 : 0, name).changes > 0;
  }

  setDefaultAction(name: string, action: Action): boolean {
    return this.defaultStmt.run(action, name).changes > 0;
  }

  remove(name: string): boolean {
    return this.deleteStmt.run(name).changes > 0;
  }
}

function toServer(row: RawServerRow): ServerRow {
  const kinded =
    row.kind === 'remote'
      ? { kind: 'remote' as const, config: JSON.parse(row.config) as RemoteServerConfig }
      : { kind: 'stdio' as const, config: JSON.parse(row.config) as StdioServerConfig };
  return {
    name: row.name,
    ...kinded,
    enabled: row.enabled === 1,
    defaultAction: row.default_action,
    createdAt: row.created_at,
  };
}
