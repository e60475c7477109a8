import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { AuditLog } from './audit/audit-log.js';
import { auditFailureReason } from './audit/audit-failure.js';
import { ClientKeys } from './clients/client-keys.js';
import { HelloLimiter } from './clients/hello-limiter.js';
import { CallStore } from './db/call-store.js';
import { ClientStore } from './db/client-store.js';
import { openDatabase } from './db/database.js';
import { backupsPath, databasePath, headFilePath } from './db/data-files.js';
import { MIGRATIONS } from './db/migrations.js';
import { lostLogProblem, readHeadFile } from './audit/audit-head-file.js';
import { startUpkeep } from './audit/audit-upkeep.js';
import { createDatabaseHandlers } from './ipc/database-handlers.js';
import { DamagedDatabaseError } from './errors/database-error.js';
import { SecretStore } from './db/secret-store.js';
import { ServerStore } from './db/server-store.js';
import { SettingsStore } from './db/settings-store.js';
import { WardenError } from './errors/warden-error.js';
import { VaultError } from './errors/vault-error.js';
import { describeFailure } from './errors/guarded.js';
import { Approvals } from './approvals/approvals.js';
import { GuardStore } from './db/guard-store.js';
import { LimitStore } from './db/limit-store.js';
import { PinStore } from './db/pin-store.js';
import { RuleStore } from './db/rule-store.js';
import { createPolicyHandlers } from './ipc/policy-handlers.js';
import { createIntegrationHandlers } from './ipc/integration-handlers.js';
import { createWindowHandlers } from './ipc/window-handlers.js';
import { createFlow } from './flow/create-flow.js';
import { createFlowHandlers } from './ipc/flow-handlers.js';
import { LinkStore } from './db/link-store.js';
import { Integrations, type ShimLaunch } from './integrations/integrations.js';
import { startWebServer, type RunningWebServer } from './web/web-server.js';
import { CallbackServer } from './oauth/callback-server.js';
import { OAuthManager } from './oauth/oauth-manager.js';
import { resolveOAuthSettings } from './oauth/oauth-settings.js';
import { OAuthStore } from './oauth/oauth-store.js';
import { systemBrowserOpener, type BrowserOpener } from './oauth/browser-opener.js';
import { createOAuthHandlers } from './ipc/oauth-handlers.js';
import { tailLines } from './upstream/tail.js';
import { Policy } from './policy/policy.js';
import { ToolPins } from './policy/tool-pins.js';
import type { Action } from '../../src-shared/policy-types.js';
import { SessionHub } from './gateway/session-hub.js';
import { createUpstreamStarter } from './upstream/upstream-starter.js';
import { loadAdminToken, tokenMatches } from './ipc/admin-token.js';
import { ControlConnection, socketTransport, type ControlTransport } from './ipc/control-connection.js';
import { createControlHandlers } from './ipc/control-handlers.js';
import type { Hello } from './ipc/hello.js';
import { LocalServer } from './ipc/local-server.js';
import { adminTokenPath, daemonLogPath, prepareSocketDir, serverLogPath, socketPath } from './paths.js';
import { CappedLog } from './upstream/capped-log.js';
import type { Spawner } from './upstream/stdio-upstream.js';
import type { Cipher } from './vault/cipher.js';
import { Vault } from './vault/vault.js';

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
 * local socket, and serves shim sessions and control connections until closed. This is the
 * composition root: every module is wired here, in this order.
 */
