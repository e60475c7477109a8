/** One tool as the search sees it. `schema` is the tool's input schema, as the server sent it. */
export interface SearchDoc {
  key: string;
  /** The exposed name (`server__tool`) and the real one; both are searched as the name. */
  names: string[];
  description: string;
  schema: unknown;
}

export interface SearchHit {
  key: string;
  score: number;
}

/** How much a term counts in each field: a name match says most about what a tool does. */
const WEIGHTS = { name: 3, property: 1.5, description: 1, propertyText: 0.75 } as const;
type Field = keyof typeof WEIGHTS;
const K1 = 1.2;
const B = 0.75;
/** Bounds on what one tool contributes, whatever a server sends. */
const MAX_FIELD_CHARS = 8 * 1024;
const MAX_TOKENS_PER_FIELD = 2000;
const MAX_SCHEMA_DEPTH = 6;
const MAX_SCHEMA_PROPERTIES = 256;
const MAX_QUERY_TOKENS = 32;
const STOP = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'with']);

/**
 * Words of a text, lowercased: camelCase, `snake_case`, `kebab-case` and dotted names split
 * into their parts, stop words dropped, a plural `s`/`ies` folded, so "listFiles", "list_files"
 * and "list files" give the same terms. At most `max` terms, from at most 8 KiB of text.
 */
export function tokenize(text: string, max = MAX_TOKENS_PER_FIELD): string[] {
  const out: string[] = [];
  const spaced = text.slice(0, MAX_FIELD_CHARS).replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  for (const match of spaced.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = fold(match[0].toLowerCase());
    if (word.length === 0 || STOP.has(word)) continue;
    out.push(word);
    if (out.length >= max) break;
  }
  return out;
}

function fold(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/**
 * The property names and descriptions of a JSON schema, walked with its own stack (no
 * recursion on a server's bytes), at most 6 levels and 256 properties deep.
 */
export function schemaText(schema: unknown): { names: string[]; texts: string[] } {
  const names: string[] = [];
  const texts: string[] = [];
  const stack: Array<{ node: unknown; depth: number }> = [{ node: schema, depth: 0 }];
  while (stack.length > 0 && names.length < MAX_SCHEMA_PROPERTIES) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (typeof node !== 'object' || node === null || Array.isArray(node) || depth > MAX_SCHEMA_DEPTH) continue;
    const record = node as Record<string, unknown>;
    const properties = record.properties;
    if (typeof properties === 'object' && properties !== null && !Array.isArray(properties)) {
      // for…in stops at the bound without first copying every key of a huge object.
      for (const name in properties) {
        if (names.length >= MAX_SCHEMA_PROPERTIES) break;
        if (!Object.hasOwn(properties, name)) continue;
        names.push(name);
        const child = (properties as Record<string, unknown>)[name];
        const description = (child as { description?: unknown } | null)?.description;
        if (typeof description === 'string') texts.push(description.slice(0, 1024));
        stack.push({ node: child, depth: depth + 1 });
      }
    }
    if (record.items !== undefined) stack.push({ node: record.items, depth: depth + 1 });
  }
  return { names, texts };
}

interface Indexed {
  key: string;
  name: string;
  terms: Record<Field, Map<string, number>>;
  lengths: Record<Field, number>;
}

function counts(tokens: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const token of tokens) map.set(token, (map.get(token) ?? 0) + 1);
  return map;
}

/**
 * A BM25F index over tools: each field (name, input property names, description, property
 * descriptions) is length-normalized on its own and weighted (names most), then the usual
 * BM25 saturation and inverse document frequency apply. Built once per set of lists; search
 * is linear in the number of tools.
 */
export class ToolIndex {
  private readonly docs: Indexed[];
  private readonly averages: Record<Field, number>;
  private readonly frequency = new Map<string, number>();

  constructor(docs: readonly SearchDoc[]) {
    this.docs = docs.map((doc) => {
      const schema = schemaText(doc.schema);
      const fields: Record<Field, string[]> = {
        name: doc.names.flatMap((name) => tokenize(name)),
        property: schema.names.flatMap((name) => tokenize(name, 16)),
        description: tokenize(doc.description),
        propertyText: tokenize(schema.texts.join(' ')),
      };
      const terms = {} as Record<Field, Map<string, number>>;
      const lengths = {} as Record<Field, number>;
      for (const field of Object.keys(WEIGHTS) as Field[]) {
        terms[field] = counts(fields[field]);
        lengths[field] = fields[field].length;
      }
      return { key: doc.key, name: doc.names[0] ?? doc.key, terms, lengths };
    });
    this.averages = {} as Record<Field, number>;
    for (const field of Object.keys(WEIGHTS) as Field[]) {
      this.averages[field] = Math.max(1, this.docs.reduce((sum, doc) => sum + doc.lengths[field], 0) / Math.max(1, this.docs.length));
    }
    for (const doc of this.docs) {
      const seen = new Set<string>();
      for (const field of Object.keys(WEIGHTS) as Field[]) for (const term of doc.terms[field].keys()) seen.add(term);
      for (const term of seen) this.frequency.set(term, (this.frequency.get(term) ?? 0) + 1);
    }
  }

  get size(): number {
    return this.docs.length;
  }

  /** The best `limit` tools for `query`, best first (ties by name); tools matching no term are left out. */
  search(query: string, limit: number): SearchHit[] {
    const terms = [...new Set(tokenize(query, MAX_QUERY_TOKENS))];
    if (terms.length === 0) return [];
    const total = this.docs.length;
    const hits: Array<SearchHit & { name: string }> = [];
    for (const doc of this.docs) {
      let score = 0;
      for (const term of terms) {
        let weighted = 0;
        for (const field of Object.keys(WEIGHTS) as Field[]) {
          const tf = doc.terms[field].get(term);
          if (tf === undefined) continue;
          weighted += (WEIGHTS[field] * tf) / (1 - B + (B * doc.lengths[field]) / this.averages[field]);
        }
        if (weighted === 0) continue;
        const df = this.frequency.get(term) ?? 0;
        const idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
        score += (idf * weighted * (K1 + 1)) / (weighted + K1);
      }
      if (score > 0) hits.push({ key: doc.key, score, name: doc.name });
    }
    hits.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return hits.slice(0, Math.max(0, limit)).map(({ key, score }) => ({ key, score }));
  }
}
