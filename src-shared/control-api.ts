/**
 * The control API: every operation the CLI (and later the window) asks of the core, defined
 * once as a map of method name to zod request schema. The core validates every request with
 * these schemas; result types are declared beside them. No other copy of this contract exists.
 */
import { z } from 'zod';
import { callerEnv } from './caller-env.js';
import { patternProblem } from './glob.js';
import { CLIENT_NAME, ENV_NAME, SECRET_NAME, SERVER_NAME } from './names.js';
import { ACTIONS, TARGET_KINDS, type Action, type Rule, type TargetKind } from './policy-types.js';
import { sessionRequests, type SessionResults } from './session-api.js';
import { flowRequests, flowSettingsShape, type FlowResults } from './flow-api.js';

const serverName = z
  .string()
  .regex(SERVER_NAME, 'a server name is 1–64 letters, digits, "_", "." or "-", starting with a letter or digit');
const secretName = z
  .string()
  .regex(SECRET_NAME, 'a secret name is letters, digits and "_", starting with a letter or "_"');
const clientName = z
  .string()
  .regex(CLIENT_NAME, 'a client name is 1–64 letters, digits, spaces, "_", "." or "-"');

/** Largest secret value the vault accepts. */
export const MAX_SECRET_BYTES = 64 * 1024;

