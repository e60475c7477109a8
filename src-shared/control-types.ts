/**
 * The shapes the control API answers with: servers, secrets, clients, calls, reports. The
 * requests and the method-to-result map are in control-api.ts, which re-exports these.
 */
import type { CLIENT_APPS } from './control-api.js';
import type { Action, Rule } from './policy-types.js';
import type { HttpStatus } from './http-status.js';
import type { ConnectReportExtra, VaultedValueInfo } from './client-config-api.js';

export interface ServerInfo {
  name: string;
  kind: 'stdio' | 'remote';
  /** Local servers: how they start. */
  command?: string;
  args?: string[];
  /** Declared environment, as templates: `${secret:NAME}` is never expanded here. */
  env?: Record<string, string>;
  cwd?: string;
  /** Remote servers: where, how, and the header templates. */
  url?: string;
  transport?: 'http' | 'sse' | 'auto';
  headers?: Record<string, string>;
  /** Remote servers that sign in with OAuth: signed in (until when) or out. */
  auth?: { state: 'signed-in' | 'signed-out'; expiresAt: number | null };
  enabled: boolean;
  defaultAction: Action;
  /** Secret names this server refers to that are not set. */
  missingSecrets: string[];
  /** Live shim sessions using this server. */
  sessions: number;
  /** The last time its process ended without being asked to, and why. */
  lastError: { at: number; reason: string } | null;
  /** The last lines of its log (stderr and Warden's notes), secrets redacted. */
  logTail: string[];
  createdAt: number;
}

export interface SecretInfo {
  name: string;
  updatedAt: number;
  usedBy: string[];
}

export interface ClientInfo {
  name: string;
  prefix: string;
  createdAt: number;
  lastSeenAt: number | null;
  revoked: boolean;
}

export type CallOutcome = 'pending' | 'ok' | 'error' | 'refused' | 'denied' | 'cancelled' | 'interrupted';

export interface CallRecord {
  id: number;
  ts: number;
  /** The session the call came in: `http-…` over the HTTP endpoint (see cameOverHttp). */
  session: string;
  client: string;
  server: string;
  method: string;
  target: string | null;
  /** Arguments as JSON, with secret values replaced by «secret:NAME» and long values cut. */
  arguments: string | null;
  outcome: CallOutcome;
  error: string | null;
  durationMs: number | null;
  resultBytes: number | null;
  /** allow | ask | deny: what policy decided before the call went on. */
  decision: string | null;
  /** The rule, limit, guard or answer that decided, in one sentence. */
  reason: string | null;
  /** JSON: how an ask was answered, hidden content found in the result. */
  notes: string | null;
  /** How many identical refusals in a row this row stands for (1 unless folded). */
  repeats: number;
}

export interface StatusInfo extends HttpStatus {
  version: string;
  pid: number;
  dataDir: string;
  sessions: number;
  servers: number;
  /** What protects the secrets; `warning` is set when that is not much (no keyring). */
  vault: { description: string; warning: string | null };
}


/** One backup of the database (a copy: ciphertexts and hashes, no plaintext secret). */
export interface BackupSummary {
  name: string;
  path: string;
  kind: 'daily' | 'manual' | 'migration';
  /** ms since the epoch. */
  createdAt: number;
  bytes: number;
}

export interface Overview {
  /** Calls per minute by outcome, oldest first; `minute` is ms since the epoch. */
  perMinute: Array<{ minute: number; ok: number; error: number; denied: number; other: number }>;
  topTools: Array<{ server: string; tool: string; calls: number }>;
  latency: Array<{ server: string; p50: number; p95: number; calls: number }>;
  pendingApprovals: number;
  paused: boolean;
}

export interface ServerTool {
  tool: string;
  /** The decision for clients that no client-specific rule names. */
  decision: Action;
  reason: string;
  pin: 'approved' | 'changed';
  description: string | null;
}

export interface IntegrationStatus {
  app: (typeof CLIENT_APPS)[number];
  label: string;
  configPath: string;
  exists: boolean;
  /** connected: launches Warden; drifted: was connected, the client rewrote it; imported: not connected. */
  entries: Array<{ entry: string; server: string; state: 'connected' | 'drifted' | 'imported' }>;
}

export interface ImportReport {
  configPath: string;
  /** `vaulted` says which env (or header) went into which secret and why; `keptEnv` stayed plain. */
  imported: Array<{ entry: string; server: string; secrets: string[]; keptEnv: string[]; renamed: boolean; vaulted: VaultedValueInfo[] }>;
  skipped: Array<{ entry: string; why: string }>;
}

export type ConnectReport = {
  configPath: string;
  backup: string | null;
  dryRun: boolean;
  /** Entries as they were and as they are (env values hidden). */
  changes: Array<{ entry: string; server: string; before: unknown; after: unknown }>;
  clientKeyCreated: boolean;
} & ConnectReportExtra;

export interface DisconnectReport {
  configPath: string;
  backup: string | null;
  dryRun: boolean;
  restored: string[];
  left: Array<{ entry: string; why: string }>;
  /** Client keys `connect` had made that no managed config holds any more: revoked. */
  revokedKeys: string[];
}

/** A copy of a client config that `connect` or `disconnect` made before changing it. */
export interface ConfigBackup {
  app: (typeof CLIENT_APPS)[number];
  configPath: string;
  /** The backup file; it may hold the secrets an import moved into the vault. */
  path: string;
  bytes: number;
  /** Permission bits (Warden writes 0600; older backups may be 0644). */
  mode: number;
  modifiedAt: number;
}

export interface RuleExplanation {
  action: Action;
  /** The sentence a refusal would carry. */
  reason: string;
  rule: Rule | null;
  /** How rules are ranked, for people reading the explanation. */
  order: string;
}

export interface LimitInfo {
  id: number;
  client: string;
  server: string;
  target: string;
  max: number;
  perMs: number;
}

export interface PendingApproval {
  id: string;
  client: string;
  server: string;
  tool: string;
  /** Arguments as JSON with secret values redacted. */
  arguments: string;
  /** Why Warden asks (the rule, or a guard such as a secret in the arguments). */
  reason: string;
  createdAt: number;
  deadline: number;
}

export interface PinInfo {
  server: string;
  tool: string;
  hash: string;
  approvedAt: number;
  /** Set when the upstream now serves a different definition: the tool is held. */
  pendingHash: string | null;
  pendingSeenAt: number | null;
  /** Other servers serving a tool of the same name. */
  shadowedBy: string[];
}

export interface GuardInfo {
  id: number;
  server: string;
  tool: string;
  name: string;
  pattern: string;
  mode: 'flag' | 'block';
}

/** The values the log can be filtered by, from the core's stores and the whole log. */
export interface LogFacets {
  /** Rows in the log now (folded refusals count once). */
  total: number;
  clients: string[];
  servers: string[];
  tools: Array<{ server: string; tool: string }>;
}

/** Calls of one kind (see call-kind.ts) in a time span: how many, and the newest as an example. */
export interface ProblemGroup {
  kind: 'rule' | 'limit' | 'user' | 'timeout' | 'paused' | 'guard' | 'refused' | 'failed';
  /** Calls, folded refusals counted in full. */
  count: number;
  latestAt: number;
  latest: { id: number; client: string; server: string; target: string | null; reason: string | null; error: string | null };
}

/** A tool as Warden pinned it, with the hints its server gives (hints, not guarantees). */
export interface ToolInfo {
  tool: string;
  description: string | null;
  readOnly: boolean;
  destructive: boolean;
  openWorld: boolean;
  /** The pinned definition changed and waits for approval. */
  changed: boolean;
}
