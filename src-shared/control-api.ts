/**
 * The control API: every operation the CLI (and later the window) asks of the core, defined
 * once as a map of method name to zod request schema. The core validates every request with
 * these schemas; result types are declared beside them. No other copy of this contract exists.
 */
import { z } from 'zod';
import { CLIENT_NAME, ENV_NAME, SECRET_NAME, SERVER_NAME } from './names.js';

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

export const stdioServerSpec = z.object({
  name: serverName,
  command: z.string().min(1, 'the command must not be empty'),
  args: z.array(z.string()).default([]),
  env: z
    .record(z.string().regex(ENV_NAME, 'an environment variable name is letters, digits and "_"'), z.string())
    .default({}),
  cwd: z.string().optional(),
});

export const controlRequests = {
  'status': z.object({}),
  'daemon.stop': z.object({}),
  'server.add': stdioServerSpec,
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
    afterId: z.number().int().min(0).optional(),
  }),
  'log.follow': z.object({}),
} as const;

export type ControlMethod = keyof typeof controlRequests;
export type ControlRequest<M extends ControlMethod> = z.input<(typeof controlRequests)[M]>;
export type ParsedControlRequest<M extends ControlMethod> = z.output<(typeof controlRequests)[M]>;

export interface ServerInfo {
  name: string;
  kind: 'stdio';
  command: string;
  args: string[];
  /** Declared environment, as templates: `${secret:NAME}` is never expanded here. */
  env: Record<string, string>;
  cwd?: string;
  enabled: boolean;
  /** Secret names this server refers to that are not set. */
  missingSecrets: string[];
  /** Live shim sessions using this server. */
  sessions: number;
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

export type CallOutcome = 'pending' | 'ok' | 'error' | 'refused' | 'cancelled' | 'interrupted';

export interface CallRecord {
  id: number;
  ts: number;
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
}

export interface StatusInfo {
  version: string;
  pid: number;
  dataDir: string;
  sessions: number;
  servers: number;
}

export interface ControlResults {
  'status': StatusInfo;
  'daemon.stop': { stopping: true };
  'server.add': { server: ServerInfo };
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
}

/** Events pushed to subscribers of `log.follow`. */
export interface ControlEvents {
  call: CallRecord;
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
