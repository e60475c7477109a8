import type { ClientInfo, ParsedControlRequest, ServerInfo } from '../../../src-shared/control-api.js';
import type { HttpStatus } from '../../../src-shared/http-status.js';
import { SECRET_NAME, secretReferences } from '../../../src-shared/names.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientKeys } from '../clients/client-keys.js';
import type { ClientRow } from '../db/client-store.js';
import type { ServerRow, ServerStore, ServerTarget } from '../db/server-store.js';
import { ConflictError, InvalidInputError, NotFoundError, WardenError } from '../errors/warden-error.js';
import { newPassphraseMode, passphraseCipher, writeVaultMode } from '../vault/vault-mode.js';
import type { Vault } from '../vault/vault.js';
import { VERSION } from '../version.js';
import type { ControlHandlers } from './control-connection.js';
import { probeServer, type ProbeAuth } from '../upstream/probe.js';
import type { createIntegrationHandlers } from './integration-handlers.js';
import type { createPolicyHandlers } from './policy-handlers.js';
import type { createDatabaseHandlers } from './database-handlers.js';
import type { createWindowHandlers } from './window-handlers.js';
import type { createSessionHandlers } from './session-handlers.js';
import type { createFlowHandlers } from './flow-handlers.js';

type PolicyMethods =
  | keyof ReturnType<typeof createPolicyHandlers>
  | keyof ReturnType<typeof createIntegrationHandlers>
  | keyof ReturnType<typeof createDatabaseHandlers>
  | keyof ReturnType<typeof createWindowHandlers>
  | keyof ReturnType<typeof createSessionHandlers>
  | keyof ReturnType<typeof createFlowHandlers>
  | 'oauth.login'
  | 'oauth.logout';

export interface HandlerDeps {
  dataDir: string;
  servers: ServerStore;
  vault: Vault;
  clients: ClientKeys;
  audit: AuditLog;
  now: () => number;
  /** Live sessions per server name. */
  sessionCounts(): Map<string, number>;
  /** Ends the sessions of a removed server. */
  closeServerSessions(name: string): void;
  /** The last abnormal exit of each server's process. */
  serverErrors: ReadonlyMap<string, { at: number; reason: string }>;
  /** The last lines of a server's log. */
  logTail(name: string): string[];
  /** Runs database writes in one transaction. */
  transaction(work: () => void): void;
  /** OAuth for `warden probe` (signing in when the server asks). */
  probeAuth(url: string): Promise<ProbeAuth>;
  /** Whether a remote server is signed in with OAuth. */
  signInState(name: string): Promise<{ state: 'signed-in' | 'signed-out'; expiresAt: number | null }>;
  /** Where the local MCP HTTP endpoint listens, or why it does not. */
  httpStatus(): HttpStatus;
  /** Asks the core to shut down after the reply is sent. */
  requestStop(): void;
  /** Reloads policy after servers change (their default actions). */
  reload(): void;
}

