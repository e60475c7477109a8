import type { Db } from './database.js';

export interface PinRow {
  server: string;
  tool: string;
  hash: string;
  definition: string;
  approvedAt: number;
  pendingHash: string | null;
  pendingDefinition: string | null;
  pendingSeenAt: number | null;
}

interface RawPin {
  server: string;
  tool: string;
  hash: string;
  definition: string;
  approved_at: number;
  pending_hash: string | null;
  pending_definition: string | null;
  pending_seen_at: number | null;
}

/** Persists tool pins: the approved definition hash and, when it changed, the new one. */
export class PinStore {
  private readonly getStmt;
  private readonly listStmt;
  private readonly insertStmt;
  private readonly pendingStmt;
  private readonly approveStmt;
  private readonly clearPendingStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string, string], RawPin>('SELECT * FROM tool_pins WHERE server = ? AND tool = ?');
    this.listStmt = db.prepare<[], RawPin>('SELECT * FROM tool_pins ORDER BY server, tool');
    this.insertStmt = db.prepare('INSERT INTO tool_pins (server, tool, hash, definition, approved_at) VALUES (?, ?, ?, ?, ?)');
    this.pendingStmt = db.prepare('UPDATE tool_pins SET pending_hash = ?, pending_definition = ?, pending_seen_at = ? WHERE server = ? AND tool = ?');
    this.approveStmt = db.prepare(
      `UPDATE tool_pins SET hash = pending_hash, definition = pending_definition, approved_at = ?,
       pending_hash = NULL, pending_definition = NULL, pending_seen_at = NULL
       WHERE server = ? AND tool = ? AND pending_hash IS NOT NULL`,
    );
    this.clearPendingStmt = db.prepare('UPDATE tool_pins SET pending_hash = NULL, pending_definition = NULL, pending_seen_at = NULL WHERE server = ? AND tool = ?');
  }

  get(server: string, tool: string): PinRow | undefined {
    const row = this.getStmt.get(server, tool);
    return row ? toPin(row) : undefined;
  }

  list(): PinRow[] {
    return this.listStmt.all().map(toPin);
  }

  pin(server: string, tool: string, hash: string, definition: string, now: number): void {
    this.insertStmt.run(server, tool, hash, definition, now);
  }

  setPending(server: string, tool: string, hash: string, definition: string, now: number): void {
    this.pendingStmt.run(hash, definition, now, server, tool);
  }

  /** The served definition went back to the approved one. */
  clearPending(server: string, tool: string): void {
    this.clearPendingStmt.run(server, tool);
  }

  approve(server: string, tool: string, now: number): boolean {
    return this.approveStmt.run(now, server, tool).changes > 0;
  }
}

function toPin(row: RawPin): PinRow {
  return {
    server: row.server,
    tool: row.tool,
    hash: row.hash,
    definition: row.definition,
    approvedAt: row.approved_at,
    pendingHash: row.pending_hash,
    pendingDefinition: row.pending_definition,
    pendingSeenAt: row.pending_seen_at,
  };
}
