import type { RawCallRow } from '../db/call-store.js';
import { completionFields, completionOfRow, decisionFields } from './audit-fields.js';
import { GENESIS, type ChainSigner } from './chain-signer.js';

/** How many problems a report lists; the count covers all of them. */
export const MAX_LISTED_PROBLEMS = 20;

/** One thing that does not verify: a row (by id), or the chain's signed pointers (id null). */
export interface ChainProblem {
  id: number | null;
  problem: string;
}

/**
 * What `warden log verify` reports. `ok` is true only when `problemCount` is 0; `problems`
 * holds the first {@link MAX_LISTED_PROBLEMS} in chain order.
 */
export interface ChainReport {
  ok: boolean;
  rows: number;
  firstId: number | null;
  lastId: number | null;
  problemCount: number;
  problems: ChainProblem[];
}

/** A signed pointer into the chain as read back; `signed` is false when its tag does not verify. */
export interface ChainPointer {
  id: number;
  mac: string;
  signed: boolean;
}

/**
 * Recomputes the whole chain and collects every row that does not verify, never stopping at the
 * first: a bad row is reported, and the rows after it are checked against what is stored, so
 * one changed row shows as one problem and later tampering still shows.
 */
export function verifyChain(
  signer: ChainSigner,
  rows: Iterable<RawCallRow>,
  checkpoint: ChainPointer | undefined,
  head: ChainPointer | undefined,
): ChainReport {
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (id: number | null, problem: string): void => {
    problemCount++;
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push({ id, problem });
  };
  if (checkpoint && !checkpoint.signed) report(null, 'the prune checkpoint is not signed by this vault');
  if (head && !head.signed) report(null, 'the head record is not signed by this vault');
  let previous = checkpoint?.mac ?? GENESIS;
  let expectedAfter = checkpoint?.id ?? 0;
  let count = 0;
  let firstId: number | null = null;
  let lastId: number | null = null;
  for (const row of rows) {
    if (row.id <= expectedAfter) {
      report(row.id, `row #${row.id} is older than the prune checkpoint (#${expectedAfter})`);
    } else if (row.mac === null || row.mac !== signer.sign(previous, decisionFields(row))) {
      const why =
        firstId === null && checkpoint
          ? 'it does not follow the prune checkpoint (rows before it were removed)'
          : 'its content or its place in the chain was changed, or a row before it was removed';
      report(row.id, `row #${row.id} does not verify: ${why}`);
    } else if (row.outcome !== 'pending' && row.done_mac !== signer.sign(row.mac, completionFields(completionOfRow(row)))) {
      report(row.id, `row #${row.id} does not verify: its outcome was changed`);
    }
    // Carry on from what is stored, so the next row is judged on its own.
    if (row.mac !== null) previous = row.mac;
    expectedAfter = Math.max(expectedAfter, row.id);
    firstId ??= row.id;
    lastId = row.id;
    count++;
  }
  const end = lastId ?? checkpoint?.id ?? 0;
  if (head && head.id > end) {
    report(head.id, `rows up to #${head.id} were written, but the log ends at #${lastId ?? 'none'}: the newest rows were removed`);
  }
  return { ok: problemCount === 0, rows: count, firstId, lastId, problemCount, problems };
}
