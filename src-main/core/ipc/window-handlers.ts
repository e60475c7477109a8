import { callKind } from '../../../src-shared/call-kind.js';
import type { ControlMethod, ProblemGroup, ToolInfo } from '../../../src-shared/control-api.js';
import type { ClientKeys } from '../clients/client-keys.js';
import type { CallStore } from '../db/call-store.js';
import type { ServerStore } from '../db/server-store.js';
import { NotFoundError } from '../errors/warden-error.js';
import type { ToolPins } from '../policy/tool-pins.js';
import type { ControlHandlers } from './control-connection.js';

export interface WindowDeps {
  calls: CallStore;
  servers: ServerStore;
  clients: ClientKeys;
  pins: ToolPins;
  now: () => number;
}

type WindowMethods = Extract<ControlMethod, 'log.facets' | 'log.problems' | 'stats.ruleHits' | 'client.activity' | 'server.toolInfo'>;

/** Menus stay usable and answers small, whatever the log holds. */
const MAX_FACET_VALUES = 2000;
/** Overview groups at most this many recent problem rows (the newest); counts past it are lower bounds. */
const MAX_PROBLEM_ROWS = 5000;

/**
 * The read-only control methods the window needs beyond the CLI's: filter menus built from
 * what the core knows (not from rows a page has loaded), the log's real size, recent problems
 * by kind, per-rule hits, each client's last call, and tool annotations. Nothing here writes.
 */
export function createWindowHandlers(deps: WindowDeps): Pick<ControlHandlers, WindowMethods> {
  const { calls, servers, clients, pins, now } = deps;
  const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort((a, b) => a.localeCompare(b)).slice(0, MAX_FACET_VALUES);

  return {
    'log.facets': () => {
      const tools = new Map<string, { server: string; tool: string }>();
      for (const entry of [...pins.list().map((pin) => ({ server: pin.server, tool: pin.tool })), ...calls.distinctTools(MAX_FACET_VALUES)]) {
        tools.set(`${entry.server}\u0000${entry.tool}`, entry);
      }
      return {
        total: calls.count(),
        clients: sorted([...clients.list().map((row) => row.name), ...calls.distinct('client', MAX_FACET_VALUES)]),
        servers: sorted([...servers.list().map((row) => row.name), ...calls.distinct('server', MAX_FACET_VALUES)]),
        tools: [...tools.values()].sort((a, b) => a.server.localeCompare(b.server) || a.tool.localeCompare(b.tool)).slice(0, MAX_FACET_VALUES),
      };
    },
    'log.problems': ({ minutes }) => {
      const since = now() - minutes * 60_000;
      const groups = new Map<ProblemGroup['kind'], ProblemGroup>();
      for (const row of calls.problemsSince(since, MAX_PROBLEM_ROWS)) {
        // Hellos with a wrong key are the shim's business, not a call the user made.
        if (row.method === 'warden/hello') continue;
        const kind = callKind(row) as ProblemGroup['kind'];
        const group = groups.get(kind);
        if (group) {
          group.count += row.repeats;
          continue;
        }
        // Rows come newest first: the first of a kind is its latest.
        groups.set(kind, {
          kind,
          count: row.repeats,
          latestAt: row.ts,
          latest: { id: row.id, client: row.client, server: row.server, target: row.target, reason: row.reason, error: row.error },
        });
      }
      return { since, groups: [...groups.values()].sort((a, b) => b.latestAt - a.latestAt) };
    },
    'stats.ruleHits': () => ({ rules: calls.ruleHits().map((row) => ({ id: row.ruleId, hits: row.hits, lastAt: row.lastAt })), defaults: calls.defaultHits() }),
    'client.activity': () => ({ clients: calls.lastCallByClient().map((row) => ({ name: row.client, lastCallAt: row.lastAt })) }),
    'server.toolInfo': ({ name }) => {
      if (!servers.get(name)) throw new NotFoundError('server', name);
      return { tools: pins.list().filter((pin) => pin.server === name).map((pin) => toolInfo(pin.tool, pin.pendingDefinition ?? pin.definition, pin.pendingHash !== null)) };
    },
  };
}

/** Reads the hints of a pinned definition; a definition that does not parse gives no hints. */
function toolInfo(tool: string, definition: string, changed: boolean): ToolInfo {
  let parsed: { description?: unknown; annotations?: Record<string, unknown> | null } = {};
  try {
    parsed = (JSON.parse(definition) as typeof parsed) ?? {};
  } catch {
    // A pin is written by Warden itself; an unreadable one shows as a tool without hints.
  }
  const hints = parsed.annotations && typeof parsed.annotations === 'object' ? parsed.annotations : {};
  return {
    tool,
    description: typeof parsed.description === 'string' ? parsed.description : null,
    readOnly: hints.readOnlyHint === true,
    destructive: hints.destructiveHint === true,
    openWorld: hints.openWorldHint === true,
    changed,
  };
}
