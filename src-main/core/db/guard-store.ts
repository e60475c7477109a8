import type { GuardInfo } from '../../../src-shared/control-api.js';
import type { Db } from './database.js';

/** Persists argument deny patterns. */
export class GuardStore {
  private readonly listStmt;
  private readonly insertStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.listStmt = db.prepare<[], GuardInfo>('SELECT id, server, tool, name, pattern, mode FROM arg_patterns ORDER BY id');
    this.insertStmt = db.prepare('INSERT INTO arg_patterns (server, tool, name, pattern, mode, created_at) VALUES (@server, @tool, @name, @pattern, @mode, @now)');
    this.deleteStmt = db.prepare('DELETE FROM arg_patterns WHERE id = ?');
  }

  list(): GuardInfo[] {
    return this.listStmt.all();
  }

  add(guard: Omit<GuardInfo, 'id'>, now: number): GuardInfo {
    const id = Number(this.insertStmt.run({ ...guard, now }).lastInsertRowid);
    return { ...guard, id };
  }

  remove(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }
}
