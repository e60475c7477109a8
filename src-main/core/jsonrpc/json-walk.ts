/**
 * Walks over parsed JSON without recursion: values from clients and upstreams may nest as deep
 * as their sender likes, and a recursive walk would overflow the stack on them. Every helper
 * here keeps its own explicit stack.
 */

type Json = unknown;

/**
 * Calls `visit` on every string inside `value`, object keys included, depth first in document
 * order. Stops early, returning false, when `visit` returns false; otherwise returns true.
 */
export function everyString(value: Json, visit: (text: string) => boolean): boolean {
  const stack: Json[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (!visit(item)) return false;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, Json];
        stack.push(child, key);
      }
    }
  }
  return true;
}

/** Every string inside `value` (keys included), for pattern and secret checks. */
export function stringsIn(value: Json): string[] {
  const out: string[] = [];
  everyString(value, (text) => {
    out.push(text);
    return true;
  });
  return out;
}

/** True when no string inside `value` (keys included) holds a lone surrogate. */
export function allWellFormed(value: Json): boolean {
  return everyString(value, (text) => text.isWellFormed());
}

export interface RebuildOptions {
  /** Replaces each string value. */
  string?: (text: string) => string;
  /** Replaces each object key. */
  key?: (key: string) => string;
  /** Orders each object's keys (canonical form). */
  sortKeys?: boolean;
  /** Containers nested deeper than this become `tooDeep`. */
  maxDepth?: number;
  tooDeep?: Json;
}

interface Frame {
  entries: Array<[string | number, Json]>;
  next: number;
  out: Record<string, Json> | Json[];
  depth: number;
}

/**
 * A copy of `value` with strings and keys mapped and keys optionally sorted; containers past
 * `maxDepth` are replaced by `tooDeep`. Non-JSON values (undefined, functions) are copied as
 * they are, as JSON.stringify would then treat them.
 */
export function rebuildJson(value: Json, options: RebuildOptions = {}): Json {
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const leaf = (item: Json): Json => (typeof item === 'string' && options.string ? options.string(item) : item);
  const open = (item: Json, depth: number): Frame | undefined => {
    if (typeof item !== 'object' || item === null || depth > maxDepth) return undefined;
    if (Array.isArray(item)) return { entries: item.map((child, i) => [i, child]), next: 0, out: new Array<Json>(item.length), depth };
    let keys = Object.keys(item);
    if (options.sortKeys) keys = keys.sort();
    const source = item as Record<string, Json>;
    return { entries: keys.map((key) => [key, source[key]]), next: 0, out: {}, depth };
  };
  const convert = (item: Json, depth: number): { done: Json } | { frame: Frame } => {
    if (typeof item === 'object' && item !== null && depth > maxDepth) return { done: options.tooDeep };
    const frame = open(item, depth);
    return frame ? { frame } : { done: leaf(item) };
  };
  const root = convert(value, 0);
  if ('done' in root) return root.done;
  const stack: Frame[] = [root.frame];
  const place = (frame: Frame, slot: string | number, child: Json): void => {
    if (Array.isArray(frame.out)) {
      frame.out[slot as number] = child;
      return;
    }
    const key = options.key ? options.key(slot as string) : (slot as string);
    // A key "__proto__" (which JSON.parse makes an own property) must stay a key, not replace
    // the copy's prototype: defineProperty for it. Every other key is a plain assignment (no
    // setter on Object.prototype takes it), at a fraction of defineProperty's cost.
    if (key === '__proto__') Object.defineProperty(frame.out, key, { value: child, enumerable: true, writable: true, configurable: true });
    else (frame.out as Record<string, Json>)[key] = child;
  };
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next >= frame.entries.length) {
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) place(parent, (parent.entries[parent.next - 1] as [string | number, Json])[0], frame.out);
      continue;
    }
    const [slot, child] = frame.entries[frame.next++] as [string | number, Json];
    const converted = convert(child, frame.depth + 1);
    if ('done' in converted) place(frame, slot, converted.done);
    else stack.push(converted.frame);
  }
  return root.frame.out;
}

/** JSON with every object's keys sorted, for hashing and comparing definitions. */
export function canonicalJson(value: Json): string {
  return JSON.stringify(rebuildJson(value, { sortKeys: true }));
}
