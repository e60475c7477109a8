import { z } from 'zod';
import { describeZodError } from '../../../src-shared/control-api.js';
import type { ListEntry } from './aggregate-lists.js';
import { ToolIndex } from './tool-search.js';

/**
 * Warden's own tools in search mode. Their names have one `_` where every server tool's has
 * `__` (or is a 64-character short form), so no server can list a tool that shadows them.
 */
export const FIND_TOOL = 'warden_find_tools';
export const CALL_TOOL = 'warden_call_tool';
const DEFAULT_MATCHES = 8;
const MAX_MATCHES = 20;

/** The discovery tools as tools/list shows them. */
export const DISCOVERY_TOOLS: ReadonlyArray<Record<string, unknown>> = [
  {
    name: FIND_TOOL,
    title: 'Find tools',
    description:
      'Finds tools of the servers MCP Warden connects, by what they do. Give a few words (e.g. "read a file", "create issue"); returns the best matches with their names, descriptions and input schemas. Found tools are added to your tool list, and can also be called through warden_call_tool.',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What the tool should do, in a few words' },
        limit: { type: 'integer', minimum: 1, maximum: MAX_MATCHES, description: `How many matches to return (default ${DEFAULT_MATCHES})` },
      },
      required: ['query'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: CALL_TOOL,
    title: 'Call a found tool',
    description: 'Calls a tool that warden_find_tools found, by its name (e.g. "github__create_issue"), with its arguments as its input schema describes them.',
    inputSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The tool\'s name as warden_find_tools returned it' },
        arguments: { type: 'object', description: 'The tool\'s arguments' },
      },
      required: ['name'],
    },
  },
];

const findArgs = z.object({
  query: z.string({ message: 'give the query as a string' }).trim().min(1, 'the query is empty; say in a few words what the tool should do').max(500, 'the query is over 500 characters; use a few words'),
  limit: z.number().int().min(1).max(MAX_MATCHES, `at most ${MAX_MATCHES} matches are returned`).optional(),
});
const callArgs = z.object({
  name: z.string({ message: 'give the tool\'s name as a string' }).min(1).max(256),
  arguments: z.record(z.string(), z.unknown()).optional(),
});

/** A tool result the model reads: one text part, `isError` for a refusal. */
export function textResult(text: string, isError = false): Record<string, unknown> {
  return { content: [{ type: 'text', text }], ...(isError ? { isError: true } : {}) };
}

/**
 * One aggregated session's search mode: the tools it found (added to the session's list, in
 * the order found) and the index it searches, rebuilt only when the lists it was built from
 * change. Entries it is given are what the client may see (denied tools already left out).
 */
export class SearchMode {
  private readonly found = new Set<string>();
  private built: { from: readonly ListEntry[]; index: ToolIndex } | undefined;

  /** What tools/list shows: the discovery tools, then every found tool still listed. */
  list(entries: readonly ListEntry[]): Array<Record<string, unknown>> {
    const shown = entries.filter((entry) => entry.exposed !== undefined && this.found.has(entry.exposed)).map((entry) => ({ ...entry.item, name: entry.exposed }));
    return [...DISCOVERY_TOOLS, ...shown];
  }

  /** Runs the find tool: the result for the client, and whether the list grew (list_changed owed). */
  find(args: unknown, entries: readonly ListEntry[]): { result: Record<string, unknown>; added: boolean } {
    const parsed = findArgs.safeParse(args ?? {});
    if (!parsed.success) return { result: textResult(`${FIND_TOOL} was not run: ${describeZodError(parsed.error)}`, true), added: false };
    const { query, limit = DEFAULT_MATCHES } = parsed.data;
    const tools = entries.filter((entry) => entry.exposed !== undefined);
    const hits = this.indexOf(tools).search(query, limit);
    if (hits.length === 0) {
      return { result: textResult(`No tool of the ${tools.length} this session can reach matches "${query.slice(0, 80)}"; try other words.`), added: false };
    }
    const byName = new Map(tools.map((entry) => [entry.exposed as string, entry]));
    let added = false;
    const matches = hits.map((hit) => {
      const entry = byName.get(hit.key) as ListEntry;
      if (!this.found.has(hit.key)) {
        this.found.add(hit.key);
        added = true;
      }
      return { name: hit.key, server: entry.server, description: entry.item.description ?? '', inputSchema: entry.item.inputSchema ?? { type: 'object' } };
    });
    return { result: textResult(JSON.stringify({ tools: matches })), added };
  }

  /** The real call inside a call-tool request: its params for tools/call, or why there is none. */
  unwrapCall(params: Record<string, unknown>): { params: Record<string, unknown> } | { refusal: string } {
    const parsed = callArgs.safeParse(params.arguments ?? {});
    if (!parsed.success) return { refusal: `${CALL_TOOL} was not run: ${describeZodError(parsed.error)}` };
    const { name } = parsed.data;
    if (name === FIND_TOOL || name === CALL_TOOL) return { refusal: `${CALL_TOOL} calls tools of servers; call ${name} directly` };
    return { params: { name, arguments: parsed.data.arguments ?? {}, ...(params._meta === undefined ? {} : { _meta: params._meta }) } };
  }

  private indexOf(tools: readonly ListEntry[]): ToolIndex {
    const same = this.built !== undefined && this.built.from.length === tools.length && this.built.from.every((entry, i) => entry.item === tools[i]?.item && entry.exposed === tools[i]?.exposed);
    if (!same || !this.built) {
      const docs = tools.map((entry) => ({
        key: entry.exposed as string,
        names: [entry.exposed as string, entry.name],
        description: typeof entry.item.description === 'string' ? entry.item.description : '',
        schema: entry.item.inputSchema,
      }));
      this.built = { from: tools, index: new ToolIndex(docs) };
    }
    return this.built.index;
  }
}
