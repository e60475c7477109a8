import { NotFoundError } from '../errors/warden-error.js';
import type { OAuthManager } from '../oauth/oauth-manager.js';
import type { ServerStore } from '../db/server-store.js';
import { serverLogPath } from '../paths.js';
import type { Vault } from '../vault/vault.js';
import { CappedLog } from './capped-log.js';
import { minimalEnv } from './minimal-env.js';
import { RemoteUpstream } from './remote-upstream.js';
import { StdioUpstream, type Spawner } from './stdio-upstream.js';
import type { Upstream, UpstreamHandlers } from './upstream.js';

export interface UpstreamStarterDeps {
  dataDir: string;
  servers: ServerStore;
  vault: Vault;
  oauth: OAuthManager;
  spawn: Spawner;
  parentEnv: NodeJS.ProcessEnv | undefined;
  now: () => number;
  /** How long a call that needs a sign-in waits for it (the approval timeout). */
  signInWaitMs: () => number;
}

/** Starts the upstream of a named server, resolving its secrets at start. */
export interface UpstreamStarter {
  start(serverName: string, handlers: UpstreamHandlers): Upstream;
  /** The last unexpected exit of each server (the window and `server list` show it). */
  readonly errors: Map<string, { at: number; reason: string }>;
  /** Closes the per-server stderr logs. */
  close(): void;
}

/**
 * How the gateway starts upstreams: a local process with its env and args resolved from the
 * vault and a minimal environment, or a remote connection with its headers resolved and OAuth
 * when it has no Authorization header of its own. Each server's stderr and notes go to its own
 * capped, redacted log. Throws a WardenError (unknown server, missing secret) when it cannot.
 */
export function createUpstreamStarter(deps: UpstreamStarterDeps): UpstreamStarter {
  const { vault, oauth } = deps;
  const redact = (text: string): string => vault.redactor.redact(text);
  const logs = new Map<string, CappedLog>();
  const errors = new Map<string, { at: number; reason: string }>();
  const logOf = (name: string): CappedLog => {
    let capped = logs.get(name);
    if (!capped) {
      capped = new CappedLog(serverLogPath(deps.dataDir, name));
      logs.set(name, capped);
    }
    return capped;
  };
  const start = (serverName: string, handlers: UpstreamHandlers): Upstream => {
    const server = deps.servers.get(serverName);
    if (!server) throw new NotFoundError('server', serverName);
    const recorded: UpstreamHandlers = {
      onLine: handlers.onLine,
      onExit: (reason, expected) => {
        if (!expected) errors.set(server.name, { at: deps.now(), reason });
        handlers.onExit(reason, expected);
      },
    };
    if (server.kind === 'remote') {
      const headers: Record<string, string> = {};
      for (const [name, template] of Object.entries(server.config.headers)) headers[name] = vault.resolve(template);
      // A server given its own Authorization header does not sign in with OAuth.
      const usesOAuth = !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
      const url = server.config.url;
      return new RemoteUpstream(
        server.name,
        { url, transport: server.config.transport, headers },
        {
          log: logOf(server.name),
          redact,
          handlers: recorded,
          signInHint: `sign in to "${server.name}" first (a sign-in page opens in your browser, or run: warden login ${server.name}), then try again`,
          waitForSignIn: () => oauth.waitForSignIn(server.name, deps.signInWaitMs()),
          ...(usesOAuth
            ? { authProvider: oauth.providerForNow(server.name, url), fetch: (input, init) => oauth.fetchFor(url, server.name).then((fetchFn) => fetchFn(input, init)) }
            : {}),
        },
      );
    }
    const env: Record<string, string> = {};
    for (const [name, template] of Object.entries(server.config.env)) env[name] = vault.resolve(template);
    const launch = {
      command: server.config.command,
      args: server.config.args.map((arg) => vault.resolve(arg)),
      env: minimalEnv(env, deps.parentEnv),
      ...(server.config.cwd === undefined ? {} : { cwd: server.config.cwd }),
    };
    return new StdioUpstream(server.name, launch, deps.spawn, logOf(server.name), vault.redactor, recorded);
  };
  return {
    start,
    errors,
    close: () => {
      for (const capped of logs.values()) capped.close();
    },
  };
}