const pattern = z.string().superRefine((value, ctx) => {
  const problem = patternProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const action = z.enum(ACTIONS, { message: 'the action is one of allow, ask, deny' });
const kind = z.enum(TARGET_KINDS, { message: 'the kind is one of tool, resource, prompt' }).default('tool');
const toolName = z.string().min(1).max(256);

export const CLIENT_APPS = ['claude', 'cursor', 'vscode', 'claude-code'] as const;
const clientApp = z.enum(CLIENT_APPS, { message: `the client is one of ${CLIENT_APPS.join(', ')}` });

export const APPROVAL_ANSWERS = ['allow-once', 'allow-session', 'allow-always', 'deny', 'deny-always'] as const;
export type ApprovalAnswer = (typeof APPROVAL_ANSWERS)[number];

export const SERVER_PRESETS = ['readonly-annotations', 'allow-all', 'ask-all'] as const;
export const CLIENT_PRESETS = ['full', 'readonly', 'limited'] as const;

/** User settings the control API reads and writes. */
export const settingsSchema = z.object({
  approvalTimeoutSeconds: z.number().int().min(5).max(55, 'clients give up after about 60 s, so the approval timeout is at most 55 s'),
  maxArgumentBytes: z.number().int().min(1024).max(64 * 1024 * 1024),
  maxMessageBytes: z.number().int().min(64 * 1024).max(256 * 1024 * 1024),
  defaultClientLimitPerMinute: z.number().int().min(1).max(1_000_000),
  logRetentionDays: z.number().int().min(1).max(3650),
  logMaxRows: z.number().int().min(1000).max(100_000_000),
  /** The hourly prune deletes the oldest rows until the database uses at most this much. */
  logMaxMiB: z.number().int().min(16, 'the log size cap is at least 16 MiB').max(1024 * 1024),
  paused: z.boolean(),
  /** Point client entries back at Warden by itself when a client rewrites its config. */
  autoReconnect: z.boolean(),
  /** The local MCP endpoint's port (127.0.0.1), used from the next start; 0 picks a free one. */
  httpPort: z.number().int().min(0, 'a port is 0 to 65535 (0 picks a free one)').max(65535, 'a port is 0 to 65535 (0 picks a free one)'),
  /** MCP sessions one client key may hold open at once on the HTTP endpoint. */
  maxHttpSessionsPerKey: z.number().int().min(1, 'a key may hold 1 to 1024 sessions').max(1024, 'a key may hold 1 to 1024 sessions'),
  /** Post a desktop notification (with answer buttons where supported) for every ask. */
  desktopNotifications: z.boolean(),
  /**
   * Warden's Client ID Metadata Document URL (https, with a path), used as the client ID with
   * every authorization server that supports such documents, before dynamic registration;
   * empty for none.
   */
  /** An aggregated session stops a server's upstream idle this long (0: never); the next call starts it. */
  upstreamIdleStopSeconds: z.number().int().min(0).max(7 * 24 * 3600, 'the idle stop is at most 7 days (604800 s); 0 turns it off'),
  oauthClientMetadataUrl: z.union([
    z.literal(''),
    z.string().url().refine((value) => value.startsWith('https://') && new URL(value).pathname !== '/', 'a client metadata document URL is https with a path, or empty for none'),
  ]),
  ...flowSettingsShape,
});
export type UserSettings = z.infer<typeof settingsSchema>;

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name is letters, digits and -');

export const OAUTH_GRANTS = ['authorization_code', 'client_credentials'] as const;
export const OAUTH_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type OAuthGrant = (typeof OAUTH_GRANTS)[number];
export type OAuthAuthMethod = (typeof OAUTH_AUTH_METHODS)[number];

/**
 * The one sentence that says why a server's OAuth settings cannot work together, or undefined
 * when they can. Shared by the control API's schema and the CLI, so both refuse alike.
 */
export function oauthConfigProblem(oauth: {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  clientMetadataUrl?: string | undefined;
  grant?: OAuthGrant | undefined;
  authMethod?: OAuthAuthMethod | undefined;
  privateKey?: string | undefined;
}): string | undefined {
  const machine = oauth.grant === 'client_credentials';
  if (oauth.clientSecret && oauth.privateKey) return 'give a client secret or a private key, not both';
  if ((oauth.clientSecret || oauth.privateKey || machine) && !oauth.clientId) return 'a client secret, a private key or the client_credentials grant needs the client ID (--oauth-client-id)';
  if (oauth.clientMetadataUrl && oauth.clientId) return 'a pre-registered client ID and a client metadata document URL exclude each other; give one';
  if (machine && !oauth.clientSecret && !oauth.privateKey) return 'the client_credentials grant needs a client secret (--oauth-client-secret) or a private key (--oauth-private-key)';
  if (oauth.authMethod === 'private_key_jwt' && !oauth.privateKey) return 'private_key_jwt needs the private key (--oauth-private-key)';
  if (oauth.privateKey && oauth.authMethod !== undefined && oauth.authMethod !== 'private_key_jwt') return `a private key is used with private_key_jwt, not ${oauth.authMethod}`;
  if ((oauth.authMethod === 'client_secret_basic' || oauth.authMethod === 'client_secret_post') && !oauth.clientSecret) return `${oauth.authMethod} needs the client secret (--oauth-client-secret)`;
  if (oauth.authMethod === 'none' && (oauth.clientSecret || machine)) return 'the auth method none sends no secret, so it fits neither a client secret nor the client_credentials grant';
  return undefined;
}

export const remoteServerSpec = z.object({
  kind: z.literal('remote'),
  name: serverName,
  url: z
    .string()
    .url('the URL is not valid')
    .refine((value) => /^https?:$/.test(new URL(value).protocol), 'a remote server URL starts with https:// (or http:// on this computer)'),
  transport: z.enum(['http', 'sse', 'auto']).default('auto'),
  headers: z.record(headerName, z.string()).default({}),
  oauth: z
    .object({
      clientId: z.string().min(1).max(512).optional(),
      clientSecret: z.string().min(1).max(512).optional(),
      clientMetadataUrl: z.string().url().refine((value) => value.startsWith('https://'), 'a client metadata document URL is https').optional(),
      scope: z.string().max(1000).optional(),
      /** `client_credentials`: a machine client, no browser; needs a secret or a private key. */
      grant: z.enum(OAUTH_GRANTS).optional(),
      /** How the client proves itself at the token endpoint; by default what the server offers. */
      authMethod: z.enum(OAUTH_AUTH_METHODS).optional(),
      /** A ${secret:NAME} reference to a PEM private key, for private_key_jwt. */
      privateKey: z.string().min(1).max(512).optional(),
    })
    .superRefine((oauth, context) => {
      const problem = oauthConfigProblem(oauth);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  defaultAction: z.enum(ACTIONS).default('ask'),
});

export const stdioServerSpec = z.object({
  kind: z.literal('stdio').default('stdio'),
  name: serverName,
  command: z.string().min(1, 'the command must not be empty'),
  args: z.array(z.string()).default([]),
  env: z
    .record(z.string().regex(ENV_NAME, 'an environment variable name is letters, digits and "_"'), z.string())
    .default({}),
  cwd: z.string().optional(),
  defaultAction: action.default('ask'),
});

export const controlRequests = {
  'status': z.object({}),
  'daemon.stop': z.object({}),
  'server.add': z.preprocess(
    (value) => (value && typeof value === 'object' && !('kind' in value) ? { ...value, kind: 'url' in value ? 'remote' : 'stdio' } : value),
    z.discriminatedUnion('kind', [stdioServerSpec.extend({ kind: z.literal('stdio') }), remoteServerSpec]),
  ),
  'oauth.login': z.object({ name: serverName }),
  'oauth.logout': z.object({ name: serverName }),
  /** Replaces a server's definition (same fields as server.add); its sessions end. */
  'server.update': z.preprocess(
    (value) => (value && typeof value === 'object' && !('kind' in value) ? { ...value, kind: 'url' in value ? 'remote' : 'stdio' } : value),
    z.discriminatedUnion('kind', [stdioServerSpec.extend({ kind: z.literal('stdio') }), remoteServerSpec]),
  ),
  'probe': z.object({ url: remoteServerSpec.shape.url, transport: z.enum(['http', 'sse', 'auto']).default('auto'), headers: z.record(headerName, z.string()).default({}) }),
  'server.list': z.object({}),
  'server.remove': z.object({ name: serverName }),
  'secret.set': z.object({
    name: secretName,
    value: z
      .string()
      .min(1, 'the secret value is empty')
      .refine((v) => new TextEncoder().encode(v).length <= MAX_SECRET_BYTES, 'the secret value is larger than 64 KiB'),
  }),
  'secret.list': z.object({}),
  'secret.remove': z.object({ name: secretName }),
  'client.add': z.object({ name: clientName }),
  'client.list': z.object({}),
  'client.revoke': z.object({ name: clientName }),
  'log.query': z.object({
    limit: z.number().int().min(1).max(10_000).default(100),
    /** Rows after this id, oldest first. */
    afterId: z.number().int().min(0).optional(),
    /** The newest rows before this id (oldest first), for paging back. */
    beforeId: z.number().int().min(1).optional(),
  }),
  'log.follow': z.object({}),
  'log.verify': z.object({}),
  'server.setDefault': z.object({ name: serverName, action }),
  'server.setEnabled': z.object({ name: serverName, enabled: z.boolean() }),
  /** Seals the vault with a passphrase instead (asked for at every start). */
  'vault.usePassphrase': z.object({ passphrase: z.string().min(12, 'a vault passphrase has at least 12 characters').max(1024) }),
  /** Opens a passphrase-sealed vault at start-up (the desktop app's unlock window). */
  'vault.unlock': z.object({ passphrase: z.string().min(1).max(1024) }),
  'server.preset': z.object({ name: serverName, preset: z.enum(SERVER_PRESETS, { message: `the preset is one of ${SERVER_PRESETS.join(', ')}` }) }),
  'rule.add': z.object({ client: pattern, server: pattern, kind, target: pattern, action }),
  'rule.list': z.object({}),
  'rule.remove': z.object({ id: z.number().int().min(1) }),
  'rule.explain': z.object({ client: clientName, server: serverName, kind, target: z.string().min(1).max(4096) }),
  'rule.preset': z.object({
    preset: z.enum(CLIENT_PRESETS, { message: `the preset is one of ${CLIENT_PRESETS.join(', ')}` }),
    client: pattern,
    server: pattern,
    tools: z.array(toolName).default([]),
  }),
  'limit.add': z.object({
    client: pattern,
    server: pattern,
    target: pattern,
    max: z.number().int().min(1, 'the maximum is at least 1 call').max(1_000_000),
    perMs: z.number().int().min(1000, 'the window is at least 1 s').max(7 * 24 * 3_600_000, 'the window is at most 7 days'),
  }),
  'limit.list': z.object({}),
  'limit.remove': z.object({ id: z.number().int().min(1) }),
  'approvals.list': z.object({}),
  'approvals.answer': z.object({ id: z.string().min(1).max(64), answer: z.enum(APPROVAL_ANSWERS) }),
  'approvals.follow': z.object({}),
  'pins.list': z.object({}),
  'pins.diff': z.object({ server: serverName, tool: toolName }),
  'pins.approve': z.object({ server: serverName, tool: toolName }),
  'guard.add': z.object({
    server: pattern,
    tool: pattern,
    name: z.string().min(1).max(80).optional(),
    pattern: z.string().min(1).max(1000).superRefine((value, ctx) => {
      try {
        new RegExp(value, 'iu');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `the pattern is not a valid regular expression: ${(error as Error).message}` });
      }
    }),
    mode: z.enum(['flag', 'block']).default('block'),
  }),
  'guard.preset': z.object({ server: pattern, tool: pattern, mode: z.enum(['flag', 'block']).default('flag') }),
  'guard.list': z.object({}),
  'guard.remove': z.object({ id: z.number().int().min(1) }),
  'stats.overview': z.object({ minutes: z.number().int().min(5).max(24 * 60).default(60) }),
  'server.tools': z.object({ name: serverName }),
  'clients.status': z.object({ callerEnv }),
  'clients.import': z.object({
    app: clientApp,
    configPath: z.string().min(1).optional(),
    callerEnv,
    keepEnv: z.array(z.string()).default([]),
    defaultAction: action.default('ask'),
  }),
  'clients.connect': z.object({
    app: clientApp,
    configPath: z.string().min(1).optional(),
    callerEnv,
    dryRun: z.boolean().default(false),
    /** Servers (added by hand, not imported) to give their own entry in the config. */
    servers: z.array(serverName).max(256).default([]),
    /** One entry for the aggregated session instead of one per server. */
    aggregate: z.boolean().default(false),
    /** stdio: entries launch the shim; http: URL entries for Warden's local endpoint (not Claude Desktop). */
    transport: z.enum(['stdio', 'http']).default('stdio'),
  }),
  'clients.disconnect': z.object({
    app: clientApp,
    configPath: z.string().min(1).optional(),
    callerEnv,
    restoreSecrets: z.boolean().default(false),
    dryRun: z.boolean().default(false),
  }),
  'clients.backups': z.object({ app: clientApp.optional() }),
  'clients.removeBackups': z.object({ app: clientApp.optional() }),
  'settings.get': z.object({}),
  'settings.set': settingsSchema.partial().refine((value) => Object.keys(value).length > 0, 'name at least one setting to change'),
  /** Takes a backup of the database now (SQLite's online backup, into backups/ in the data dir). */
  'db.backup': z.object({}),
  /** What the log's filter menus offer: every client, server and tool the core knows, and the log's real size. */
  'log.facets': z.object({}),
  /** Denied, rate-limited, refused and failed calls of the last `minutes`, grouped by kind (Overview's "needs attention"). */
  'log.problems': z.object({ minutes: z.number().int().min(1).max(24 * 60).default(60) }),
  /** How many calls each rule, and each server's default action, decided. */
  'stats.ruleHits': z.object({}),
  /** Each client's last call (not its last connect). */
  'client.activity': z.object({}),
  /** The tools Warden has seen on a server, with their annotations (read-only, destructive). */
  'server.toolInfo': z.object({ name: serverName }),
  ...sessionRequests,
  ...flowRequests,
} as const;

export type ControlMethod = keyof typeof controlRequests;
export type ControlRequest<M extends ControlMethod> = z.input<(typeof controlRequests)[M]>;
export type ParsedControlRequest<M extends ControlMethod> = z.output<(typeof controlRequests)[M]>;

export interface ControlResults extends SessionResults, FlowResults {
  'status': StatusInfo;
  'daemon.stop': { stopping: true };
  'server.add': { server: ServerInfo };
  'server.update': { server: ServerInfo };
  'oauth.login': { name: string; expiresAt: number | null };
  'oauth.logout': { name: string };
  'probe': { name: string; version: string; transport: 'http' | 'sse'; tools: Array<{ name: string; description: string | null }> };
  'server.list': { servers: ServerInfo[] };
  'server.remove': { removed: string };
  'secret.set': { name: string; replaced: boolean };
  'secret.list': { secrets: SecretInfo[] };
  'secret.remove': { removed: string };
  'client.add': { client: ClientInfo; key: string };
  'client.list': { clients: ClientInfo[] };
  'client.revoke': { revoked: string };
  'log.query': { calls: CallRecord[] };
  'log.follow': { following: true };
  /**
   * `problemCount` counts every row (or signed pointer) that does not verify; `problems` lists
   * the first 20. `brokenId` and `problem` repeat the first one (null when the log verifies).
   */
  'log.verify': {
    ok: boolean;
    rows: number;
    firstId: number | null;
    lastId: number | null;
    problemCount: number;
    problems: Array<{ id: number | null; problem: string }>;
    brokenId: number | null;
    problem: string | null;
  };
  'server.setDefault': { name: string; action: Action };
  'server.setEnabled': { name: string; enabled: boolean };
  'vault.usePassphrase': { description: string };
  'vault.unlock': { unlocked: true };
  'server.preset': { added: Rule[]; skipped: string[] };
  'rule.add': { rule: Rule };
  'rule.list': { rules: Rule[] };
  'rule.remove': { removed: number };
  'rule.explain': RuleExplanation;
  'rule.preset': { added: Rule[] };
  'limit.add': { limit: LimitInfo };
  'limit.list': { limits: LimitInfo[] };
  'limit.remove': { removed: number };
  'approvals.list': { approvals: PendingApproval[] };
  'approvals.answer': { id: string; answer: ApprovalAnswer };
  'approvals.follow': { following: true };
  'pins.list': { pins: PinInfo[] };
  'pins.diff': { server: string; tool: string; diff: string };
  'pins.approve': { server: string; tool: string };
  'guard.add': { guard: GuardInfo };
  'guard.preset': { added: GuardInfo[] };
  'guard.list': { guards: GuardInfo[] };
  'guard.remove': { removed: number };
  'stats.overview': Overview;
  'server.tools': { tools: ServerTool[] };
  'clients.status': { clients: IntegrationStatus[] };
  'clients.import': ImportReport;
  'clients.connect': ConnectReport;
  'clients.disconnect': DisconnectReport;
  'clients.backups': { backups: ConfigBackup[] };
  'clients.removeBackups': { removed: string[] };
  'settings.get': { settings: UserSettings };
  'settings.set': { settings: UserSettings };
  'db.backup': { backup: BackupSummary };
  'log.facets': LogFacets;
  'log.problems': { since: number; groups: ProblemGroup[] };
  'stats.ruleHits': { rules: Array<{ id: number; hits: number; lastAt: number }>; defaults: Array<{ server: string; hits: number; lastAt: number }> };
  'client.activity': { clients: Array<{ name: string; lastCallAt: number }> };
  'server.toolInfo': { tools: ToolInfo[] };
}

export type { Action, Rule, TargetKind };
export type {
  ServerInfo, SecretInfo, ClientInfo, CallOutcome, CallRecord, StatusInfo, BackupSummary, Overview,
  ServerTool, IntegrationStatus, ImportReport, ConnectReport, DisconnectReport, ConfigBackup,
  RuleExplanation, LimitInfo, PendingApproval, PinInfo, GuardInfo, LogFacets, ProblemGroup, ToolInfo
} from './control-types.js';
import type { ServerInfo, SecretInfo, ClientInfo, CallRecord, StatusInfo, BackupSummary, Overview, ServerTool, IntegrationStatus, ImportReport, ConnectReport, DisconnectReport, ConfigBackup, RuleExplanation, LimitInfo, PendingApproval, PinInfo, GuardInfo, LogFacets, ProblemGroup, ToolInfo } from './control-types.js';
export type { ConnectReportExtra, VaultedValueInfo } from './client-config-api.js';

/** Events pushed to subscribers of `log.follow`. */
export interface ControlEvents {
  call: CallRecord;
  approval: { event: 'added' | 'settled'; approval: PendingApproval };
}

/** Error codes a control request can fail with; `message` is always one sentence for a person. */
export type ControlErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'unavailable'
  | 'internal';

export interface ControlError {
  code: ControlErrorCode;
  message: string;
}

/** Formats the first zod issue as one sentence naming the field. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'the request is invalid';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}
