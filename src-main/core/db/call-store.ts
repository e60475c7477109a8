import type { CallOutcome, CallRecord } from '../../../src-shared/control-api.js';
import type { Db } from './database.js';

export interface NewCall {
  id: number;
  ts: number;
  session: string;
  client: string;
  server: string;
  method: string;
  target: string | null;
  arguments: string | null;
  decision: string;
  reason: string;
  reasonMeta: string | null;
  mac: string;
}

export interface CallCompletion {
  outcome: Exclude<CallOutcome, 'pending'>;
  error: string | null;
  durationMs: number;
  resultBytes: number | null;
  /** JSON: how an ask was answered, hidden content found in the result. */
  notes: string | null;
  doneMac: string;
}

/** A row as the chain verifier reads it. */
export interface RawCallRow {
  id: number;
  ts: number;
  session: string;
  client: string;
  server: string;
  method: string;
  target: string | null;
  arguments: string | null;
  outcome: CallOutcome;
  error: string | null;
  duration_ms: number | null;
  result_bytes: number | null;
  decision: string | null;
  reason: string | null;
  reason_meta: string | null;
  notes: string | null;
  mac: string | null;
  done_mac: string | null;
  /** How many identical refusals the row stands for (1 unless folded). */
  repeats: number;
}

/** The audit log table: one row per decided call, written before it is forwarded. */
export class CallStore {
  private readonly db: Db;
  private readonly insertStmt;
  private readonly completeStmt;
  private readonly getStmt;
  private readonly afterStmt;
  private readonly latestStmt;
  private readonly beforeStmt;
  private readonly macStmt;
  private readonly pendingStmt;
  private readonly lastStmt;
  private readonly allStmt;
  private readonly pruneEdgeStmt;
  private readonly pruneAgeStmt;
  private readonly pruneCountStmt;
  private readonly foldStmt;
  private readonly countStmt;

  /** Built once: better-sqlite3 wraps a function per `transaction()` call. */
  private readonly runInTransaction;

  constructor(db: Db) {
    this.db = db;
    this.runInTransaction = db.transaction((work: () => unknown) => work());
    this.insertStmt = db.prepare(
      `INSERT INTO calls (id, ts, session, client, server, method, target, arguments, outcome, decision, reason, reason_meta, mac)
       VALUES (@id, @ts, @session, @client, @server, @method, @target, @arguments, 'pending', @decision, @reason, @reasonMeta, @mac)`,
    );
    this.completeStmt = db.prepare(
      `UPDATE calls SET outcome = @outcome, error = @error, duration_ms = @durationMs, result_bytes = @resultBytes, notes = @notes, done_mac = @doneMac
       WHERE id = @id AND outcome = 'pending'`,
    );
    this.getStmt = db.prepare<[number], RawCallRow>('SELECT * FROM calls WHERE id = ?');
    this.afterStmt = db.prepare<[number, number], RawCallRow>('SELECT * FROM calls WHERE id > ? ORDER BY id LIMIT ?');
    this.latestStmt = db.prepare<[number], RawCallRow>('SELECT * FROM (SELECT * FROM calls ORDER BY id DESC LIMIT ?) ORDER BY id');
    this.beforeStmt = db.prepare<[number, number], RawCallRow>('SELECT * FROM (SELECT * FROM calls WHERE id < ? ORDER BY id DESC LIMIT ?) ORDER BY id');
    this.macStmt = db.prepare<[number], { mac: string | null }>('SELECT mac FROM calls WHERE id = ?');
    this.pendingStmt = db.prepare<[], { id: number; mac: string }>(`SELECT id, mac FROM calls WHERE outcome = 'pending'`);
    this.lastStmt = db.prepare<[], { id: number; mac: string | null }>('SELECT id, mac FROM calls ORDER BY id DESC LIMIT 1');
    this.allStmt = db.prepare<[], RawCallRow>('SELECT * FROM calls ORDER BY id');
    this.pruneEdgeStmt = db.prepare<[number, number], { id: number; mac: string | null }>(
      'SELECT id, mac FROM calls WHERE ts < ? OR id <= (SELECT id FROM calls ORDER BY id DESC LIMIT 1 OFFSET ?) ORDER BY id DESC LIMIT 1',
    );
    this.pruneAgeStmt = db.prepare('DELETE FROM calls WHERE ts < ?');
    this.pruneCountStmt = db.prepare('DELETE FROM calls WHERE id <= (SELECT id FROM calls ORDER BY id DESC LIMIT 1 OFFSET ?)');
    this.foldStmt = db.prepare('UPDATE calls SET repeats = ?, done_mac = ? WHERE id = ? AND outcome != \'pending\'');
    this.countStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM calls');
  }

