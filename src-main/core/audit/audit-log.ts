import { createHmac } from 'node:crypto';
import type { CallRecord } from '../../../src-shared/control-api.js';
import type { CallCompletion, CallStore, NewCall, RawCallRow } from '../db/call-store.js';
import type { SettingsStore } from '../db/settings-store.js';

export type CallListener = (record: CallRecord) => void;
export type NewCallInput = Omit<NewCall, 'id' | 'mac'>;
export type CompletionInput = Omit<CallCompletion, 'doneMac'>;

/** How long a completion may wait for the next commit before it is written on its own. */
const COMPLETION_FLUSH_MS = 10;
const CHECKPOINT_KEY = 'audit.checkpoint';
const HEAD_KEY = 'audit.head';
const GENESIS = 'genesis';

/** What `warden log verify` reports. */
export type ChainReport =
  | { ok: true; rows: number; firstId: number | null; lastId: number | null }
  | { ok: false; rows: number; brokenId: number | null; problem: string };

/**
 * The audit log the gateway writes to.
 *
 * `begin` inserts a pending row; callers wrap the requests of one read in {@link batch}, and
 * forward them only after it returns, so every forwarded call is committed first and a crash
 * can never hide one. `end` queues the completion: it is written with the next commit (or
 * within {@link COMPLETION_FLUSH_MS}). A crash inside that window leaves the row pending, and
 * the next start marks it interrupted.
 *
 * Tamper evidence: each row carries an HMAC (key from the vault) over its decision fields and
 * the previous row's MAC; its completion carries an HMAC over the outcome bound to the row's
 * MAC. Pruning keeps a signed checkpoint (the MAC of the last row removed) so the rest still
 * verifies, and a signed head (the newest row) is kept up to date so a cut-off tail shows.
 */
export class AuditLog {
  private readonly listeners = new Set<CallListener>();
  private queued: Array<{ id: number; completion: CompletionInput }> = [];
  private timer: NodeJS.Timeout | undefined;
  private lastId = 0;
  private lastMac = GENESIS;
  private anchoredId = -1;

  constructor(
    private readonly store: CallStore,
    private readonly settings: SettingsStore,
    private readonly key: Buffer,
  ) {
    this.loadHead();
  }

  /** Runs `work` in one transaction that also writes the queued completions. */
  batch<T>(work: () => T): T {
    try {
      return this.store.transaction(() => {
        this.writeQueued();
        return work();
      });
    } catch (error) {
      // The rows of the failed transaction are gone: continue the chain from what was kept.
      this.loadHead();
      throw error;
    }
  }

  /** Inserts a pending row; committed when the enclosing {@link batch} returns. */
  begin(call: NewCallInput): number {
    const id = this.lastId + 1;
    const mac = this.sign(this.lastMac, decisionFields({ ...call, id }));
    this.store.start({ ...call, id, mac });
    this.lastId = id;
    this.lastMac = mac;
    this.emit(id);
    return id;
  }

  /** Queues the completion of a row. */
  end(id: number, completion: CompletionInput): void {
    this.queued.push({ id, completion });
    this.timer ??= setTimeout(() => this.flush(), COMPLETION_FLUSH_MS);
  }

