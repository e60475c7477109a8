import type { CallRecord } from '../../../src-shared/control-api.js';
import type { CallCompletion, CallStore, NewCall } from '../db/call-store.js';

export type CallListener = (record: CallRecord) => void;

/** How long a completion may wait for the next commit before it is written on its own. */
const COMPLETION_FLUSH_MS = 10;

/**
 * The audit log the gateway writes to.
 *
 * `begin` inserts a pending row; callers wrap the requests of one read in {@link batch}, and
 * forward them only after it returns, so every forwarded call is committed first and a crash
 * can never hide one. `end` queues the completion: it is written with the next commit (or
 * within {@link COMPLETION_FLUSH_MS}), keeping a second commit off each response's path. A
 * crash inside that window leaves the row pending, and the next start marks it interrupted.
 *
 * Listeners (the live log) are fed only when someone listens.
 */
export class AuditLog {
  private readonly listeners = new Set<CallListener>();
  private queued: Array<{ id: number; completion: CallCompletion }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: CallStore) {}

  /** Runs `work` in one transaction that also writes the queued completions. */
  batch<T>(work: () => T): T {
    return this.store.transaction(() => {
      this.writeQueued();
      return work();
    });
  }

  /** Inserts a pending row; committed when the enclosing {@link batch} returns. */
  begin(call: NewCall): number {
    const id = this.store.start(call);
    this.emit(id);
    return id;
  }

  /** Queues the completion of a row. */
  end(id: number, completion: CallCompletion): void {
    this.queued.push({ id, completion });
    this.timer ??= setTimeout(() => this.flush(), COMPLETION_FLUSH_MS);
  }

  /** Writes every queued completion now (on a timer, at shutdown, before a query). */
  flush(): void {
    if (this.queued.length > 0) this.store.transaction(() => this.writeQueued());
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Subscribes to every row written or completed from now on; returns the unsubscriber. */
  subscribe(listener: CallListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  query(limit: number, afterId?: number): CallRecord[] {
    this.flush();
    return this.store.query(limit, afterId);
  }

  private writeQueued(): void {
    const queued = this.queued;
    if (queued.length === 0) return;
    this.queued = [];
    for (const { id, completion } of queued) this.store.complete(id, completion);
    for (const { id } of queued) this.emit(id);
  }

  private emit(id: number): void {
    if (this.listeners.size === 0) return;
    const record = this.store.get(id);
    if (!record) return;
    for (const listener of this.listeners) listener(record);
  }
}
