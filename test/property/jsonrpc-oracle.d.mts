/** How many replies a line must get: see jsonrpc-oracle.mjs for the rules. */
export type ReplyRule = 'exact' | 'oneOrNone' | 'idOrNull' | 'null' | 'optionalNull' | 'none';

/** What only the sender of a line knows. */
export interface LineHint {
  answer?: 'allow' | 'deny' | 'cli-allow' | 'cli-deny' | 'timeout' | 'leave';
  cancelled?: boolean;
  reused?: boolean;
}

export interface Expectation {
  key?: string;
  reply: ReplyRule;
  error: boolean;
  mustNotReach: boolean;
  markers: string[];
  audited?: boolean;
}

export const AUDITED: Set<string>;
export const DENIED_TOOL: string;
export const ASK_TOOL: string;
export const MAX_MESSAGE_BYTES: number;
export const MUST_REFUSE_DEPTH: number;
export const MAY_REFUSE_DEPTH: number;
export const MARKER: RegExp;
/** The map key of a reply id: 1 and "1" differ, -0 and 0 do not. */
export function idKey(id: unknown): string;
/** Deepest nesting, duplicate keys and lone surrogates of valid JSON text, without recursion. */
export function scanJsonText(text: string): { maxDepth: number; duplicate: boolean; loneSurrogate: boolean };
/** The expectation for one line (bytes without its "\n"). */
export function expectationFor(bytes: Buffer, hint?: LineHint): Expectation;
