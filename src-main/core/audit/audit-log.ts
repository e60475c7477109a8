import type { CallRecord } from '../../../src-shared/control-api.js';
import type { CallStore } from '../db/call-store.js';
import type { SettingsStore } from '../db/settings-store.js';
import { completionFields, decisionFields, storedCall, storedCompletion, type CompletionInput, type NewCallInput } from './audit-fields.js';
import { ChainSigner, GENESIS } from './chain-signer.js';
import { verifyChain, type ChainPointer, type ChainReport } from './chain-verifier.js';
import { RefusalFolder } from './refusal-folder.js';

export type { CompletionInput, NewCallInput } from './audit-fields.js';
export type { ChainProblem, ChainReport } from './chain-verifier.js';
export type CallListener = (record: CallRecord) => void;

/** How long a completion may wait for the next commit before it is written on its own. */
const COMPLETION_FLUSH_MS = 10;
/** How long a completion that could not be written waits before the next try. */
const COMPLETION_RETRY_MS = 1000;
/** The size cap never prunes the log below this many rows. */
const MIN_KEPT_ROWS = 100;
const CHECKPOINT_KEY = 'audit.checkpoint';
const HEAD_KEY = 'audit.head';

/** A signed pointer to the newest row: kept in the database and in a file beside it. */
export interface SignedHead {
  id: number;
  mac: string;
  tag: string;
}

export interface AuditLogOptions {
  /** Told when a background write fails (once per run of failures; the log retries). */
  onError?(operation: string, error: unknown): void;
  /** Told when background writes work again after failing. */
  onRecovered?(operation: string): void;
}

/**
 * The audit log the gateway writes to.
 *
 * `begin` inserts a pending row; callers wrap the requests of one read in {@link batch}, and
 * forward them only after it returns, so every forwarded call is committed first and a crash
 * can never hide one. `end` queues the completion: it is written with the next commit (or
 * within {@link COMPLETION_FLUSH_MS}). A crash inside that window leaves the row pending, and
 * the next start marks it interrupted. A completion whose write fails (a full disk) stays
 * queued and is written later; it is never dropped.
 *
 * Every text is stored and signed in the same well-formed form, so the MAC covers exactly the
 * bytes on disk. Each row carries an HMAC (key from the vault) over its decision fields and
 * the previous row's MAC; its completion carries an HMAC over the outcome bound to the row's
 * MAC. Pruning keeps a signed checkpoint (the MAC of the last row removed) so the rest still
 * verifies, and a signed head (the newest row) is kept up to date so a cut-off tail shows.
 */
export class AuditLog {
  private readonly listeners = new Set<CallListener>();
  private readonly signer: ChainSigner;
  private readonly folder = new RefusalFolder();
  private queued: Array<{ id: number; completion: CompletionInput }> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushFailing = false;
  private lastId = 0;
  private lastMac = GENESIS;
  private anchoredId = -1;
  /** Recent MACs stay in memory so a completion needs no query. */
  private readonly recentMacs = new Map<number, string>();

  constructor(
    private readonly store: CallStore,
    private readonly settings: SettingsStore,
    key: Buffer,
    private readonly options: AuditLogOptions = {},
  ) {
    this.signer = new ChainSigner(key);
    this.loadHead();
  }

  /**
   * Runs `work` in one transaction that also writes the queued completions. When it throws
   * (a full disk), nothing of it was kept: the chain continues from what was committed, and
   * the queued completions stay queued for the next commit.
   */
  batch<T>(work: () => T): T {
    return this.committed(() => {
      const written = this.writeQueued();
      return { value: work(), written };
    });
  }

  /** Inserts a pending row; committed when the enclosing {@link batch} returns. */
  begin(call: NewCallInput): number {
    const row = storedCall(call);
    const id = this.insert(row);
    this.folder.noteRow(row.session, id);
    this.emit(id);
    return id;
  }

  /** Queues the completion of a row. */
  end(id: number, completion: CompletionInput): void {
    this.queued.push({ id, completion: storedCompletion(completion) });
    this.timer ??= setTimeout(() => this.flushInBackground(), COMPLETION_FLUSH_MS);
  }

