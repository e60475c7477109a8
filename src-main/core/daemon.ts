import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { Approvals } from './approvals/approvals.js';
import { startUpkeep } from './audit/audit-upkeep.js';
import { HelloLimiter } from './clients/hello-limiter.js';
import { createSessionHandlers } from './ipc/session-handlers.js';
import { LinkStore } from './db/link-store.js';
import { WardenError } from './errors/warden-error.js';
import { describeFailure } from './errors/guarded.js';
import { SessionHub } from './gateway/session-hub.js';
import { Integrations, type ShimLaunch } from './integrations/integrations.js';
import { startDesktopNotifications } from './notify/desktop-notifications.js';
import { loadAdminToken } from './ipc/admin-token.js';
import { createControlHandlers } from './ipc/control-handlers.js';
import { createDatabaseHandlers } from './ipc/database-handlers.js';
import { createIntegrationHandlers } from './ipc/integration-handlers.js';
import { LocalServer } from './ipc/local-server.js';
import { createOAuthHandlers } from './ipc/oauth-handlers.js';
import { createPolicyHandlers } from './ipc/policy-handlers.js';
import { createWindowHandlers } from './ipc/window-handlers.js';
import { createFlow } from './flow/create-flow.js';
import { createFlowHandlers } from './ipc/flow-handlers.js';
import type { BrowserOpener } from './oauth/browser-opener.js';
import { adminTokenPath, prepareSocketDir, serverLogPath, socketPath } from './paths.js';
import { createClientDoor, refuseConnection } from './setup/client-door.js';
import { createControlServer } from './setup/core-control.js';
import { openCoreData } from './setup/core-data.js';
import { openCoreLog } from './setup/core-log.js';
import { setupOAuth } from './setup/core-oauth.js';
import { setupPolicy } from './setup/core-policy.js';
import { tailLines } from './upstream/tail.js';
import { createUpstreamStarter } from './upstream/upstream-starter.js';
import type { Spawner } from './upstream/stdio-upstream.js';
import type { Cipher } from './vault/cipher.js';
import { startWebServer, type RunningWebServer } from './web/web-server.js';
import { startHttpFrontDoor, type HttpEndpoint } from './http/http-server.js';
import { httpEndpointUrl } from '../../src-shared/http-endpoint.js';
import type { ControlHandlers } from './ipc/control-connection.js';

export interface CoreOptions {
  dataDir: string;
  cipher: Cipher;
  /** The cipher the vault used before, when moving to `cipher` (the app taking over the daemon's data dir). */
  previousCipher?: Cipher;
  spawn: Spawner;
  now?: () => number;
  /** Where the core's own log lines also go (the daemon passes stderr when in a terminal). */
  echo?: (line: string) => void;
  /** Environment upstreams inherit their allow-listed variables from. */
  parentEnv?: NodeJS.ProcessEnv;
  /** How clients launch the shim, for the entries `clients connect` writes. */
  shim?: ShimLaunch;
  /** Opens sign-in pages; the daemon uses $BROWSER or the platform opener, the app Electron's. */
  openBrowser?: BrowserOpener;
  /** Serve the window to a browser on 127.0.0.1 (`warden daemon --web`). */
  web?: { staticDir: string; port: number };
  /** The MCP HTTP endpoint's port for this run (`warden daemon --http-port`); else the `httpPort` setting. */
  httpPort?: number;
  /** Post asks through notify-send where it exists (the headless daemon; the desktop app has its own notifications). */
  notifySend?: boolean;
  /** Test-only: a file capping the database's size, to fake a full disk (see UpkeepOptions). */
  testDbLimitFile?: string;
}

