import type { FlowLabel } from '../../../src-shared/flow-api.js';

/** A set of flow labels as bits, so the guard's per-call check is a few integer operations. */
export type LabelBits = number;

export const PRIVATE = 1;
export const UNTRUSTED = 2;
export const EXTERNAL = 4;

/** Each label's bit, in the order labels are shown. */
export const LABEL_BITS: ReadonlyArray<readonly [FlowLabel, LabelBits]> = [
  ['private', PRIVATE],
  ['untrusted', UNTRUSTED],
  ['external', EXTERNAL],
];

/** The labels of a bit set, in the order of {@link LABEL_BITS}. */
export function labelsOf(bits: LabelBits): FlowLabel[] {
  return LABEL_BITS.filter(([, bit]) => (bits & bit) !== 0).map(([label]) => label);
}

/** The bits of a list of labels. */
export function bitsOf(labels: readonly FlowLabel[]): LabelBits {
  let bits = 0;
  for (const [label, bit] of LABEL_BITS) if (labels.includes(label)) bits |= bit;
  return bits;
}

/** Labels a tool's own annotations suggest, and for each which hint suggested it. */
export interface HintedLabels {
  bits: LabelBits;
  hints: Partial<Record<FlowLabel, string>>;
}

const NONE: HintedLabels = { bits: 0, hints: {} };

/**
 * The labels a tool's annotations (as the server listed them) suggest. Only hints the server
 * states explicitly count — the MCP defaults (openWorldHint true when absent) are not used, so
 * a tool with no annotations has no labels:
 *
 * - `openWorldHint: true` → `untrusted` and `external`: the tool talks to the open world, so
 *   what it returns comes from others, and what it sends (a query, a URL, a message) reaches
 *   them.
 * - `openWorldHint: false` with `readOnlyHint: true` → `private`: it reads a closed domain —
 *   the user's own files, notes or database.
 * - anything else → no label.
 *
 * Reads two properties of a plain object, nothing deeper; any other shape is no hint.
 */
export function hintLabels(annotations: unknown): HintedLabels {
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return NONE;
  const { openWorldHint, readOnlyHint } = annotations as { openWorldHint?: unknown; readOnlyHint?: unknown };
  if (openWorldHint === true) {
    return { bits: UNTRUSTED | EXTERNAL, hints: { untrusted: 'openWorldHint', external: 'openWorldHint' } };
  }
  if (openWorldHint === false && readOnlyHint === true) {
    return { bits: PRIVATE, hints: { private: 'readOnlyHint, openWorldHint false' } };
  }
  return NONE;
}
