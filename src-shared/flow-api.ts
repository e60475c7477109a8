/**
 * The flow guard's part of the control API: labels (`private`, `untrusted`, `external`) per
 * server and per tool, and the conversation groups with the legs they have touched. Spread into
 * `controlRequests` / `ControlResults` in control-api.ts; no other copy of this contract exists.
 */
import { z } from 'zod';
import { SERVER_NAME } from './names.js';

/** What a tool can do to a conversation's data: read the user's, bring in others', send it out. */
export const FLOW_LABELS = ['private', 'untrusted', 'external'] as const;
export type FlowLabel = (typeof FLOW_LABELS)[number];

/** What the flow guard does to a call that would complete the trifecta. */
export const FLOW_GUARD_MODES = ['ask', 'deny', 'off'] as const;
export type FlowGuardMode = (typeof FLOW_GUARD_MODES)[number];

/** The flow guard's user settings, spread into `settingsSchema`. */
export const flowSettingsShape = {
  /** ask (default): hold the call for the user; deny: refuse it; off: no flow guard. */
  flowGuard: z.enum(FLOW_GUARD_MODES, { message: 'flowGuard is one of ask, deny, off' }),
  /** A conversation group forgets its legs after this many minutes without a call; 0: never. */
  flowIdleMinutes: z.number().int().min(0).max(7 * 24 * 60),
};

const serverName = z
  .string()
  .regex(SERVER_NAME, 'a server name is 1–64 letters, digits, "_", "." or "-", starting with a letter or digit');
const labelList = z
  .array(z.enum(FLOW_LABELS, { message: 'a label is one of private, untrusted, external' }))
  .min(1, 'name at least one label: private, untrusted or external')
  .max(FLOW_LABELS.length * 2);
const labelTarget = {
  server: serverName,
  /** Absent: the label is the server's, for every tool it has that sets none of its own. */
  tool: z.string().min(1).max(256).optional(),
};

export const flowRequests = {
  /** Gives a server (or one of its tools) labels; the user's labels win over the server's hints. */
  'label.set': z.object({ ...labelTarget, labels: labelList }),
  /** Takes labels away: recorded as "not this label", which wins over hints too. */
  'label.remove': z.object({ ...labelTarget, labels: labelList }),
  /** Forgets what the user said about a server (or one tool): its hints count again. */
  'label.clear': z.object(labelTarget),
  /** Every labelled or pinned tool with its labels and where each came from. */
  'label.list': z.object({ server: serverName.optional() }),
  /** The live conversation groups and the legs each has touched. */
  'flow.groups': z.object({}),
} as const;

/** Where an effective label came from. */
export type LabelSource = 'user-tool' | 'user-server' | 'hint';

export interface LabelEntry {
  server: string;
  /** null: the server-wide entry (labels set on the server itself). */
  tool: string | null;
  /** The labels in force, each with its source (and, for a hint, which hint). */
  labels: Array<{ label: FlowLabel; source: LabelSource; hint?: string }>;
  /** Labels the user took away here (they win over hints and over server labels). */
  removed: FlowLabel[];
}

/** One call a group made to a labelled tool. */
export interface FlowLeg {
  server: string;
  tool: string;
  labels: FlowLabel[];
  calls: number;
  firstAt: number;
  lastAt: number;
}

/** A conversation as the flow guard sees it. */
export interface FlowGroupInfo {
  id: string;
  client: string;
  /** session: an aggregated (or HTTP) session; process: the shims of one client process; client: shims that named no process. */
  kind: 'session' | 'process' | 'client';
  parentPid: number | null;
  /** Live connections in the group. */
  connections: number;
  legs: FlowLeg[];
  /** Legs left out of `legs` because the group holds the most it keeps. */
  moreLegs: number;
  readPrivate: boolean;
  readUntrusted: boolean;
  /** The user answered "allow for session" to a flow ask: the guard is off for this group. */
  released: boolean;
  lastActiveAt: number;
}

export interface FlowResults {
  'label.set': { entry: LabelEntry };
  'label.remove': { entry: LabelEntry };
  'label.clear': { server: string; tool: string | null; cleared: number };
  'label.list': { entries: LabelEntry[] };
  'flow.groups': { groups: FlowGroupInfo[] };
}

/** The structured part of a flow verdict (a result's `_meta`, the audit row's `reason_meta`). */
export interface FlowMeta {
  group: string;
  private: Array<{ server: string; tool: string }>;
  untrusted: Array<{ server: string; tool: string }>;
}