  /**
   * Records a refused call (outcome `denied` or `refused`) complete, in one step. When the
   * newest row of the same session is the same refusal (same client, server, method, target,
   * arguments, decision, reason and error) less than a minute old, that row's `repeats` count
   * goes up instead of a new row, and its completion MAC is re-signed over the new count.
   * Returns the id of the row that records the call. Joins the enclosing {@link batch}.
   */
  refused(call: NewCallInput, completion: CompletionInput & { outcome: 'denied' | 'refused' }): number {
    const row = storedCall(call);
    const done = storedCompletion(completion);
    const fold = this.folder.match(row, done);
    const recorded = this.committed(() => {
      if (fold) {
        const repeats = fold.repeats + 1;
        if (this.store.fold(fold.id, repeats, this.signer.sign(fold.mac, completionFields({ ...done, repeats })))) {
          return { value: { id: fold.id, repeats, mac: fold.mac }, written: 0 };
        }
      }
      const inserted = this.insert(row);
      this.store.complete(inserted, { ...done, doneMac: this.signer.sign(this.lastMac, completionFields(done)) });
      return { value: { id: inserted, repeats: 1, mac: this.lastMac }, written: 0 };
    });
    this.folder.noteRefusal(row, done, recorded);
    this.emit(recorded.id);
    return recorded.id;
  }

  /** Writes every queued completion now; throws when the database refuses (they stay queued). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued.length > 0) this.committed(() => ({ value: undefined, written: this.writeQueued() }));
  }

  /** Completes rows a previous run left pending as interrupted; returns how many. */
  markInterrupted(): number {
    const rows = this.store.pendingRows();
    this.store.transaction(() => {
      for (const row of rows) {
        const completion = { outcome: 'interrupted' as const, error: 'Warden stopped before the call finished', durationMs: 0, resultBytes: null, notes: null };
        this.store.complete(row.id, { ...completion, doneMac: this.signer.sign(row.mac, completionFields(completion)) });
      }
    });
    return rows.length;
  }

  /** Records the newest row in a signed head, so a later cut of the tail is detected; returns it. */
  anchor(): SignedHead {
    const head = this.head();
    if (this.anchoredId !== head.id) {
      this.settings.setRaw(HEAD_KEY, JSON.stringify(head));
      this.anchoredId = head.id;
    }
    return head;
  }

  /** The newest committed row, signed (for the head file kept outside the database). */
  head(): SignedHead {
    return { id: this.lastId, mac: this.lastMac, tag: this.signer.tag('head', this.lastId, this.lastMac) };
  }

  /**
   * Why this database cannot hold the log that wrote `head` (a head kept outside it), or
   * undefined when it can: its log ends before the head (rows, or the whole log, were lost),
   * or the head was signed with another key (the database was replaced). The database's own
   * signed head is checked the same way.
   */
  headProblem(fileHead: SignedHead | undefined): string | undefined {
    const own = this.readSigned(HEAD_KEY, 'head');
    if (own && own.signed && own.id > this.lastId) {
      return `its audit log ends at #${this.lastId}, but Warden had written up to #${own.id}: the newest rows were removed`;
    }
    if (!fileHead) return undefined;
    if (fileHead.id > this.lastId) {
      return `its audit log ends at #${this.lastId}, but Warden had written up to #${fileHead.id}: rows were lost, or the file was replaced by an older or empty one`;
    }
    if (fileHead.tag !== this.signer.tag('head', fileHead.id, fileHead.mac)) {
      return 'it is not the database Warden last wrote (its audit log is signed with another key)';
    }
    return undefined;
  }

  /**
   * Deletes rows older than `olderThan` (ms), beyond the newest `maxRows`, and then the oldest
   * until the database uses at most `maxBytes` (never below {@link MIN_KEPT_ROWS} rows), first
   * keeping a signed checkpoint of the last one removed; returns how many went.
   */
  prune(olderThan: number, maxRows: number, maxBytes = Number.POSITIVE_INFINITY): number {
    this.tryFlush();
    let removed = this.pruneTo(olderThan, maxRows);
    for (let round = 0; round < 8; round++) {
      const used = this.store.usedBytes();
      const rows = this.store.count();
      if (used <= maxBytes || rows <= MIN_KEPT_ROWS) break;
      // Rows are roughly alike: drop the share of rows over the cap, and 1% more for slack.
      const excess = Math.ceil(((used - maxBytes) / used) * rows) + Math.ceil(rows / 100);
      removed += this.pruneTo(Number.NEGATIVE_INFINITY, Math.max(MIN_KEPT_ROWS, rows - excess));
    }
    return removed;
  }

  /** Recomputes the whole chain and reports every row that does not verify (the first ones listed). */
  verify(): ChainReport {
    this.tryFlush();
    return verifyChain(this.signer, this.store.iterate(), this.readSigned(CHECKPOINT_KEY, 'checkpoint'), this.readSigned(HEAD_KEY, 'head'));
  }