export async function startCore(options: CoreOptions): Promise<Core> {
  const now = options.now ?? Date.now;
  const dataDir = options.dataDir;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dataDir, 0o700);

  const log = new CappedLog(daemonLogPath(dataDir));
  const note = (line: string): void => {
    const stamped = `[${new Date(now()).toISOString()}] ${line}`;
    log.write(stamped + '\n');
    options.echo?.(stamped);
  };

  // A head file says a log existed: a missing, empty or shorter database is a loss, not a fresh start.
  const headFile = readHeadFile(headFilePath(dataDir));
  const db = openDatabase(databasePath(dataDir), MIGRATIONS, { mustExist: headFile.state !== 'absent', backupDir: backupsPath(dataDir), now });
  const settings = new SettingsStore(db);
  const servers = new ServerStore(db);
  const calls = new CallStore(db);
  let vault = new Vault(new SecretStore(db), settings, options.cipher);
  let auditKey: Buffer;
  try {
    try {
      await vault.open();
    } catch (error) {
      if (!options.previousCipher || !(error instanceof VaultError)) throw error;
      // The vault was sealed with the previous cipher: open it with that, then re-encrypt.
      vault = new Vault(new SecretStore(db), settings, options.previousCipher);
      await vault.open();
      await vault.rekey(options.cipher, (work) => db.transaction(work)());
      note(`moved the vault from ${options.previousCipher.description} to ${options.cipher.description}`);
    }
    auditKey = await vault.internalKey('audit-hmac');
    const lost = lostLogProblem(new AuditLog(calls, settings, auditKey), headFile);
    if (lost) throw new DamagedDatabaseError(databasePath(dataDir), lost);
  } catch (error) {
    db.close();
    throw error;
  }
  const clients = new ClientKeys(new ClientStore(db), now);
  const audit = new AuditLog(calls, settings, auditKey);
  const rules = new RuleStore(db);
  const limits = new LimitStore(db);
  const guards = new GuardStore(db);
  const pins = new ToolPins(new PinStore(db), now, (text) => vault.redactor.redact(text));
  const serverDefaults = new Map<string, Action>();
  const policy = new Policy(
    {
      paused: () => settings.get('paused'),
      maxArgumentBytes: () => settings.get('maxArgumentBytes'),
      defaultClientLimit: () => ({ max: settings.get('defaultClientLimitPerMinute'), perMs: 60_000 }),
      // A server that no longer exists gets nothing.
      defaultAction: (server) => serverDefaults.get(server) ?? 'deny',
    },
    pins,
    vault.redactor,
    now,
  );
  const reloadPolicy = (): void => {
    serverDefaults.clear();
    for (const row of servers.list()) serverDefaults.set(row.name, row.defaultAction);
    policy.setRules(rules.list());
    policy.setLimits(limits.list());
    policy.setPatterns(guards.list());
  };
  reloadPolicy();
  const approvals = new Approvals(now, () => settings.get('approvalTimeoutSeconds') * 1000, () => settings.get('paused'));
  const callbacks = new CallbackServer(note);
  await callbacks.start();
  const oauth = new OAuthManager(new OAuthStore(db, vault), callbacks, options.openBrowser ?? systemBrowserOpener(), note, now, (name) => {
    const server = servers.get(name);
    return resolveOAuthSettings(server?.kind === 'remote' ? server.config.oauth : undefined, (template) => vault.resolve(template), settings.get('oauthClientMetadataUrl'));
  });
  const limiter = new HelloLimiter(now, { note });
  const adminToken = loadAdminToken(adminTokenPath(dataDir));
  const redact = (text: string): string => vault.redactor.redact(text);

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
  });
  let resolveStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    resolveStop = resolve;
  });

  /** Serves the control API on one connection (local socket or the window's WebSocket). */
  const serveControl = (transport: ControlTransport): void => {
    new ControlConnection(transport, handlers, (operation, error) =>
      note(`control ${operation} failed: ${redact(String((error as Error)?.stack ?? error))}`),
    );
  };

  const refuse = (socket: Socket, error: string): void => {
    socket.end(JSON.stringify({ warden: 1, ok: false, error }) + '\n');
  };

  const onHello = (hello: Hello, socket: Socket, rest: Buffer): void => {
    if (hello.type === 'admin') {
      if (!tokenMatches(hello.token, adminToken)) {
        note('refused a control connection with a wrong admin token');
        limiter.refuseLater(socket, () => refuse(socket, 'the admin token is wrong; the CLI reads it from the data dir (is WARDEN_HOME the same as the running core?)'));
        return;
      }
      socket.write('{"warden":1,"ok":true}\n');
      serveControl(socketTransport(socket));
      if (rest.length > 0) socket.emit('data', rest);
      return;
    }
    const check = clients.verify(hello.key);
    const asked = hello.server === undefined ? '(aggregated)' : hello.server.slice(0, 64);
    if (!check.ok) {
      note(`refused a shim for server "${asked}": ${check.reason}`);
      try {
        // Folded: a loop of wrong keys adds a count, not a row each.
        audit.refused(
          {
            ts: now(),
            session: '-',
            client: '?',
            server: asked,
            method: 'warden/hello',
            target: null,
            arguments: null,
            decision: 'deny',
            reason: check.reason,
            reasonMeta: JSON.stringify({ type: 'guard', guard: 'client-key' }),
          },
          { outcome: 'refused', error: check.reason, durationMs: 0, resultBytes: null, notes: null },
        );
      } catch (error) {
        note(`could not log a refused hello: ${auditFailureReason(error)}`);
      }
      limiter.refuseLater(socket, () => refuse(socket, check.reason));
      return;
    }
    // No server named: the aggregated session over every enabled server.
    if (hello.server !== undefined) {
      const target = servers.get(hello.server);
      if (!target) {
        refuse(socket, `Warden has no server named "${hello.server.slice(0, 64)}"; see: warden server list`);
        return;
      }
      if (!target.enabled) {
        refuse(socket, `server "${target.name}" is disabled; enable it in the window or with: warden server enable ${target.name}`);
        return;
      }
    }
    socket.write('{"warden":1,"ok":true}\n');
    hub.attach(check.client, hello.server, socket, rest, hello.parentPid);
  };

  const oauthHandlers = createOAuthHandlers(servers, oauth);
  const policyHandlers = createPolicyHandlers({ servers, rules, limits, guards, settings, policy, pins, approvals, audit, now, reload: reloadPolicy });
  const coreHandlers = createControlHandlers({
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
  });
  const integrations = new Integrations({
    servers,
    vault,
    clients,
    links: new LinkStore(db),
    shim: options.shim ?? { command: process.execPath, args: [], env: {} },
    now,
    reload: reloadPolicy,
    note,
  });
  const stopWatching = integrations.watchForDrift(() => settings.get('autoReconnect'));
  const handlers = { ...coreHandlers, ...policyHandlers, ...oauthHandlers, ...createIntegrationHandlers(integrations), ...createDatabaseHandlers({ audit, upkeep }), ...createWindowHandlers({ calls, servers, clients, pins, now }), ...createFlowHandlers({ servers, ...flow }) };

  const path = socketPath(dataDir);
  const server = new LocalServer(path, (hello, socket, rest) => {
    try {
      onHello(hello, socket, rest);
    } catch (error) {
      // A failure while handling one connection (the log's disk is full, a bug) stays with it.
      note(`handling a connection failed: ${redact(describeFailure(error))}`);
      refuse(socket, 'Warden could not handle this connection; see the Warden log');
    }
  }, note);
  /** A start that fails half-way closes what it had opened, so the process can exit. */
  const abandon = async (): Promise<void> => {
    await callbacks.close();
    stopWatching();
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
      web = await startWebServer({ ...options.web, onControl: serveControl, note });
      note(`the window is served on http://127.0.0.1:${web.port}/ (open the URL with the token)`);
    } catch (error) {
      await server.close();
      await abandon();
      throw error;
    }
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await web?.close();
      await callbacks.close();
      stopWatching();
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

  const openControl = (send: (text: string) => void): { receive(text: string): void; close(): void } => {
    let onMessage: (text: string) => void = () => undefined;
    const closers: Array<() => void> = [];
    let closed = false;
    serveControl({
      onMessage: (listener) => {
        onMessage = listener;
      },
      onClose: (listener) => void closers.push(listener),
      send: (text) => {
        if (!closed) send(text);
      },
      get closed() {
        return closed;
      },
    });
    return {
      receive: (text) => onMessage(text),
      close: () => {
        closed = true;
        for (const closer of closers.splice(0)) closer();
      },
    };
  };

  return { socketPath: path, dataDir, stopRequested, webUrl: web?.url, openControl, close, redact };
}