  /** Writes every queued completion now (on a timer, at shutdown, before a query). */
  flush(): void {
    if (this.queued.length > 0) this.store.transaction(() => this.writeQueued());
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Completes rows a previous run left pending as interrupted; returns how many. */
  markInterrupted(): number {
    const rows = this.store.pendingRows();
    this.store.transaction(() => {
      for (const row of rows) {
        const completion = { outcome: 'interrupted' as const, error: 'Warden stopped before the call finished', durationMs: 0, resultBytes: null, notes: null };
        this.store.complete(row.id, { ...completion, doneMac: this.sign(row.mac, completionFields(completion)) });
      }
    });
    return rows.length;
  }

  /** Records the newest row in a signed head, so a later cut of the tail is detected. */
  anchor(): void {
    if (this.anchoredId === this.lastId) return;
    const head = { id: this.lastId, mac: this.lastMac };
    this.settings.setRaw(HEAD_KEY, JSON.stringify({ ...head, tag: this.sign('head', [head.id, head.mac]) }));
    this.anchoredId = this.lastId;
  }

  /**
   * Deletes rows older than `olderThan` (ms) and beyond the newest `maxRows`, first keeping a
   * signed checkpoint of the last one removed; returns how many went.
   */
  prune(olderThan: number, maxRows: number): number {
    this.flush();
    const edge = this.store.pruneEdge(olderThan, maxRows);
    if (!edge || edge.mac === null) return 0;
    return this.store.transaction(() => {
      const checkpoint = { id: edge.id, mac: edge.mac };
      this.settings.setRaw(CHECKPOINT_KEY, JSON.stringify({ ...checkpoint, tag: this.sign('checkpoint', [checkpoint.id, checkpoint.mac]) }));
      return this.store.prune(olderThan, maxRows);
    });
  }

  /** Recomputes the chain and reports the first row that does not verify. */
  verify(): ChainReport {
    this.flush();
    const checkpoint = this.readSigned(CHECKPOINT_KEY, 'checkpoint');
    if (checkpoint === 'forged') return { ok: false, rows: 0, brokenId: null, problem: 'the prune checkpoint is not signed by this vault' };
    const head = this.readSigned(HEAD_KEY, 'head');
    if (head === 'forged') return { ok: false, rows: 0, brokenId: null, problem: 'the head record is not signed by this vault' };
    let previous = checkpoint?.mac ?? GENESIS;
    let expectedAfter = checkpoint?.id ?? 0;
    let rows = 0;
    let firstId: number | null = null;
    let lastId: number | null = null;
    for (const row of this.store.iterate()) {
      if (row.id <= expectedAfter) {
        return { ok: false, rows, brokenId: row.id, problem: `row #${row.id} is older than the prune checkpoint (#${expectedAfter})` };
      }
      if (row.mac === null || row.mac !== this.sign(previous, decisionFields(row))) {
        const why = firstId === null && checkpoint ? 'it does not follow the prune checkpoint (rows before it were removed)' : 'its content or its place in the chain was changed, or a row before it was removed';
        return { ok: false, rows, brokenId: row.id, problem: `row #${row.id} does not verify: ${why}` };
      }
      if (row.outcome !== 'pending') {
        const completion = { outcome: row.outcome, error: row.error, durationMs: row.duration_ms, resultBytes: row.result_bytes, notes: row.notes };
        if (row.done_mac !== this.sign(row.mac, completionFields(completion))) {
          return { ok: false, rows, brokenId: row.id, problem: `row #${row.id} does not verify: its outcome was changed` };
        }
      }
      previous = row.mac;
      expectedAfter = row.id;
      firstId ??= row.id;
      lastId = row.id;
      rows++;
    }
    if (head && head.id > (lastId ?? checkpoint?.id ?? 0)) {
      return { ok: false, rows, brokenId: head.id, problem: `rows up to #${head.id} were written, but the log ends at #${lastId ?? 'none'}: the newest rows were removed` };
    }
    return { ok: true, rows, firstId, lastId };
  }

  /** Subscribes to every row written or completed from now on; returns the unsubscriber. */
  subscribe(listener: CallListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The store, for read-only summaries (the overview). */
  get reader(): Pick<CallStore, 'perMinute' | 'topTools' | 'durations'> {
    this.flush();
    return this.store;
  }

  query(limit: number, afterId?: number, beforeId?: number): CallRecord[] {
    this.flush();
    return this.store.query(limit, afterId, beforeId);
  }

  private loadHead(): void {
    const last = this.store.last();
    const checkpoint = this.readSigned(CHECKPOINT_KEY, 'checkpoint');
    const fromCheckpoint = checkpoint && checkpoint !== 'forged' ? checkpoint : undefined;
    this.lastId = last?.id ?? fromCheckpoint?.id ?? 0;
    this.lastMac = last?.mac ?? fromCheckpoint?.mac ?? GENESIS;
  }

  private readSigned(key: string, label: string): { id: number; mac: string } | undefined | 'forged' {
    const raw = this.settings.getRaw(key);
    if (raw === undefined) return undefined;
    const parsed = JSON.parse(raw) as { id: number; mac: string; tag: string };
    return parsed.tag === this.sign(label, [parsed.id, parsed.mac]) ? { id: parsed.id, mac: parsed.mac } : 'forged';
  }

  /** HMAC over the previous MAC and each part, length-prefixed so no two inputs run together. */
  private sign(previous: string, parts: ReadonlyArray<string | number | null>): string {
    const hmac = createHmac('sha256', this.key).update(previous);
    for (const part of parts) {
      const text = part === null ? '' : String(part);
      hmac.update(part === null ? '\u0000n' : `\u0000${text.length}:`).update(text);
    }
    return hmac.digest('base64url');
  }

  private writeQueued(): void {
    const queued = this.queued;
    if (queued.length === 0) return;
    this.queued = [];
    for (const { id, completion } of queued) {
      const rowMac = this.macOf(id);
      this.store.complete(id, { ...completion, doneMac: this.sign(rowMac, completionFields(completion)) });
    }
    for (const { id } of queued) this.emit(id);
  }

  /** Recent MACs stay in memory so a completion needs no query. */
  private readonly recentMacs = new Map<number, string>();

  private macOf(id: number): string {
    const mac = this.recentMacs.get(id);
    if (mac !== undefined) {
      this.recentMacs.delete(id);
      return mac;
    }
    return this.store.macOf(id) ?? '';
  }

  private emit(id: number): void {
    if (id === this.lastId) this.recentMacs.set(id, this.lastMac);
    if (this.recentMacs.size > 10_000) this.recentMacs.clear();
    if (this.listeners.size === 0) return;
    const record = this.store.get(id);
    if (!record) return;
    for (const listener of this.listeners) listener(record);
  }
}

/** The fields a row's MAC covers, in a fixed order. */
function decisionFields(row: Pick<RawCallRow, 'id' | 'ts' | 'session' | 'client' | 'server' | 'method' | 'target' | 'arguments'> & {
  decision: string | null;
  reason: string | null;
  reasonMeta?: string | null;
  reason_meta?: string | null;
}): Array<string | number | null> {
  return [
    row.id,
    row.ts,
    row.session,
    row.client,
    row.server,
    row.method,
    row.target,
    row.arguments,
    row.decision,
    row.reason,
    row.reasonMeta ?? row.reason_meta ?? null,
  ];
}

function completionFields(completion: {
  outcome: string;
  error: string | null;
  durationMs: number | null;
  resultBytes: number | null;
  notes: string | null;
}): Array<string | number | null> {
  return [completion.outcome, completion.error, completion.durationMs, completion.resultBytes, completion.notes];
}