  /** Inserts a pending row with the id the caller chose (the chain needs it before the insert). */
  start(call: NewCall): void {
    this.insertStmt.run(call);
  }

  /** The newest row's id and MAC, where the chain continues from. */
  last(): { id: number; mac: string | null } | undefined {
    return this.lastStmt.get();
  }

  macOf(id: number): string | undefined {
    return this.macStmt.get(id)?.mac ?? undefined;
  }

  /** Every row in chain order, streamed. */
  iterate(): IterableIterator<RawCallRow> {
    return this.allStmt.iterate();
  }

  /** Counts per minute and outcome since `since` (audited calls only). */
  perMinute(since: number): Array<{ minute: number; outcome: string; n: number }> {
    return this.db
      .prepare<[number], { minute: number; outcome: string; n: number }>(
        `SELECT (ts / 60000) * 60000 AS minute, outcome, COUNT(*) AS n FROM calls
         WHERE ts >= ? AND method != 'warden/hello' GROUP BY minute, outcome ORDER BY minute`,
      )
      .all(since);
  }

  topTools(since: number, limit: number): Array<{ server: string; tool: string; calls: number }> {
    return this.db
      .prepare<[number, number], { server: string; tool: string; calls: number }>(
        `SELECT server, target AS tool, COUNT(*) AS calls FROM calls WHERE ts >= ? AND method = 'tools/call' AND target IS NOT NULL
         GROUP BY server, target ORDER BY calls DESC LIMIT ?`,
      )
      .all(since, limit);
  }

  /** Durations of calls that reached an upstream and returned, per server. */
  durations(since: number): Array<{ server: string; duration: number }> {
    return this.db
      .prepare<[number], { server: string; duration: number }>(
        `SELECT server, duration_ms AS duration FROM calls WHERE ts >= ? AND outcome IN ('ok', 'error') AND decision != 'deny' AND duration_ms IS NOT NULL`,
      )
      .all(since);
  }

  /** Rows left pending by a previous run. */
  pendingRows(): Array<{ id: number; mac: string }> {
    return this.pendingStmt.all();
  }

  /** The newest row a prune with these bounds would delete. */
  pruneEdge(olderThan: number, maxRows: number): { id: number; mac: string | null } | undefined {
    return this.pruneEdgeStmt.get(olderThan, maxRows);
  }

  complete(id: number, completion: CallCompletion): void {
    this.completeStmt.run({ id, ...completion });
  }

  /** Sets a completed row's count of folded refusals and its re-signed completion MAC; false when the row is gone. */
  fold(id: number, repeats: number, doneMac: string): boolean {
    return this.foldStmt.run(repeats, doneMac, id).changes > 0;
  }

