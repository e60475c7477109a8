import { randomBytes } from 'node:crypto';
import type { ApprovalAnswer, PendingApproval } from '../../../src-shared/control-api.js';

/** An ask as the session makes it: what the user will see, before it has an id and a deadline. */
export type ApprovalRequest = Omit<PendingApproval, 'id' | 'createdAt' | 'deadline'> & {
  /** Identical asks (same client, server, tool, raw arguments) share one approval. */
  dedupeKey: string;
};

export type ApprovalOutcome =
  | { answer: ApprovalAnswer; approvalId: string }
  | { answer: 'timeout'; approvalId: string };

interface Entry {
  pending: PendingApproval;
  dedupeKey: string;
  waiters: Array<(outcome: ApprovalOutcome) => void>;
  timer: NodeJS.Timeout;
}

/**
 * Calls waiting for the user. `request` resolves with the answer, or `timeout` after the
 * deadline; identical concurrent asks are shown once and answered together. Listeners (the
 * event stream: tray, window, `warden approvals`) hear of each new and each settled approval.
 */
export class Approvals {
  private readonly entries = new Map<string, Entry>();
  private readonly byKey = new Map<string, string>();
  private readonly listeners = new Set<(event: 'added' | 'settled', approval: PendingApproval) => void>();

  constructor(
    private readonly now: () => number,
    readonly timeoutMs: () => number,
  ) {}

  request(request: ApprovalRequest): { id: string; outcome: Promise<ApprovalOutcome> } {
    const existing = this.byKey.get(request.dedupeKey);
    const entry = existing === undefined ? undefined : this.entries.get(existing);
    if (entry) {
      return { id: entry.pending.id, outcome: new Promise((resolve) => entry.waiters.push(resolve)) };
    }
    const id = `ap_${randomBytes(6).toString('hex')}`;
    const created = this.now();
    const pending: PendingApproval = {
      id,
      client: request.client,
      server: request.server,
      tool: request.tool,
      arguments: request.arguments,
      reason: request.reason,
      createdAt: created,
      deadline: created + this.timeoutMs(),
    };
    let resolveFirst: (outcome: ApprovalOutcome) => void = () => undefined;
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      resolveFirst = resolve;
    });
    const timer = setTimeout(() => this.settle(id, { answer: 'timeout', approvalId: id }), pending.deadline - created);
    this.entries.set(id, { pending, dedupeKey: request.dedupeKey, waiters: [resolveFirst], timer });
    this.byKey.set(request.dedupeKey, id);
    for (const listener of this.listeners) listener('added', pending);
    return { id, outcome };
  }

  /** Answers a pending approval; false when there is none with that id (already settled). */
  answer(id: string, answer: ApprovalAnswer): boolean {
    if (!this.entries.has(id)) return false;
    this.settle(id, { answer, approvalId: id });
    return true;
  }

  list(): PendingApproval[] {
    return [...this.entries.values()].map((entry) => entry.pending).sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): PendingApproval | undefined {
    return this.entries.get(id)?.pending;
  }

  subscribe(listener: (event: 'added' | 'settled', approval: PendingApproval) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settles every pending approval as timed out (shutdown). */
  cancelAll(): void {
    for (const id of [...this.entries.keys()]) this.settle(id, { answer: 'timeout', approvalId: id });
  }

  private settle(id: string, outcome: ApprovalOutcome): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(id);
    this.byKey.delete(entry.dedupeKey);
    for (const waiter of entry.waiters) waiter(outcome);
    for (const listener of this.listeners) listener('settled', entry.pending);
  }
}
