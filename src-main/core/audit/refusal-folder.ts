import { createHash } from 'node:crypto';
import type { CompletionInput, NewCallInput } from './audit-fields.js';

/** Identical refusals this close together fold into one row. */
export const FOLD_WINDOW_MS = 60_000;
/** Sessions remembered; the oldest is forgotten first (its next refusal gets a new row). */
const MAX_SESSIONS = 4096;

/** The row a refusal folds into: its id, its count so far, and its MAC (the completion signs over it). */
export interface FoldTarget {
  id: number;
  repeats: number;
  mac: string;
}

interface Tail extends FoldTarget {
  /** Hash of what makes two refusals the same; absent when the row is not a refusal. */
  key: string | undefined;
  ts: number;
}

/**
 * Remembers the newest row of each session, so a refusal identical to it can be folded into it
 * without a query. Only the newest row of a session qualifies: any other row in between ends
 * the fold.
 */
export class RefusalFolder {
  private readonly tails = new Map<string, Tail>();

  /** The session's newest row is `id`, which is not a refusal. */
  noteRow(session: string, id: number): void {
    this.remember(session, { id, repeats: 1, mac: '', key: undefined, ts: 0 });
  }

  /** The session's newest row is the refusal recorded at `target`. */
  noteRefusal(row: NewCallInput, done: CompletionInput, target: FoldTarget): void {
    this.remember(row.session, { ...target, key: foldKey(row, done), ts: target.repeats === 1 ? row.ts : this.tails.get(row.session)?.ts ?? row.ts });
  }

  /** The row this refusal folds into, if the session's newest row is the same refusal and recent. */
  match(row: NewCallInput, done: CompletionInput): FoldTarget | undefined {
    const tail = this.tails.get(row.session);
    if (!tail || tail.key === undefined) return undefined;
    const age = row.ts - tail.ts;
    if (age < 0 || age > FOLD_WINDOW_MS) return undefined;
    return tail.key === foldKey(row, done) ? { id: tail.id, repeats: tail.repeats, mac: tail.mac } : undefined;
  }

  /** Forgets everything (after a failed transaction, whose rows are gone). */
  clear(): void {
    this.tails.clear();
  }

  private remember(session: string, tail: Tail): void {
    this.tails.delete(session);
    this.tails.set(session, tail);
    if (this.tails.size > MAX_SESSIONS) this.tails.delete(this.tails.keys().next().value as string);
  }
}

function foldKey(row: NewCallInput, done: CompletionInput): string {
  const same = [row.client, row.server, row.method, row.target, row.arguments, row.decision, row.reason, row.reasonMeta, done.outcome, done.error];
  return createHash('sha256').update(JSON.stringify(same)).digest('base64url');
}
