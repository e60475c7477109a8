import type { CallRecord } from '../../../src-shared/control-api.js';
import type { CallCompletion, CallStore, NewCall } from '../db/call-store.js';

export type CallListener = (record: CallRecord) => void;

/**
 * The audit log the gateway writes to. `begin` commits a pending row before the call is
 * forwarded, so a crash can never hide a call; `end` completes it. Listeners (the live log)
 * are fed only when someone listens, to keep the hot path to one insert and one update.
 */
export class AuditLog {
  private readonly listeners = new Set<CallListener>();

  constructor(private readonly store: CallStore) {}

  begin(call: NewCall): number {
    const id = this.store.start(call);
    this.emit(id);
    return id;
  }

  end(id: number, completion: CallCompletion): void {
    this.store.complete(id, completion);
    this.emit(id);
  }

  /** Subscribes to every row written or completed from now on; returns the unsubscriber. */
  subscribe(listener: CallListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  query(limit: number, afterId?: number): CallRecord[] {
    return this.store.query(limit, afterId);
  }

  private emit(id: number): void {
    if (this.listeners.size === 0) return;
    const record = this.store.get(id);
    if (!record) return;
    for (const listener of this.listeners) listener(record);
  }
}