/** A running Warden core. */
export interface Core {
  readonly socketPath: string;
  readonly dataDir: string;
  /** Resolves when something (a control request, a signal) asked the core to stop. */
  readonly stopRequested: Promise<void>;
  /** The window's URL with its token, when serving it to a browser. */
  readonly webUrl: string | undefined;
  /**
   * An in-process control connection (the desktop shell's windows and tray): messages are
   * the same JSON the socket carries; `send` receives the core's replies and events.
   */
  openControl(send: (text: string) => void): { receive(text: string): void; close(): void };
  /** Replaces every stored secret value in `text` with its label (for last-resort logging). */
  redact(text: string): string;
  /** Ends every session and upstream, closes the socket and the database. */
  close(): Promise<void>;
}

/**
 * Starts the Warden core on `options.dataDir`: opens the database and vault, listens on the
 * local socket, and serves client sessions and control connections until closed. This is the
 * composition root: each feature is set up by its own function, in this order.
 */
export async function startCore(options: CoreOptions): Promise<Core> {
  const now = options.now ?? Date.now;
  const dataDir = options.dataDir;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dataDir, 0o700);

  const log = openCoreLog(dataDir, now, options.echo);
  const note = log.note;
  const data = await openCoreData({ dataDir, cipher: options.cipher, previousCipher: options.previousCipher, now, note });
  const { db, settings, servers, calls, vault, audit, clients } = data;
  const redact = (text: string): string => vault.redactor.redact(text);
  const { policy, pins, rules, limits, guards, reload: reloadPolicy } = setupPolicy(data, now);
  const approvals = new Approvals(now, () => settings.get('approvalTimeoutSeconds') * 1000, () => settings.get('paused'));
  const { oauth, callbacks } = await setupOAuth(data, note, now, options.openBrowser);

  const interrupted = audit.markInterrupted();
  if (interrupted > 0) note(`${interrupted} call(s) were still open when Warden last stopped; marked interrupted`);
  const upkeep = startUpkeep({ db, audit, settings, dataDir, now, note, ...(options.testDbLimitFile ? { testLimitFile: options.testDbLimitFile } : {}) });

  const upstreams = createUpstreamStarter({
    dataDir,
    servers,
    vault,
    oauth,
    spawn: options.spawn,
    parentEnv: options.parentEnv,
    now,
    signInWaitMs: () => settings.get('approvalTimeoutSeconds') * 1000,
  });
  const flow = createFlow({ db, settings, pins, now, redact });
  const hub = new SessionHub({
    dataDir,
    audit,
    policy,
    approvals,
    pins,
    servers,
    upstreams,
    lists: { get: (key) => settings.getRaw(key), set: (key, value) => settings.setRaw(key, value) },
    flow: flow.guard,
    maxMessageBytes: () => settings.get('maxMessageBytes'),
    isRevoked: (client) => clients.isRevoked(client),
    redact,
    note,
    now,
    idleStopMs: () => settings.get('upstreamIdleStopSeconds') * 1000,
  });
  let resolveStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    resolveStop = resolve;
  });

  let http: HttpEndpoint | undefined = undefined;
  const integrations = new Integrations({
    servers,
    vault,
    clients,
    links: new LinkStore(db),
    shim: options.shim ?? { command: process.execPath, args: [], env: {} },
    now,
    reload: reloadPolicy,
    note,
    state: { get: (key) => settings.getRaw(key), set: (key, value) => settings.setRaw(key, value) },
    serverChanged: (name) => hub.closeServer(name, 'its settings changed in a client config'),
    httpUrl: (name) => {
      // The endpoint's base URL is /mcp; one server is /mcp/<server>. While it is not serving
      // (its port taken), entries name the port it is set to use, so they work once it does.
      const port = options.httpPort ?? settings.get('httpPort');
      const url = http?.status().httpUrl ?? (port > 0 ? httpEndpointUrl(port) : undefined);
      if (!url) return undefined;
      return name === undefined ? url : `${url}/${encodeURIComponent(name)}`;
    },
  });
  const stopWatching = integrations.watchForDrift(() => settings.get('autoReconnect'));
  const policyHandlers = createPolicyHandlers({ servers, rules, limits, guards, settings, policy, pins, approvals, audit, now, reload: reloadPolicy });
  const stopNotifications = options.notifySend
    ? await startDesktopNotifications({ approvals, enabled: () => settings.get('desktopNotifications'), answer: (id, answer) => void policyHandlers['approvals.answer']({ id, answer }, undefined as never), redact, note, now })
    : () => undefined;
  const handlers: ControlHandlers = {
    ...createControlHandlers({
      dataDir,
      servers,
      vault,
      clients,
      audit,
      now,
      sessionCounts: () => hub.counts(),
      closeServerSessions: (name) => {
        // Its OAuth client settings go with it (a server re-added under the name may differ).
        oauth.forget(name);
        hub.closeServer(name, 'the server was removed');
      },
      requestStop: () => resolveStop(),
      httpStatus: () => http?.status() ?? { httpUrl: null, httpProblem: null },
      reload: reloadPolicy,
      serverErrors: upstreams.errors,
      logTail: (name) => tailLines(serverLogPath(dataDir, name), 12),
      signInState: (name) => oauth.status(name),
      probeAuth: async (url) => {
        // A probe signs in as a pseudo-server named after its URL; its tokens stay sealed for the next probe.
        const name = `probe:${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
        return {
          authProvider: await oauth.providerFor(name, url, {}),
          fetch: await oauth.fetchFor(url, name),
          waitForSignIn: () => oauth.waitForTokens(name),
        };
      },
      transaction: (work) => db.transaction(work)(),
    }),
    ...policyHandlers,
    ...createOAuthHandlers(servers, oauth),
    ...createIntegrationHandlers(integrations),
    ...createDatabaseHandlers({ audit, upkeep }),
    ...createWindowHandlers({ calls, servers, clients, pins, now }),
    ...createSessionHandlers({ hub, clients }),
    ...createFlowHandlers({ servers, ...flow }),
  };
  const control = createControlServer(() => handlers, note, redact);

  const onHello = createClientDoor({
    clients,
    audit,
    servers,
    hub,
    limiter: new HelloLimiter(now, { note }),
    adminToken: loadAdminToken(adminTokenPath(dataDir)),
    serveControl: control.serve,
    note,
    now,
  });
  const path = socketPath(dataDir);
  const server = new LocalServer(path, (hello, socket, rest) => {
    try {
      onHello(hello, socket, rest);
    } catch (error) {
      // A failure while handling one connection (the log's disk is full, a bug) stays with it.
      note(`handling a connection failed: ${redact(describeFailure(error))}`);
      refuseConnection(socket, 'Warden could not handle this connection; see the Warden log');
    }
  }, note);
  /** A start that fails half-way closes what it had opened, so the process can exit. */
  const abandon = async (): Promise<void> => {
    await callbacks.close();
    stopWatching();
    stopNotifications();
    await upkeep.close();
    db.close();
    upstreams.close();
    log.close();
  };
  try {
    const unsafe = prepareSocketDir(path);
    if (unsafe) throw new WardenError('unavailable', unsafe);
    await server.listen();
  } catch (error) {
    await abandon();
    throw error;
  }
  note(`Warden core ${process.pid} listening on ${path} (vault: ${options.cipher.description})`);
  let web: RunningWebServer | undefined;
  if (options.web) {
    try {
      web = await startWebServer({ ...options.web, onControl: control.serve, note });
      note(`the window is served on http://127.0.0.1:${web.port}/ (open the URL with the token)`);
    } catch (error) {
      await server.close();
      await abandon();
      throw error;
    }
  }

  http = await startHttpFrontDoor({ port: options.httpPort ?? settings.get('httpPort'), clients, servers, hub, audit, settings, now, note });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await http?.close('Warden is shutting down');
      await web?.close();
      await callbacks.close();
      stopWatching();
      stopNotifications();
      approvals.cancelAll();
      await server.close();
      await hub.closeAll('Warden is shutting down');
      await upkeep.close();
      db.close();
      note('Warden core stopped');
      upstreams.close();
      log.close();
    })();
    return closing;
  };

  return { socketPath: path, dataDir, stopRequested, webUrl: web?.url, openControl: control.open, close, redact };
}
