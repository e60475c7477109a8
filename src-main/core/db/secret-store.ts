import type { Db } from './database.js';

export interface SecretRow {
  name: string;
  ciphertext: Buffer;
  updatedAt: number;
}

/** Persists secrets as ciphertext only; encryption happens in the vault. */
export class SecretStore {
  private readonly listStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.listStmt = db.prepare<[], { name: string; ciphertext: Buffer; updated_at: number }>(
      'SELECT name, ciphertext, updated_at FROM secrets ORDER BY name',
    );
    this.upsertStmt = db.prepare(
      `INSERT INTO secrets (name, ciphertext, created_at, updated_at) VALUES (@name, @ciphertext, @now, @now)
       ON CONFLICT(name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
    );
    this.deleteStmt = db.prepare('DELETE FROM secrets WHERE name = ?');
  }

  list(): SecretRow[] {
    return this.listStmt.all().map((row) => ({ name: row.name, ciphertext: row.ciphertext, updatedAt: row.updated_at }));
  }

  put(name: string, ciphertext: Buffer, now: number): void {
    this.upsertStmt.run({ name, ciphertext, now });
  }

  remove(name: string): boolean {
    return this.deleteStmt.run(name).changes > 0;
  }
}
