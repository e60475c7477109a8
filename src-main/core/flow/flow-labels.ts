import type { FlowLabel, LabelEntry } from '../../../src-shared/flow-api.js';
import type { LabelStore } from '../db/label-store.js';
import type { PinRow } from '../db/pin-store.js';
import type { ToolDefinition } from '../policy/tool-pins.js';
import { bitsOf, hintLabels, LABEL_BITS, type HintedLabels, type LabelBits } from './label-hints.js';

/** The pins the labels read hints from: the definitions the servers listed. */
export interface PinSource {
  get(server: string, tool: string): PinRow | undefined;
  approvedDefinition(server: string, tool: string): ToolDefinition | undefined;
  list(): PinRow[];
}

/** What the user said at one place (a server, or a tool): labels given and taken away. */
interface UserMarks {
  set: LabelBits;
  removed: LabelBits;
}

const NO_MARKS: UserMarks = { set: 0, removed: 0 };

/**
 * Resolves a tool's flow labels. For each label, the first that speaks decides: what the user
 * said about the tool, then about its server, then the tool's hints (see hintLabels); nothing
 * at all is no label. A user's "remove" speaks too: it takes a hinted label away.
 *
 * The user's marks live in memory (the core is the only writer); a pinned tool's result is
 * cached against its pin's hash, so a call costs two map lookups, and a newly approved
 * definition is read again.
 */
export class FlowLabels {
  private readonly marks = new Map<string, UserMarks>();
  private readonly cache = new Map<string, { hash: string; bits: LabelBits }>();

  constructor(
    private readonly store: LabelStore,
    private readonly pins: PinSource,
    private readonly now: () => number,
  ) {
    this.reload();
  }

  /** The labels in force for one tool of one server. */
  bitsFor(server: string, tool: string): LabelBits {
    const pin = this.pins.get(server, tool);
    // A tool never listed has no hints, and its cache entry would be an unbounded key.
    if (pin === undefined) return resolve(this.markAt(server, tool), this.markAt(server, ''), 0);
    const key = keyOf(server, tool);
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.hash === pin.hash) return cached.bits;
    const bits = resolve(this.markAt(server, tool), this.markAt(server, ''), this.hintsOf(server, tool).bits);
    this.cache.set(key, { hash: pin.hash, bits });
    return bits;
  }

  /** Records the user's labels (`set` true) or their removal on a server (`tool` undefined) or tool. */
  mark(server: string, tool: string | undefined, labels: readonly FlowLabel[], set: boolean): LabelEntry {
    this.store.put(server, tool ?? '', labels, set, this.now());
    this.reload();
    return this.entry(server, tool ?? null);
  }

  /** Forgets what the user said about a server (`tool` undefined) or tool; returns the rows gone. */
  clear(server: string, tool: string | undefined): number {
    const cleared = this.store.clear(server, tool ?? '');
    this.reload();
    return cleared;
  }

  /** Server-wide entries the user made, then every pinned or user-labelled tool, sorted. */
  list(server?: string): LabelEntry[] {
    const tools = new Map<string, { server: string; tool: string }>();
    const servers = new Set<string>();
    for (const pin of this.pins.list()) tools.set(keyOf(pin.server, pin.tool), { server: pin.server, tool: pin.tool });
    for (const key of this.marks.keys()) {
      const [markServer, markTool] = key.split('\u0000') as [string, string];
      if (markTool === '') servers.add(markServer);
      else tools.set(key, { server: markServer, tool: markTool });
    }
    const entries = [
      ...[...servers].map((name) => this.entry(name, null)),
      ...[...tools.values()].map((target) => this.entry(target.server, target.tool)),
    ].filter((entry) => server === undefined || entry.server === server);
    return entries.sort((a, b) => a.server.localeCompare(b.server) || (a.tool ?? '').localeCompare(b.tool ?? ''));
  }

  /** One place's labels, each with where it came from. */
  entry(server: string, tool: string | null): LabelEntry {
    const own = this.markAt(server, tool ?? '');
    const entry: LabelEntry = { server, tool, labels: [], removed: [] };
    for (const [label, bit] of LABEL_BITS) if (own.removed & bit) entry.removed.push(label);
    if (tool === null) {
      for (const [label, bit] of LABEL_BITS) if (own.set & bit) entry.labels.push({ label, source: 'user-server' });
      return entry;
    }
    const onServer = this.markAt(server, '');
    const hinted = this.pins.get(server, tool) === undefined ? { bits: 0, hints: {} } : this.hintsOf(server, tool);
    for (const [label, bit] of LABEL_BITS) {
      if (own.set & bit) entry.labels.push({ label, source: 'user-tool' });
      else if (own.removed & bit) continue;
      else if (onServer.set & bit) entry.labels.push({ label, source: 'user-server' });
      else if (onServer.removed & bit) continue;
      else if (hinted.bits & bit) entry.labels.push({ label, source: 'hint', hint: hinted.hints[label] ?? 'annotations' });
    }
    return entry;
  }

  private hintsOf(server: string, tool: string): HintedLabels {
    return hintLabels(this.pins.approvedDefinition(server, tool)?.annotations);
  }

  private markAt(server: string, tool: string): UserMarks {
    return this.marks.get(keyOf(server, tool)) ?? NO_MARKS;
  }

  private reload(): void {
    this.marks.clear();
    this.cache.clear();
    for (const row of this.store.list()) {
      const key = keyOf(row.server, row.tool);
      const marks = this.marks.get(key) ?? { set: 0, removed: 0 };
      const bit = bitsOf([row.label]);
      if (row.set) marks.set |= bit;
      else marks.removed |= bit;
      this.marks.set(key, marks);
    }
  }
}

/** Per label: the tool's own mark, else the server's, else the hint. */
function resolve(own: UserMarks, server: UserMarks, hinted: LabelBits): LabelBits {
  const fromServer = (server.set & ~server.removed) | (hinted & ~server.set & ~server.removed);
  const decidedByTool = own.set | own.removed;
  return (own.set & ~own.removed) | (fromServer & ~decidedByTool);
}

function keyOf(server: string, tool: string): string {
  return `${server}\u0000${tool}`;
}