  /** Subscribes to every row written or completed from now on; returns the unsubscriber. */
  subscribe(listener: CallListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The store, for read-only summaries (the overview). */
  get reader(): Pick<CallStore, 'perMinute' | 'topTools' | 'durations'> {
    this.tryFlush();
    return this.store;
  }

  query(limit: number, afterId?: number, beforeId?: number): CallRecord[] {
    this.tryFlush();
    return this.store.query(limit, afterId, beforeId);
  }

  /**
   * Runs `work` in one transaction; `written` queued completions are taken off the queue only
   * once it commits. On failure the in-memory chain is reloaded from what was committed.
   */
  private committed<T>(work: () => { value: T; written: number }): T {
    // Inside a caller's transaction nothing is committed yet: the queue stays as it is.
    const nested = this.store.inTransaction;
    try {
      const result = this.store.transaction(work);
      if (nested) return result.value;
      const done = this.queued.splice(0, result.written);
      for (const { id } of done) {
        this.recentMacs.delete(id);
        this.emit(id);
      }
      return result.value;
    } catch (error) {
      this.recover();
      throw error;
    }
  }

  /** After a failed transaction: continue the chain from the committed rows, forget the rest. */
  private recover(): void {
    this.loadHead();
    this.recentMacs.clear();
    this.folder.clear();
    // Completions of rows the failed transaction inserted have no row to complete.
    this.queued = this.queued.filter(({ id }) => id <= this.lastId);
  }

  private insert(row: NewCallInput): number {
    const id = this.lastId + 1;
    const stored = { ...row, id, mac: '' };
    const mac = this.signer.sign(this.lastMac, decisionFields(stored));
    stored.mac = mac;
    this.store.start(stored);
    this.lastId = id;
    this.lastMac = mac;
    this.recentMacs.set(id, mac);
    if (this.recentMacs.size > 10_000) this.recentMacs.clear();
    return id;
  }

  private pruneTo(olderThan: number, maxRows: number): number {
    const edge = this.store.pruneEdge(olderThan, maxRows);
    if (!edge || edge.mac === null) return 0;
    return this.store.transaction(() => {
      this.settings.setRaw(CHECKPOINT_KEY, JSON.stringify({ id: edge.id, mac: edge.mac, tag: this.signer.tag('checkpoint', edge.id, edge.mac as string) }));
      return this.store.prune(olderThan, maxRows);
    });
  }

  /** A flush for readers and timers: a failure is reported once and retried, never thrown. */
  private tryFlush(): boolean {
    try {
      this.flush();
      if (this.flushFailing) {
        this.flushFailing = false;
        this.options.onRecovered?.('writing call outcomes');
      }
      return true;
    } catch (error) {
      if (!this.flushFailing) {
        this.flushFailing = true;
        this.options.onError?.('writing call outcomes', error);
      }
      this.timer ??= setTimeout(() => this.flushInBackground(), COMPLETION_RETRY_MS);
      return false;
    }
  }

  private flushInBackground(): void {
    this.timer = undefined;
    this.tryFlush();
  }

  private loadHead(): void {
    const last = this.store.last();
    const checkpoint = this.readSigned(CHECKPOINT_KEY, 'checkpoint');
    const fromCheckpoint = checkpoint?.signed ? checkpoint : undefined;
    this.lastId = last?.id ?? fromCheckpoint?.id ?? 0;
    this.lastMac = last?.mac ?? fromCheckpoint?.mac ?? GENESIS;
  }

  private readSigned(key: string, label: string): ChainPointer | undefined {
    const raw = this.settings.getRaw(key);
    if (raw === undefined) return undefined;
    let parsed: Partial<SignedHead>;
    try {
      parsed = JSON.parse(raw) as Partial<SignedHead>;
    } catch {
      return { id: 0, mac: '', signed: false };
    }
    const id = typeof parsed.id === 'number' ? parsed.id : 0;
    const mac = typeof parsed.mac === 'string' ? parsed.mac : '';
    return { id, mac, signed: parsed.tag === this.signer.tag(label, id, mac) };
  }

  /** Writes the queued completions (inside the caller's transaction); returns how many. */
  private writeQueued(): number {
    const queued = this.queued;
    for (const { id, completion } of queued) {
      const rowMac = this.recentMacs.get(id) ?? this.store.macOf(id) ?? '';
      this.store.complete(id, { ...completion, doneMac: this.signer.sign(rowMac, completionFields(completion)) });
    }
    return queued.length;
  }

  private emit(id: number): void {
    if (this.listeners.size === 0) return;
    const record = this.store.get(id);
    if (!record) return;
    for (const listener of this.listeners) listener(record);
  }
}
