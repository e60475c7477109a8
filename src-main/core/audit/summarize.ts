import { rebuildJson } from '../jsonrpc/json-walk.js';

/** Longest string value kept in a logged argument. */
export const MAX_LOGGED_STRING = 1024;
/** Deepest nesting kept in a logged argument; deeper containers are replaced by a marker. */
const MAX_LOGGED_DEPTH = 16;
/** Longest arguments JSON kept in one audit row. */
export const MAX_LOGGED_ARGUMENTS = 16 * 1024;

/**
 * Makes the text of `value` safe and small enough for the audit log: every string is passed
 * through `redact` first (so a cut can never keep half of a secret), then cut to
 * {@link MAX_LOGGED_STRING} characters; the JSON of the whole is cut to
 * {@link MAX_LOGGED_ARGUMENTS}.
 */
export function summarizeForLog(value: unknown, redact: (text: string) => string): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(
    rebuildJson(value, {
      string: (text) => cut(redact(text)),
      key: redact,
      maxDepth: MAX_LOGGED_DEPTH,
      tooDeep: '…(nested too deep)',
    }),
  );
  if (json.length <= MAX_LOGGED_ARGUMENTS) return json;
  return `${json.slice(0, MAX_LOGGED_ARGUMENTS)}…(+${json.length - MAX_LOGGED_ARGUMENTS} chars)`;
}

function cut(clean: string): string {
  return clean.length <= MAX_LOGGED_STRING ? clean : `${clean.slice(0, MAX_LOGGED_STRING)}…(+${clean.length - MAX_LOGGED_STRING} chars)`;
}

/** One line of error text for the log: redacted and cut to 500 characters. */
export function summarizeError(text: string, redact: (text: string) => string): string {
  const clean = redact(text).replace(/\s+/g, ' ').trim();
  return clean.length <= 500 ? clean : `${clean.slice(0, 500)}…`;
}