  /** How many rows the log holds. */
  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }

  /** Bytes of the database in use (every table, without its free pages): what the size cap bounds. */
  usedBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  /** Whether a transaction is open (a write now is committed with it, not on its own). */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /**
   * Runs `work` in one transaction (nested calls join the outer one): every row it writes is
   * committed together when it returns, or none when it throws.
   */
  transaction<T>(work: () => T): T {
    if (this.db.inTransaction) return work();
    return this.runInTransaction.immediate(work) as T;
  }

  get(id: number): CallRecord | undefined {
    const row = this.getStmt.get(id);
    return row ? toRecord(row) : undefined;
  }

  /**
   * Rows oldest first: after `afterId`, or the newest before `beforeId`, or else the newest
   * `limit` rows.
   */
  query(limit: number, afterId?: number, beforeId?: number): CallRecord[] {
    const rows =
      afterId !== undefined ? this.afterStmt.all(afterId, limit) : beforeId !== undefined ? this.beforeStmt.all(beforeId, limit) : this.latestStmt.all(limit);
    return rows.map(toRecord);
  }

  /** Deletes rows older than `olderThan` (ms) and beyond the newest `maxRows`; returns how many. */
  prune(olderThan: number, maxRows: number): number {
    return this.pruneAgeStmt.run(olderThan).changes + this.pruneCountStmt.run(maxRows).changes;
  }

  /** Distinct values of a column of audited calls (not hellos), sorted, at most `limit` of them. */
  distinct(column: 'client' | 'server', limit: number): string[] {
    // The column name comes from the union above, never from a caller's text.
    return this.db
      .prepare<[number], { v: string }>(`SELECT DISTINCT ${column} AS v FROM calls WHERE method != 'warden/hello' ORDER BY v LIMIT ?`)
      .all(limit)
      .map((row) => row.v);
  }

  /** Distinct (server, target) pairs of tool calls, at most `limit`. */
  distinctTools(limit: number): Array<{ server: string; tool: string }> {
    return this.db
      .prepare<[number], { server: string; tool: string }>(
        `SELECT DISTINCT server, target AS tool FROM calls WHERE method = 'tools/call' AND target IS NOT NULL ORDER BY server, tool LIMIT ?`,
      )
      .all(limit);
  }

  /** Calls each rule decided (folded refusals counted in full) and the last time, by rule id. */
  ruleHits(): Array<{ ruleId: number; hits: number; lastAt: number }> {
    return this.db
      .prepare<[], { ruleId: number; hits: number; lastAt: number }>(
        `SELECT CAST(json_extract(reason_meta, '$.ruleId') AS INTEGER) AS ruleId, SUM(repeats) AS hits, MAX(ts) AS lastAt FROM calls
         WHERE json_valid(reason_meta) AND json_extract(reason_meta, '$.type') = 'rule' GROUP BY ruleId`,
      )
      .all();
  }

  /** Calls decided by each server's default action (no rule matched), by server. */
  defaultHits(): Array<{ server: string; hits: number; lastAt: number }> {
    return this.db
      .prepare<[], { server: string; hits: number; lastAt: number }>(
        `SELECT server, SUM(repeats) AS hits, MAX(ts) AS lastAt FROM calls
         WHERE json_valid(reason_meta) AND json_extract(reason_meta, '$.type') = 'default' GROUP BY server`,
      )
      .all();
  }

  /** The last call (not a hello) of each client. */
  lastCallByClient(): Array<{ client: string; lastAt: number }> {
    return this.db
      .prepare<[], { client: string; lastAt: number }>(`SELECT client, MAX(ts) AS lastAt FROM calls WHERE method != 'warden/hello' GROUP BY client`)
      .all();
  }

  /**
   * The newest refused, denied and failed rows since `since`, newest first, with the kind of
   * their reason (rule, limit, paused, guard, …) from the structured reason; at most `limit`.
   */
  problemsSince(since: number, limit: number): Array<CallRecord & { reasonType: string | null }> {
    return this.db
      .prepare<[number, number], RawCallRow & { reason_type: string | null }>(
        `SELECT *, CASE WHEN json_valid(reason_meta) THEN json_extract(reason_meta, '$.type') END AS reason_type FROM calls
         WHERE ts >= ? AND outcome IN ('denied', 'refused', 'error') ORDER BY id DESC LIMIT ?`,
      )
      .all(since, limit)
      .map((row) => ({ ...toRecord(row), reasonType: row.reason_type }));
  }
}

function toRecord(row: RawCallRow): CallRecord {
  return {
    id: row.id,
    ts: row.ts,
    session: row.session,
    client: row.client,
    server: row.server,
    method: row.method,
    target: row.target,
    arguments: row.arguments,
    outcome: row.outcome,
    error: row.error,
    durationMs: row.duration_ms,
    resultBytes: row.result_bytes,
    decision: row.decision,
    reason: row.reason,
    notes: row.notes,
    repeats: row.repeats ?? 1,
  };
}
