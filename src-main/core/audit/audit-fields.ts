import type { CallCompletion, NewCall, RawCallRow } from '../db/call-store.js';
import { storedNullableText, storedNumber, storedText, type FieldValue } from './chain-signer.js';

/** A new row as the gateway describes it (the log picks its id and MAC). */
export type NewCallInput = Omit<NewCall, 'id' | 'mac'>;
/** A row's outcome as the gateway describes it (the log signs it). */
export type CompletionInput = Omit<CallCompletion, 'doneMac'>;

/**
 * The row exactly as SQLite will store it, so what is signed is what is read back: every text
 * well-formed UTF-16, every number finite (or null).
 */
export function storedCall(call: NewCallInput): NewCallInput {
  return {
    ts: Number.isFinite(call.ts) ? call.ts : 0,
    session: storedText(call.session),
    client: storedText(call.client),
    server: storedText(call.server),
    method: storedText(call.method),
    target: storedNullableText(call.target),
    arguments: storedNullableText(call.arguments),
    decision: storedText(call.decision),
    reason: storedText(call.reason),
    reasonMeta: storedNullableText(call.reasonMeta),
  };
}

/** The completion exactly as SQLite will store it (see {@link storedCall}). */
export function storedCompletion(completion: CompletionInput): CompletionInput {
  return {
    outcome: completion.outcome,
    error: storedNullableText(completion.error),
    durationMs: storedNumber(completion.durationMs) ?? 0,
    resultBytes: storedNumber(completion.resultBytes),
    notes: storedNullableText(completion.notes),
  };
}

/** The fields a row's MAC covers, in a fixed order. */
export function decisionFields(
  row: Pick<RawCallRow, 'id' | 'ts' | 'session' | 'client' | 'server' | 'method' | 'target' | 'arguments'> & {
    decision: string | null;
    reason: string | null;
    reasonMeta?: string | null;
    reason_meta?: string | null;
  },
): FieldValue[] {
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

/**
 * The fields a completion's MAC covers. A folded refusal's count is covered too; a row seen
 * once signs without it, so rows written before folding existed still verify.
 */
export function completionFields(completion: {
  outcome: string;
  error: string | null;
  durationMs: number | null;
  resultBytes: number | null;
  notes: string | null;
  repeats?: number | null;
}): FieldValue[] {
  const fields: FieldValue[] = [completion.outcome, completion.error, completion.durationMs, completion.resultBytes, completion.notes];
  const repeats = completion.repeats ?? 1;
  if (repeats !== 1) fields.push(`repeats:${repeats}`);
  return fields;
}

/** The completion of a stored row, as its MAC covers it. */
export function completionOfRow(row: RawCallRow): Parameters<typeof completionFields>[0] {
  return { outcome: row.outcome, error: row.error, durationMs: row.duration_ms, resultBytes: row.result_bytes, notes: row.notes, repeats: row.repeats };
}
