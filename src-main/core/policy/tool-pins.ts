import { createHash } from 'node:crypto';
import { canonicalJson, rebuildJson } from '../jsonrpc/json-walk.js';
import type { PinRow, PinStore } from '../db/pin-store.js';

/** The parts of a tool definition that are pinned. */
export interface ToolDefinition {
  name: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

export type PinState = 'new' | 'approved' | 'changed';

function pinned(tool: ToolDefinition): Record<string, unknown> {
  return {
    name: tool.name,
    description: tool.description ?? null,
    inputSchema: tool.inputSchema ?? null,
    outputSchema: tool.outputSchema ?? null,
    annotations: tool.annotations ?? null,
  };
}

/**
 * Rug-pull protection: the first definition seen of each tool is pinned by the SHA-256 of its
 * canonical JSON (name, description, inputSchema, outputSchema, annotations). A later,
 * different definition holds the tool — hidden and refused — until the user approves it.
 * Pins are kept in memory too, so checking a listed tool costs one hash and no query.
 *
 * The hash covers the real definition, so any change is still caught; the definition text
 * stored beside it (and shown by `pins diff`, checked against by the schema guard) has every
 * stored secret value replaced by its label, so a description quoting a secret never
 * reaches the database file.
 */
export class ToolPins {
  private readonly cache = new Map<string, PinRow>();

  constructor(
    private readonly store: PinStore,
    private readonly now: () => number,
    private readonly redact: (text: string) => string = (text) => text,
  ) {
    for (const row of store.list()) this.cache.set(key(row.server, row.tool), row);
  }

  /** Records what an upstream serves now; returns the tool's state. */
  observe(server: string, tool: ToolDefinition): PinState {
    const definition = canonicalJson(pinned(tool));
    const hash = createHash('sha256').update(definition).digest('hex');
    const row = this.cache.get(key(server, tool.name));
    if (!row) {
      this.store.pin(server, tool.name, hash, redactDefinition(definition, this.redact), this.now());
      this.reload(server, tool.name);
      return 'new';
    }
    if (row.hash === hash) {
      if (row.pendingHash !== null) {
        this.store.clearPending(server, tool.name);
        this.reload(server, tool.name);
      }
      return 'approved';
    }
    if (row.pendingHash !== hash) {
      this.store.setPending(server, tool.name, hash, redactDefinition(definition, this.redact), this.now());
      this.reload(server, tool.name);
    }
    return 'changed';
  }

  /** True when the tool's current definition waits for approval. */
  isHeld(server: string, tool: string): boolean {
    return (this.cache.get(key(server, tool))?.pendingHash ?? null) !== null;
  }

  /** The approved definition, parsed; undefined for a tool never seen. */
  approvedDefinition(server: string, tool: string): ToolDefinition | undefined {
    const row = this.cache.get(key(server, tool));
    return row ? (JSON.parse(row.definition) as ToolDefinition) : undefined;
  }

  approve(server: string, tool: string): boolean {
    const approved = this.store.approve(server, tool, this.now());
    this.reload(server, tool);
    return approved;
  }

  get(server: string, tool: string): PinRow | undefined {
    return this.cache.get(key(server, tool));
  }

  list(): PinRow[] {
    return [...this.cache.values()].sort((a, b) => a.server.localeCompare(b.server) || a.tool.localeCompare(b.tool));
  }

  /** Other servers that serve a tool of the same name (shadowing). */
  shadows(server: string, tool: string): string[] {
    return this.list().filter((row) => row.tool === tool && row.server !== server).map((row) => row.server);
  }

  private reload(server: string, tool: string): void {
    const row = this.store.get(server, tool);
    if (row) this.cache.set(key(server, tool), row);
  }
}

/**
 * A definition's JSON with `redact` applied to every string in it, keys included. Done on the
 * parsed value, not the text: a secret holding a quote or a backslash is escaped in the text.
 */
export function redactDefinition(definition: string, redact: (text: string) => string): string {
  return JSON.stringify(rebuildJson(JSON.parse(definition), { string: redact, key: redact }));
}

function key(server: string, tool: string): string {
  return `${server}\u0000${tool}`;
}

/** Most cells of the line-matching table; past it the changed middle is shown as removed, then added. */
const MAX_DIFF_CELLS = 250_000;

/**
 * A readable line diff of two definitions (pretty canonical JSON): "- old", "+ new", "  same".
 * Common first and last lines are matched directly; the changed middle gets a longest-common-
 * subsequence match only while it is small, so a huge description cannot make it quadratic.
 */
export function diffDefinitions(oldDefinition: string, newDefinition: string): string {
  const a = JSON.stringify(JSON.parse(oldDefinition), null, 2).split('\n');
  const b = JSON.stringify(JSON.parse(newDefinition), null, 2).split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (lines: string[]): string[] => lines.map((line) => `  ${line}`);
  const middle = middleDiff(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))].join('\n');
}

function middleDiff(a: string[], b: string[]): string[] {
  if ((a.length + 1) * (b.length + 1) > MAX_DIFF_CELLS) return [...a.map((line) => `- ${line}`), ...b.map((line) => `+ ${line}`)];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${a[i]}`);
      i++;
    } else {
      out.push(`+ ${b[j]}`);
      j++;
    }
  }
  return out;
}
