import type { JsonRpcId } from '../jsonrpc/json-rpc.js';
import type { Wire } from './upstream-supervisor.js';

/** Where a batch delivers what it held. */
export interface BatchSinks {
  client(data: string): void;
  /** The upstream-bound lines of the read, in order, in one write. */
  upstream(wires: Wire[]): void;
}

/** Where a failed batch delivers: audited requests are refused instead of acted on. */
export interface FailedBatchSinks extends BatchSinks {
  refuse(id: JsonRpcId): void;
}

/**
 * `audited` names the request a step belongs to when that request has an audit row in the
 * batch's transaction: if the commit fails, the step is replaced by a refusal of that request.
 */
type Step =
  | { to: 'client'; data: string; audited: JsonRpcId | undefined }
  | { to: 'upstream'; wire: Wire; audited: JsonRpcId | undefined }
  | { to: 'later'; run: () => void; audited: JsonRpcId };

/**
 * What one socket read wants done once its audit rows are committed: lines to forward, replies
 * to send, asks to start. Nothing leaves before the commit, so a forwarded call always has its
 * row and a reply never claims a decision the log lost. A message whose handling failed is
 * taken back out with {@link rewind}.
 */
export class ReadBatch {
  private readonly steps: Step[] = [];
  /** Set when the database failed during the read: its transaction cannot be committed. */
  failure: unknown;

  client(data: string, audited?: JsonRpcId): void {
    this.steps.push({ to: 'client', data, audited });
  }

  upstream(wire: Wire, audited?: JsonRpcId): void {
    this.steps.push({ to: 'upstream', wire, audited });
  }

  /**
   * Notes an audited request that was not judged because the read already failed: it is
   * refused with the rest when the batch is delivered as failed.
   */
  unjudged(audited: JsonRpcId): void {
    this.steps.push({ to: 'later', run: () => undefined, audited });
  }

  /** Runs `run` after delivery (an ask: it must not start before its row exists). */
  later(run: () => void, audited: JsonRpcId): void {
    this.steps.push({ to: 'later', run, audited });
  }

  /** A position to {@link rewind} to. */
  mark(): number {
    return this.steps.length;
  }

  /** Drops every step since `mark`. */
  rewind(mark: number): void {
    this.steps.length = mark;
  }

  /** The commit succeeded: forwards, answers, then starts what waited. */
  deliver(sinks: BatchSinks): void {
    const wires: Wire[] = [];
    const later: Array<() => void> = [];
    for (const step of this.steps) {
      if (step.to === 'client') sinks.client(step.data);
      else if (step.to === 'upstream') wires.push(step.wire);
      else later.push(step.run);
    }
    if (wires.length > 0) sinks.upstream(wires);
    for (const run of later) run();
  }

  /**
   * The commit failed: every audited request of the read is refused once; what needs no row
   * (notifications, lists, protocol errors) goes on as usual.
   */
  deliverFailed(sinks: FailedBatchSinks): void {
    const wires: Wire[] = [];
    const refused = new Set<JsonRpcId>();
    for (const step of this.steps) {
      if (step.audited !== undefined) {
        if (!refused.has(step.audited)) sinks.refuse(step.audited);
        refused.add(step.audited);
      } else if (step.to === 'client') {
        sinks.client(step.data);
      } else if (step.to === 'upstream') {
        wires.push(step.wire);
      }
    }
    if (wires.length > 0) sinks.upstream(wires);
  }
}