/** Every control method, implemented on the core's stores. Inputs arrive validated. */
export function createControlHandlers(deps: HandlerDeps): Omit<ControlHandlers, PolicyMethods> {
  const { servers, vault, clients, audit, now } = deps;

  const serverInfo = (row: ServerRow, counts: Map<string, number>): ServerInfo => ({
    name: row.name,
    kind: row.kind,
    ...(row.kind === 'stdio'
      ? { command: row.config.command, args: row.config.args, env: row.config.env, ...(row.config.cwd === undefined ? {} : { cwd: row.config.cwd }) }
      : { url: row.config.url, transport: row.config.transport, headers: row.config.headers }),
    enabled: row.enabled,
    defaultAction: row.defaultAction,
    missingSecrets: referencedSecrets(row).filter((name) => !vault.has(name)),
    sessions: counts.get(row.name) ?? 0,
    lastError: deps.serverErrors.get(row.name) ?? null,
    logTail: deps.logTail(row.name),
    createdAt: row.createdAt,
  });

  return {
    'status': () => ({
      version: VERSION,
      pid: process.pid,
      dataDir: deps.dataDir,
      sessions: [...deps.sessionCounts().values()].reduce((a, b) => a + b, 0),
      servers: servers.list().length,
      vault: vault.protection,
      ...deps.httpStatus(),
    }),
    'daemon.stop': () => {
      deps.requestStop();
      return { stopping: true };
    },
    'server.add': (spec) => {
      const server = targetOf(spec);
      if (!servers.add(spec.name, server, spec.defaultAction, now())) {
        throw new ConflictError(`server "${spec.name}" already exists; edit it, or remove it first`);
      }
      deps.reload();
      return { server: serverInfo(servers.get(spec.name) as ServerRow, deps.sessionCounts()) };
    },
    'server.update': (spec) => {
      if (!servers.update(spec.name, targetOf(spec), spec.defaultAction)) throw new NotFoundError('server', spec.name);
      deps.reload();
      // Running sessions used the old definition: end them; the client's next start uses the new one.
      deps.closeServerSessions(spec.name);
      return { server: serverInfo(servers.get(spec.name) as ServerRow, deps.sessionCounts()) };
    },
    'server.list': async () => {
      const counts = deps.sessionCounts();
      const rows = servers.list();
      const infos = await Promise.all(
        rows.map(async (row) => {
          const info = serverInfo(row, counts);
          const usesOAuth = row.kind === 'remote' && !Object.keys(row.config.headers).some((name) => name.toLowerCase() === 'authorization');
          return usesOAuth ? { ...info, auth: await deps.signInState(row.name) } : info;
        }),
      );
      return { servers: infos };
    },
    'server.setEnabled': ({ name, enabled }) => {
      if (!servers.setEnabled(name, enabled)) throw new NotFoundError('server', name);
      if (!enabled) deps.closeServerSessions(name);
      return { name, enabled };
    },
    'vault.usePassphrase': async ({ passphrase }) => {
      const mode = newPassphraseMode();
      const next = await passphraseCipher(passphrase, mode);
      await vault.rekey(next, deps.transaction);
      writeVaultMode(deps.dataDir, mode);
      return { description: next.description };
    },
    'vault.unlock': () => {
      throw new WardenError('conflict', 'the vault is already open');
    },
    'server.remove': ({ name }) => {
      if (!servers.remove(name)) throw new NotFoundError('server', name);
      deps.reload();
      deps.closeServerSessions(name);
      return { removed: name };
    },
    'secret.set': async ({ name, value }) => ({ name, replaced: await vault.set(name, value, now()) }),
    'secret.list': () => {
      const all = servers.list();
      return {
        secrets: vault.list().map(({ name, updatedAt }) => ({
          name,
          updatedAt,
          usedBy: all.filter((row) => referencedSecrets(row).includes(name)).map((row) => row.name),
        })),
      };
    },
    'secret.remove': ({ name }) => {
      if (!vault.remove(name)) throw new NotFoundError('secret', name);
      return { removed: name };
    },
    'client.add': ({ name }) => {
      const { key, row } = clients.create(name);
      return { client: clientInfo(row), key };
    },
    'client.list': () => ({ clients: clients.list().map(clientInfo) }),
    'client.revoke': ({ name }) => {
      clients.revoke(name);
      return { revoked: name };
    },
    'log.query': ({ limit, afterId, beforeId }) => ({ calls: audit.query(limit, afterId, beforeId) }),
    'probe': async ({ url, transport, headers }) => {
      const resolved = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, vault.resolve(v)]));
      const usesOAuth = !Object.keys(resolved).some((name) => name.toLowerCase() === 'authorization');
      return probeServer({ url, transport, headers: resolved }, usesOAuth ? await deps.probeAuth(url) : undefined);
    },
    'log.follow': (_params, connection) => {
      connection.onClose(audit.subscribe((record) => connection.sendEvent('call', record)));
      return { following: true };
    },
  };
}

/** The stored form of a server.add / server.update request, its secret references checked. */
function targetOf(spec: ParsedControlRequest<'server.add'>): ServerTarget {
  const server: ServerTarget =
    spec.kind === 'remote'
      ? { kind: 'remote', config: { url: spec.url, transport: spec.transport, headers: spec.headers, ...(spec.oauth ? { oauth: spec.oauth } : {}) } }
      : { kind: 'stdio', config: { command: spec.command, args: spec.args, env: spec.env, ...(spec.cwd ? { cwd: spec.cwd } : {}) } };
  for (const name of referencedSecrets(server)) {
    if (!SECRET_NAME.test(name)) {
      throw new InvalidInputError(`"\${secret:${name}}" does not name a valid secret; secret names are letters, digits and "_"`);
    }
  }
  return server;
}

function referencedSecrets(row: ServerTarget): string[] {
  const templates =
    row.kind === 'stdio'
      ? [...row.config.args, ...Object.values(row.config.env)]
      : [...Object.values(row.config.headers), ...[row.config.oauth?.clientSecret, row.config.oauth?.privateKey].filter((value): value is string => value !== undefined)];
  return [...new Set(templates.flatMap(secretReferences))];
}

function clientInfo(row: ClientRow): ClientInfo {
  return {
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    revoked: row.revokedAt !== null,
  };
}
