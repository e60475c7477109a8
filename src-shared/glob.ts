/**
 * Glob patterns for rules and limits: `*` matches any run of characters (including none),
 * `?` exactly one; everything else is literal. Pure, shared by the core, the CLI and the window.
 */

/** Longest pattern accepted. */
export const MAX_PATTERN_LENGTH = 256;

/** Checks a pattern; returns the reason it is refused, or undefined when it is fine. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'a pattern must not be empty (use * to match everything)';
  if (pattern.length > MAX_PATTERN_LENGTH) return `a pattern is at most ${MAX_PATTERN_LENGTH} characters`;
  for (const ch of pattern) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return 'a pattern must not contain control characters';
  }
  return undefined;
}

/** True when the pattern has no wildcard: it names exactly one thing. */
export function isExact(pattern: string): boolean {
  return !pattern.includes('*') && !pattern.includes('?');
}

/** How many literal (non-wildcard) characters a pattern has; more is more specific. */
export function literalLength(pattern: string): number {
  let count = 0;
  for (const ch of pattern) if (ch !== '*' && ch !== '?') count++;
  return count;
}

/** Compiles a pattern to a predicate. Exact patterns compare strings; globs use an anchored RegExp. */
export function compileGlob(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true;
  if (isExact(pattern)) return (value) => value === pattern;
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    // Only syntax characters may be escaped in a Unicode-mode RegExp ("\\-" is an error there).
    else source += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 'u');
  return (value) => regex.test(value);
}
