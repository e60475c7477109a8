/**
 * The control API of aggregated sessions: each client's tools mode (every tool, or a few
 * discovery tools), and what the running aggregated sessions' servers ("legs") are doing.
 * Part of the one contract: control-api.ts spreads these requests and results into its own.
 */
import { z } from 'zod';
import { CLIENT_NAME } from './names.js';

/** `all`: every tool of every server is listed; `search`: a find tool and a call tool instead. */
export const TOOLS_MODES = ['all', 'search'] as const;
export type ToolsMode = (typeof TOOLS_MODES)[number];

export const toolsModeSchema = z.enum(TOOLS_MODES, { message: 'the tools mode is all or search' });

export const sessionRequests = {
  /** Sets how a client's aggregated sessions show tools; running sessions switch at once (list_changed). */
  'client.setTools': z.object({
    name: z.string().regex(CLIENT_NAME, 'a client name is 1–64 letters, digits, spaces, "_", "." or "-"'),
    tools: toolsModeSchema,
  }),
  /** Every client's tools mode. */
  'client.toolsModes': z.object({}),
  /** The running aggregated sessions and the state of each server they reached. */
  'sessions.aggregated': z.object({}),
} as const;

/**
 * One server of an aggregated session. `running`: its upstream is up (pid); `starting`: its
 * first call or listing is starting it; `stopped`: stopped after being idle (it starts again on
 * the next call); `failing`: it could not be started, since `since`; `reason` says why and
 * `logPath` is its log.
 */
export interface LegStatus {
  server: string;
  state: 'running' | 'starting' | 'stopped' | 'failing';
  pid: number | null;
  reason: string | null;
  /** ms since the epoch: when the state began (the first failure of a run of failures). */
  since: number | null;
  logPath: string | null;
}

export interface AggregatedSessionInfo {
  id: string;
  client: string;
  tools: ToolsMode;
  startedAt: number;
  legs: LegStatus[];
}

export interface SessionResults {
  'client.setTools': { name: string; tools: ToolsMode };
  'client.toolsModes': { clients: Array<{ name: string; tools: ToolsMode }> };
  'sessions.aggregated': { sessions: AggregatedSessionInfo[] };
}
