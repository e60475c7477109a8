/**
 * Finds the first object key that occurs twice in one object of a JSON text, comparing keys
 * after unescaping ("a" and "\u0061" are the same key). JSON.parse keeps the last duplicate
 * while other parsers keep the first, so a message with duplicates could mean one thing to
 * Warden and another to the upstream; such messages are refused.
 *
 * `text` must already be valid JSON (parse it first). Runs in time proportional to the number
 * of tokens: string bodies are skipped with indexOf.
 */
export function findDuplicateKey(text: string): string | undefined {
  // Fast path: a text with fewer than two quoted keys cannot hold a duplicate.
  if (text.indexOf('{') === -1) return undefined;
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x7b: // {
        stack.push(new Set());
        expectKey = true;
        i++;
        break;
      case 0x5b: // [
        stack.push(null);
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
        if (expectKey) {
          const keys = stack[stack.length - 1] as Set<string>;
          const raw = text.slice(i + 1, end);
          const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
          if (keys.has(key)) return key;
          keys.add(key);
          expectKey = false;
        }
        i = end + 1;
        break;
      }
      default:
        i++;
    }
  }
  return undefined;
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
