/** What {@link scanJson} found in a JSON text. */
export interface JsonScan {
  /** The first key that occurs twice in one object, compared after unescaping. */
  duplicate: string | undefined;
  /**
   * A number literal that a double cannot hold as written (over 15 significant digits, or an
   * exponent): JSON.parse rounds it, other parsers may not.
   */
  inexactNumber: boolean;
  /** The deepest nesting of objects and arrays seen (stops counting past `maxDepth`). */
  depth: number;
  /** True when nesting went past `maxDepth`; the scan stopped there. */
  tooDeep: boolean;
  /**
   * True when the text may hold a `\u` escape, the only way JSON text decoded from UTF-8 can
   * carry a lone surrogate. False means no string in it can hold one.
   */
  escapes: boolean;
}

/**
 * Looks for what makes a JSON text mean one thing to Warden and another to the upstream:
 * duplicate keys ("a" and "\u0061" are the same key; JSON.parse keeps the last duplicate,
 * other parsers the first) and numbers JSON.parse would round; and measures nesting, so a
 * caller can refuse a message too deep to handle before parsing it.
 *
 * Runs before JSON.parse and tolerates any text (invalid JSON gives a meaningless but finite
 * answer; parse it afterwards to know it is JSON). Iterative, in time proportional to the
 * number of tokens: string bodies are skipped with indexOf. Stops at the first duplicate key
 * or once nesting passes `maxDepth`.
 */
export function scanJson(text: string, maxDepth = Number.POSITIVE_INFINITY): JsonScan {
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  let inexactNumber = false;
  // A superset test (an escaped backslash before "u" counts too): it only decides whether the
  // caller looks closer.
  const escapes = text.includes('\\u');
  let depth = 0;
  const result = (duplicate: string | undefined, tooDeep = false): JsonScan => ({ duplicate, inexactNumber, depth, tooDeep, escapes });
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x7b: // {
        stack.push(new Set());
        if (stack.length > depth) depth = stack.length;
        if (depth > maxDepth) return result(undefined, true);
        expectKey = true;
        i++;
        break;
      case 0x5b: // [
        stack.push(null);
        if (stack.length > depth) depth = stack.length;
        if (depth > maxDepth) return result(undefined, true);
        expectKey = false;
        i++;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        expectKey = false;
        i++;
        break;
      case 0x2c: // ,
        expectKey = stack.length > 0 && stack[stack.length - 1] !== null;
        i++;
        break;
      case 0x22: {
        const end = stringEnd(text, i);
        const keys = expectKey ? stack[stack.length - 1] : undefined;
        if (keys) {
          const raw = text.slice(i + 1, end);
          const key = raw.includes('\\') ? unescapeKey(text.slice(i, end + 1)) : raw;
          if (keys.has(key)) return result(key);
          keys.add(key);
        }
        expectKey = false;
        i = end + 1;
        break;
      }
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          const end = numberEnd(text, i);
          if (!inexactNumber && !isExact(text, i, end)) inexactNumber = true;
          i = end;
        } else {
          i++;
        }
    }
  }
  return result(undefined);
}

/** A key's text with its escapes resolved; a malformed key stands for itself (the parse refuses it later). */
function unescapeKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted;
  }
}

/** Index of the quote that closes the string opening at `open`. */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end !== -1) {
    let backslashes = 0;
    for (let k = end - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}

function numberEnd(text: string, start: number): number {
  let i = start + 1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const numeric = (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
    if (!numeric) break;
  }
  return i;
}

/** True when the literal has no exponent and at most 15 significant digits. */
function isExact(text: string, start: number, end: number): boolean {
  let significant = 0;
  let leading = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x65 || c === 0x45) return false;
    if (c < 0x30 || c > 0x39) continue;
    if (leading && c === 0x30) continue;
    leading = false;
    significant++;
  }
  return significant <= 15;
}
