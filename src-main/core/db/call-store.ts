import type { CallOutcome, CallRecord } from '../../../src-shared/control-api.js';
import type { Db } from './database.js';

export interface NewCall {
  ts: number;
  session: string;
  client: string;
  server: string;
  method: string;
  target: string | null;
  arguments: string | null;
}

export interface CallCompletion {
  outcome: Exclude<CallOutcome, 'pending'>;
  error: string | null;
  durationMs: number;
  resultBytes: number | null;
}

interface RawCallRow {
  id: number;
  ts: number;
  client: string;
  server: string;
  method: string;
  target: string | null;
  arguments: string | null;
  outcome: CallOutcome;
  error: string | null;
  duration_ms: number | null;
  result_bytes: number | null;
}

/** The audit log table: one row per decided call, written before it is forwarded. */
export class CallStore {
  private readonly db: Db;
  private readonly insertStmt;
  private readonly completeStmt;
  private readonly getStmt;
  private readonly afterStmt;
  private readonly latestStmt;
  private readonly interruptStmt;
  private readonly pruneAgeStmt;
  private readonly pruneCountStmt;

  /** Built once: better-sqlite3 wraps a function per `transaction()` call. */
  private readonly runInTransaction;

  constructor(db: Db) {
    this.db = db;
    this.runInTransaction = db.transaction((work: () => unknown) => work());
    this.insertStmt = db.prepare(
      `INSERT INTO calls (ts, session, client, server, method, target, arguments, outcome)
       VALUES (@ts, @session, @client, @server, @method, @target, @arguments, 'pending')`,
    );
    this.completeStmt = db.prepare(
      `UPDATE calls SET outcome = @outcome, error = @error, duration_ms = @durationMs, result_bytes = @resultBytes
       WHERE id = @id AND outcome = 'pending'`,
    );
    this.getStmt = db.prepare<[number], RawCallRow>('SELECT * FROM calls WHERE id = ?');
    this.afterStmt = db.prepare<[number, number], RawCallRow>('SELECT * FROM calls WHERE id > ? ORDER BY id LIMIT ?');
    this.latestStmt = db.prepare<[number], RawCallRow>('SELECT * FROM (SELECT * FROM calls ORDER BY id DESC LIMIT ?) ORDER BY id');
    this.interruptStmt = db.prepare(
      `UPDATE calls SET outcome = 'interrupted', error = 'Warden stopped before the call finished' WHERE outcome = 'pending'`,
    );
    this.pruneAgeStmt = db.prepare('DELETE FROM calls WHERE ts < ?');
    this.pruneCountStmt = db.prepare('DELETE FROM calls WHERE id <= (SELECT id FROM calls ORDER BY id DESC LIMIT 1 OFFSET ?)');
  }

  /** Inserts a pending row and returns its id; the insert is committed when this returns. */
  start(call: NewCall): number {
    return Number(this.insertStmt.run(call).lastInsertRowid);
  }

  complete(id: number, completion: CallCompletion): void {
    this.completeStmt.run({ id, ...completion });
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

  /** Rows after `afterId` in order, or the latest `limit` rows when `afterId` is absent. */
  query(limit: number, afterId?: number): CallRecord[] {
    const rows = afterId === undefined ? this.latestStmt.all(limit) : this.afterStmt.all(afterId, limit);
    return rows.map(toRecord);
  }

  /** Marks rows left pending by a previous run (a crash or kill) as interrupted; returns how many. */
  markInterrupted(): number {
    return this.interruptStmt.run().changes;
  }

  /** Deletes rows older than `olderThan` (ms) and beyond the newest `maxRows`; returns how many. */
  prune(olderThan: number, maxRows: number): number {
    return this.pruneAgeStmt.run(olderThan).changes + this.pruneCountStmt.run(maxRows).changes;
  }
}

function toRecord(row: RawCallRow): CallRecord {
  return {
    id: row.id,
    ts: row.ts,
    client: row.client,
    server: row.server,
    method: row.method,
    target: row.target,
    arguments: row.arguments,
    outcome: row.outcome,
    error: row.error,
    durationMs: row.duration_ms,
    resultBytes: row.result_bytes,
  };
}
