import { FLOW_LABELS, type FlowLabel } from '../../../src-shared/flow-api.js';
import type { Db } from './database.js';

/**
 * What the user said about one label on a server (`tool` is '') or a tool: `set` true gives
 * the label, false takes it away. Both win over the tool's hints.
 */
export interface LabelRow {
  server: string;
  tool: string;
  label: FlowLabel;
  set: boolean;
  updatedAt: number;
}

interface RawLabel {
  server: string;
  tool: string;
  label: string;
  value: number;
  updated_at: number;
}

/** Persists the user's flow labels (table flow_labels). */
export class LabelStore {
  private readonly listStmt;
  private readonly upsertStmt;
  private readonly clearStmt;

  constructor(private readonly db: Db) {
    this.listStmt = db.prepare<[], RawLabel>('SELECT * FROM flow_labels ORDER BY server, tool, label');
    this.upsertStmt = db.prepare(
      `INSERT INTO flow_labels (server, tool, label, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(server, tool, label) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.clearStmt = db.prepare('DELETE FROM flow_labels WHERE server = ? AND tool = ?');
  }

  /** Every row; a label name this version does not know (a newer one wrote it) is left out. */
  list(): LabelRow[] {
    return this.listStmt
      .all()
      .filter((row) => (FLOW_LABELS as readonly string[]).includes(row.label))
      .map((row) => ({ server: row.server, tool: row.tool, label: row.label as FlowLabel, set: row.value === 1, updatedAt: row.updated_at }));
  }

  /** Records `set` for each label on the server (`tool` '') or tool, in one transaction. */
  put(server: string, tool: string, labels: readonly FlowLabel[], set: boolean, now: number): void {
    this.db.transaction(() => {
      for (const label of labels) this.upsertStmt.run(server, tool, label, set ? 1 : 0, now);
    })();
  }

  /** Forgets every row of the server (`tool` '') or tool; returns how many went. */
  clear(server: string, tool: string): number {
    return this.clearStmt.run(server, tool).changes;
  }
}
