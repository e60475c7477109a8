/**
 * "Did you mean": the closest known name to a mistyped one, by edit distance (Levenshtein, with
 * a swap of two neighbours counting once, as git's and commander's suggestions do).
 */

/** Past this length a word is not compared (bounded work on whatever was typed). */
const MAX_LENGTH = 64;

/**
 * The edit distance between `a` and `b` (insert, delete, substitute, swap neighbours), or
 * `Infinity` when either is longer than 64 characters.
 */
export function editDistance(a: string, b: string): number {
  if (a.length > MAX_LENGTH || b.length > MAX_LENGTH) return Infinity;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = rows[i] as number[];
      const up = rows[i - 1] as number[];
      row[j] = Math.min(up[j] as number + 1, row[j - 1] as number + 1, up[j - 1] as number + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, (rows[i - 2] as number[])[j - 2] as number + 1);
      }
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The known name nearest to `typed` (case-insensitive), if it is near enough to be a typo: at
 * most a third of its length away (at least 1, at most 3 edits), or `typed` is its prefix.
 * Undefined when nothing is that near, or when `typed` is itself known.
 */
export function closest(typed: string, known: readonly string[]): string | undefined {
  if (typed === '' || known.includes(typed)) return undefined;
  const lower = typed.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = name.toLowerCase().startsWith(lower) && lower.length >= 2 ? 0.5 : editDistance(lower, name.toLowerCase());
    if (distance <= allowed && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}
