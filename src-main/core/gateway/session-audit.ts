import type { AuditLog, NewCallInput } from '../audit/audit-log.js';
import { summarizeError, summarizeForLog } from '../audit/summarize.js';
import type { JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { findHidden } from '../policy/hidden-content.js';
import type { Verdict } from '../policy/policy.js';

/** A request the session waits on an answer for. */
export interface Pending {
  method: string;
  started: number;
  /** The audit row, for audited methods. */
  auditId: number | undefined;
  /** Set while the call waits for the user; its answer goes into the row's notes. */
  approval?: { id: string; answer: string; withdraw(): void };
}

export type Outcome = 'ok' | 'error' | 'cancelled' | 'denied';

export interface SessionAuditOptions {
  audit: AuditLog;
  session: string;
  client: string;
  server: string;
  redact(text: string): string;
  now(): number;
}

/**
 * Writes one session's audit rows: a row with the decision when a call is judged, its
 * completion when it ends. Arguments, targets and errors are redacted and cut to size here, so
 * no caller can write a secret into the log.
 */
export class SessionAudit {
  constructor(private readonly options: SessionAuditOptions) {}

  /** Inserts the row of a judged call (committed with the read it came in). */
  begin(message: JsonRpcMessage, verdict: Verdict | undefined, fallbackReason = 'the upstream could not be started'): number {
    return this.options.audit.begin(this.call(message, verdict, fallbackReason));
  }

  /**
   * Records a call refused by policy, complete, in one step; an identical refusal repeated
   * by the same session soon after is folded into the row before it (a count), so a client
   * retrying in a loop cannot flood the log.
   */
  denied(message: JsonRpcMessage, verdict: Verdict): number {
    return this.options.audit.refused(this.call(message, verdict, verdict.reason), {
      outcome: 'denied',
      error: summarizeError(verdict.reason, this.options.redact),
      durationMs: 0,
      resultBytes: null,
      notes: null,
    });
  }

  private call(message: JsonRpcMessage, verdict: Verdict | undefined, fallbackReason: string): NewCallInput {
    const params = message.params ?? {};
    const target = message.method === 'resources/read' ? params.uri : params.name;
    return {
      ts: this.options.now(),
      session: this.options.session,
      client: this.options.client,
      server: this.options.server,
      method: message.method as string,
      target: typeof target === 'string' ? this.options.redact(target).slice(0, 512) : null,
      arguments: summarizeForLog(params.arguments, this.options.redact),
      decision: verdict?.action ?? 'none',
      reason: verdict?.reason ?? fallbackReason,
      reasonMeta: verdict ? JSON.stringify(verdict.meta) : null,
    };
  }

  /** A row for a call refused before any decision (the upstream could not start). */
  refused(message: JsonRpcMessage, reason: string): void {
    const entry: Pending = { method: message.method as string, started: this.options.now(), auditId: this.begin(message, undefined, reason) };
    this.end(entry, 'error', reason, null);
  }

  /** Completes a row from the upstream's answer. */
  complete(entry: Pending, message: JsonRpcMessage, bytes: number): void {
    if (entry.auditId === undefined) return;
    if (message.error !== undefined) {
      this.end(entry, 'error', String(message.error?.message), bytes);
    } else if (message.result?.isError === true) {
      this.end(entry, 'error', firstText(message.result) ?? 'the tool reported an error', bytes, hiddenIn(message.result));
    } else {
      this.end(entry, 'ok', null, bytes, message.result === undefined || message.result === null ? [] : hiddenIn(message.result));
    }
  }

  end(entry: Pending, outcome: Outcome, error: string | null, bytes: number | null, hidden: string[] = []): void {
    if (entry.auditId === undefined) return;
    const notes: Record<string, unknown> = {};
    if (entry.approval) notes.approval = { id: entry.approval.id, answer: entry.approval.answer };
    if (hidden.length > 0) notes.hiddenContent = hidden;
    this.options.audit.end(entry.auditId, {
      outcome,
      error: error === null ? null : summarizeError(error, this.options.redact),
      durationMs: this.options.now() - entry.started,
      resultBytes: bytes,
      notes: Object.keys(notes).length > 0 ? JSON.stringify(notes) : null,
    });
  }
}

/** Kinds of hidden content in a result's text parts, flagged in the log. */
function hiddenIn(result: Record<string, unknown>): string[] {
  const content = result.content;
  if (!Array.isArray(content)) return [];
  const kinds = new Set<string>();
  for (const item of content) {
    const text = (item as { text?: unknown })?.text;
    if (typeof text === 'string') for (const kind of findHidden(text)) kinds.add(kind);
  }
  return [...kinds];
}

function firstText(result: Record<string, unknown>): string | undefined {
  const content = result.content;
  if (!Array.isArray(content)) return undefined;
  const text = content.find((item) => typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'text');
  return typeof text?.text === 'string' ? text.text : undefined;
}
