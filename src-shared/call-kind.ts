/**
 * How a logged call ended, in the words the window shows: an outcome split by what decided it
 * (a rule, a limit, the user, the deadline, the kill switch…). One classifier for the log's
 * rows, the log's filter menu and Overview's "needs attention", so they never disagree.
 */
import type { CallRecord } from './control-api.js';

export const CALL_KINDS = ['ok', 'failed', 'rule', 'limit', 'user', 'timeout', 'paused', 'guard', 'refused', 'waiting', 'running', 'cancelled', 'interrupted'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

/** A short label for each kind, as the log's outcome column and menu show it. */
export const CALL_KIND_LABELS: Record<CallKind, string> = {
  ok: 'ok',
  failed: 'failed',
  rule: 'denied by rule',
  limit: 'rate-limited',
  user: 'denied by you',
  timeout: 'ask timed out',
  paused: 'paused',
  guard: 'blocked by guard',
  refused: 'refused',
  waiting: 'waiting for you',
  running: 'running',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

/** Kinds that mean Warden or the user stopped the call (shown in red). */
export const REFUSED_KINDS: ReadonlySet<CallKind> = new Set(['rule', 'limit', 'user', 'timeout', 'paused', 'guard', 'refused']);

type KindInput = Pick<CallRecord, 'outcome' | 'decision' | 'reason' | 'notes'> & { reasonType?: string | null };

/** The answer an ask got, from a row's notes; undefined when the row has none or bad JSON. */
export function approvalAnswer(notes: string | null): string | undefined {
  if (!notes) return undefined;
  try {
    const parsed = JSON.parse(notes) as { approval?: { answer?: unknown } } | null;
    const answer = parsed?.approval?.answer;
    return typeof answer === 'string' ? answer : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The kind of one row. `reasonType` is the structured reason's type when the caller has it
 * (the core does); otherwise the reason's sentence decides, as policy words it. A pending row
 * that asked is `waiting` while `isWaiting` says its ask is open, else `running`.
 */
export function callKind(row: KindInput, isWaiting: () => boolean = () => row.decision === 'ask'): CallKind {
  switch (row.outcome) {
    case 'ok':
      return 'ok';
    case 'error':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'interrupted':
      return 'interrupted';
    case 'refused':
      return 'refused';
    case 'pending':
      return row.decision === 'ask' && isWaiting() ? 'waiting' : 'running';
    default:
      break;
  }
  const answer = approvalAnswer(row.notes);
  if (answer === 'timeout') return 'timeout';
  if (answer === 'paused') return 'paused';
  if (answer === 'deny' || answer === 'deny-always') return 'user';
  const type = row.reasonType ?? typeFromReason(row.reason ?? '');
  if (type === 'paused') return 'paused';
  if (type === 'limit') return 'limit';
  if (type === 'rule' || type === 'default') return 'rule';
  return 'guard';
}

function typeFromReason(reason: string): string {
  if (reason.startsWith('MCP Warden is paused')) return 'paused';
  if (reason.startsWith('Rate limit:')) return 'limit';
  if (/^rule \d+ \(/.test(reason) || reason.startsWith('no rule matches')) return 'rule';
  return 'guard';
}
