import type { LimitInfo } from '../../../src-shared/control-api.js';
import type { Db } from './database.js';

/** A rate limit: at most `max` calls per `perMs` for each client its patterns select. */
export interface Limit extends LimitInfo {
  createdAt: number;
}

/** A limits row: the limit's fields, with the two times under their column names. */
type RawLimit = Omit<LimitInfo, 'perMs'> & { per_ms: number; created_at: number };

/** Persists rate limits. */
export class LimitStore {
  private readonly listStmt;
  private readonly insertStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.listStmt = db.prepare<[], RawLimit>('SELECT * FROM limits ORDER BY id');
    this.insertStmt = db.prepare('INSERT INTO limits (client, server, target, max, per_ms, created_at) VALUES (@client, @server, @target, @max, @perMs, @now)');
    this.deleteStmt = db.prepare('DELETE FROM limits WHERE id = ?');
  }

  list(): Limit[] {
    return this.listStmt.all().map((row) => ({
      id: row.id,
      client: row.client,
      server: row.server,
      target: row.target,
      max: row.max,
      perMs: row.per_ms,
      createdAt: row.created_at,
    }));
  }

  add(limit: Omit<Limit, 'id' | 'createdAt'>, now: number): Limit {
    const id = Number(this.insertStmt.run({ ...limit, now }).lastInsertRowid);
    return { ...limit, id, createdAt: now };
  }

  remove(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }
}
