import { randomBytes } from 'node:crypto';
import type { ApprovalAnswer, PendingApproval } from '../../../src-shared/control-api.js';
import type { TargetKind } from '../../../src-shared/policy-types.js';

/** An ask as the session makes it: what the user will see, before it has an id and a deadline. */
export type ApprovalRequest = Omit<PendingApproval, 'id' | 'createdAt' | 'deadline'> & {
  /** Identical asks (same client, server, tool, raw arguments) share one approval. */
  dedupeKey: string;
  /**
   * What an "always" answer makes a rule for. Kept apart from the shown `tool`, which is
   * redacted (a resource URI may hold a secret) and so cannot be turned back into a target.
   */
  rule: { kind: TargetKind; target: string };
};

/**
 * How an ask ended: the user's answer, the deadline (`timeout`), or the kill switch (`paused`:
 * every pending ask is denied the moment Warden is paused).
 */
export type ApprovalOutcome =
  | { answer: ApprovalAnswer; approvalId: string }
  | { answer: 'timeout' | 'paused'; approvalId: string };

/** What {@link Approvals.answer} did. */
export type AnswerResult = 'answered' | 'not-pending' | 'paused';

/** A call's place in an ask: its id, its outcome, and a way to leave when the call ends first. */
export interface AskTicket {
  id: string;
  outcome: Promise<ApprovalOutcome>;
  /**
   * The call ended without an answer (cancelled, disconnected, failed): it stops waiting, and
   * the ask is removed once no call waits on it, so nobody can answer a call that is gone.
   */
  withdraw(): void;
}

type Waiter = (outcome: ApprovalOutcome) => void;

interface Entry {
  pending: PendingApproval;
  dedupeKey: string;
  rule: ApprovalRequest['rule'];
  waiters: Set<Waiter>;
  timer: NodeJS.Timeout;
}

/**
 * Calls waiting for the user. `request` resolves with the answer, or `timeout` after the
 * deadline; identical concurrent asks are shown once and answered together. An ask lives
 * exactly as long as some call waits on it: a call that ends first withdraws, and the last one
 * out removes the ask. While Warden is paused no answer is taken. Listeners (the event stream:
 * tray, window, `warden approvals`) hear of each new and each settled approval.
 */
export class Approvals {
  private readonly entries = new Map<string, Entry>();
  private readonly byKey = new Map<string, string>();
  private readonly listeners = new Set<(event: 'added' | 'settled', approval: PendingApproval) => void>();

  constructor(
    private readonly now: () => number,
    readonly timeoutMs: () => number,
    private readonly paused: () => boolean = () => false,
  ) {}

  request(request: ApprovalRequest): AskTicket {
    const existing = this.byKey.get(request.dedupeKey);
    const shared = existing === undefined ? undefined : this.entries.get(existing);
    if (shared) return this.ticket(shared);
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
    const timer = setTimeout(() => this.settle(id, { answer: 'timeout', approvalId: id }), pending.deadline - created);
    const entry: Entry = { pending, dedupeKey: request.dedupeKey, rule: request.rule, waiters: new Set(), timer };
    this.entries.set(id, entry);
    this.byKey.set(request.dedupeKey, id);
    const ticket = this.ticket(entry);
    this.tell('added', pending);
    return ticket;
  }

  /**
   * Answers a pending approval. `not-pending` when there is none with that id (answered, timed
   * out, or its call ended); `paused` while Warden is paused, when no answer is taken.
   */
  answer(id: string, answer: ApprovalAnswer): AnswerResult {
    if (this.paused()) return 'paused';
    if (!this.entries.has(id)) return 'not-pending';
    this.settle(id, { answer, approvalId: id });
    return 'answered';
  }

  /** Denies every pending ask at once (the kill switch). */
  pauseAll(): void {
    for (const id of [...this.entries.keys()]) this.settle(id, { answer: 'paused', approvalId: id });
  }

  list(): PendingApproval[] {
    return [...this.entries.values()].map((entry) => entry.pending).sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): PendingApproval | undefined {
    return this.entries.get(id)?.pending;
  }

  /** The target an "always" answer to a pending approval makes a rule for. */
  ruleOf(id: string): ApprovalRequest['rule'] | undefined {
    return this.entries.get(id)?.rule;
  }

  subscribe(listener: (event: 'added' | 'settled', approval: PendingApproval) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settles every pending approval as timed out (shutdown). */
  cancelAll(): void {
    for (const id of [...this.entries.keys()]) this.settle(id, { answer: 'timeout', approvalId: id });
  }

  private ticket(entry: Entry): AskTicket {
    let waiter: Waiter = () => undefined;
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      waiter = resolve;
    });
    entry.waiters.add(waiter);
    return {
      id: entry.pending.id,
      outcome,
      withdraw: () => {
        if (!entry.waiters.delete(waiter) || entry.waiters.size > 0) return;
        this.remove(entry);
      },
    };
  }

  private settle(id: string, outcome: ApprovalOutcome): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    const waiters = [...entry.waiters];
    this.remove(entry);
    for (const waiter of waiters) waiter(outcome);
  }

  private remove(entry: Entry): void {
    clearTimeout(entry.timer);
    entry.waiters.clear();
    this.entries.delete(entry.pending.id);
    this.byKey.delete(entry.dedupeKey);
    this.tell('settled', entry.pending);
  }

  /** Listeners are the event stream's; one that throws must not keep the others from hearing. */
  private tell(event: 'added' | 'settled', approval: PendingApproval): void {
    for (const listener of this.listeners) {
      try {
        listener(event, approval);
      } catch {
        // A broken subscriber (a closed window) loses its event; the approval itself is unaffected.
      }
    }
  }
}
