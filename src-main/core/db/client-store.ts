import type { Db } from './database.js';

export interface ClientRow {
  name: string;
  prefix: string;
  keyHash: Buffer;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

interface RawClientRow {
  name: string;
  prefix: string;
  key_hash: Buffer;
  created_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
}

/** Persists client keys as SHA-256 hashes; the key itself is never stored. */
export class ClientStore {
  private readonly byNameStmt;
  private readonly byPrefixStmt;
  private readonly listStmt;
  private readonly insertStmt;
  private readonly revokeStmt;
  private readonly seenStmt;

  constructor(db: Db) {
    this.byNameStmt = db.prepare<[string], RawClientRow>('SELECT * FROM clients WHERE name = ?');
    this.byPrefixStmt = db.prepare<[string], RawClientRow>('SELECT * FROM clients WHERE prefix = ?');
    this.listStmt = db.prepare<[], RawClientRow>('SELECT * FROM clients ORDER BY name');
    this.insertStmt = db.prepare('INSERT INTO clients (name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?)');
    this.revokeStmt = db.prepare('UPDATE clients SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL');
    this.seenStmt = db.prepare('UPDATE clients SET last_seen_at = ? WHERE name = ?');
  }

  byName(name: string): ClientRow | undefined {
    const row = this.byNameStmt.get(name);
    return row ? toClient(row) : undefined;
  }

  byPrefix(prefix: string): ClientRow | undefined {
    const row = this.byPrefixStmt.get(prefix);
    return row ? toClient(row) : undefined;
  }

  list(): ClientRow[] {
    return this.listStmt.all().map(toClient);
  }

  add(name: string, prefix: string, keyHash: Buffer, now: number): void {
    this.insertStmt.run(name, prefix, keyHash, now);
  }

  /** Marks the client revoked; false when it does not exist or is already revoked. */
  revoke(name: string, now: number): boolean {
    return this.revokeStmt.run(now, name).changes > 0;
  }

  markSeen(name: string, now: number): void {
    this.seenStmt.run(now, name);
  }
}

function toClient(row: RawClientRow): ClientRow {
  return {
    name: row.name,
    prefix: row.prefix,
    keyHash: row.key_hash,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    revokedAt: row.revoked_at,
  };
}
