import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpEndpointUrl } from '../../../src-shared/http-endpoint.js';
import type { HttpStatus } from '../../../src-shared/http-status.js';
import { HTTP_SESSION_PREFIX } from '../../../src-shared/call-origin.js';
import { describeFailure, guarded } from '../errors/guarded.js';
import type { Downstream } from '../gateway/server-session.js';
import type { OpenedSession, SessionHub } from '../gateway/session-hub.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientKeys } from '../clients/client-keys.js';
import type { ServerStore } from '../db/server-store.js';
import type { SettingsStore } from '../db/settings-store.js';
import { BearerAuth } from './bearer-auth.js';
import { HttpSessions } from './http-sessions.js';
import { hostRefusal, originRefusal, parseBody, readBody, refuse, routeOf, type Refusal } from './request-guards.js';
import { SessionBridge } from './session-bridge.js';

export interface HttpEndpointOptions {
  /** 0 picks a free port. */
  port: number;
  auth: Pick<BearerAuth, 'authenticate'>;
  /** Opens a Warden session (SessionHub.open). */
  openSession(client: string, server: string | undefined, downstream: Downstream, id: string): OpenedSession;
  /** A server by name, to refuse a path naming none (or a disabled one). */
  server(name: string): { enabled: boolean } | undefined;
  isRevoked(client: string): boolean;
  maxBodyBytes(): number;
  maxSessionsPerKey(): number;
  /** How long a session with nothing in flight lives on; 30 min unless told. */
  idleMs?: number;
  now(): number;
  note(text: string): void;
}

/** The running endpoint, or the sentence saying why it is not running. */
export interface HttpEndpoint {
  status(): HttpStatus;
  /** Ends every MCP session and stops listening. */
  close(reason: string): Promise<void>;
}

const IDLE_MS = 30 * 60_000;
const SWEEP_MS = 30_000;

/**
 * Serves MCP's Streamable HTTP transport on 127.0.0.1 with the SDK's server transport, one
 * per MCP session: `/mcp` is the aggregated session, `/mcp/<server>` one server. Before the
 * SDK sees a request it passes, in this order: the Host guard (DNS rebinding) and the Origin
 * guard (403), the path (404), the client key (401, slowed per peer), the server named
 * (404), the session id, which must belong to this key and path (404), the body size (413)
 * and shape (400), and for a new session the per-key cap (429). Each refusal is one sentence.
 * A port that is taken does not fail the start: the endpoint reports it in {@link status}.
 */
export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  let port = options.port;
  const sessions = new HttpSessions({
    now: options.now,
    idleMs: options.idleMs ?? IDLE_MS,
    maxPerKey: options.maxSessionsPerKey,
    isRevoked: options.isRevoked,
    note: options.note,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const guard = hostRefusal(req.headers.host, port) ?? originRefusal(req.headers.origin);
    if (guard) {
      options.note(`refused an HTTP request (${guard.status}): ${guard.message}`);
      return refuse(res, guard);
    }
    const route = routeOf(req.url);
    if (!route.ok) return refuse(res, route.refusal);
    const client = options.auth.authenticate(req, res, route.server);
    if (client === undefined) {
      // A revoked key's sessions end now, not at the next sweep.
      sessions.sweep();
      return;
    }
    const server = route.server;
    if (server !== undefined) {
      const row = options.server(server);
      if (!row) return refuse(res, { status: 404, message: `Warden has no server named "${server.slice(0, 64)}"; see: warden server list` });
      if (!row.enabled) return refuse(res, { status: 404, message: `server "${server}" is disabled; enable it in the window or with: warden server enable ${server}` });
    }
    const header = req.headers['mcp-session-id'];
    if (Array.isArray(header)) return refuse(res, { status: 400, message: 'Send one Mcp-Session-Id header, not several.' });
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readBody(req, options.maxBodyBytes());
      if (!read.ok) return refuseNoted(res, read.refusal);
      const parsed = parseBody(read.bytes);
      if (!parsed.ok) return refuse(res, parsed.refusal);
      body = parsed.value;
    }
    if (header === undefined) return startSession(req, res, client, server, body);
    const entry = sessions.find(header, client, server);
    if (entry === undefined) {
      return refuse(res, { status: 404, message: 'This MCP session does not exist here (it ended, or was started with another key or address); start a new one with initialize.' });
    }
    const end = sessions.begin(entry.id);
    res.once('close', end);
    await entry.serve(req, res, body);
  };

  const refuseNoted = (res: ServerResponse, refusal: Refusal): void => {
    options.note(`refused an HTTP request (${refusal.status}): ${refusal.message}`);
    refuse(res, refusal);
  };

  const startSession = async (req: IncomingMessage, res: ServerResponse, client: string, server: string | undefined, body: unknown): Promise<void> => {
    if (req.method !== 'POST' || !isInitialize(body)) {
      return refuse(res, { status: 400, message: 'A new MCP session starts with a POST of initialize; every other request needs the Mcp-Session-Id header its answer gave.' });
    }
    // The SDK's server transport loads with the first HTTP session, not with the core.
    const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
    const capped = sessions.capRefusal(client);
    if (capped !== undefined) return refuseNoted(res, { status: 429, message: capped });
    const id = randomUUID();
    let initialized = false;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessioninitialized: () => {
        initialized = true;
      },
      // Checked above already; the SDK's own check stays on behind it.
      enableDnsRebindingProtection: true,
      allowedHosts: [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`],
    });
    const bridge = new SessionBridge({ transport, note: options.note, onClosed: () => sessions.remove(id) });
    bridge.attach(options.openSession(client, server, bridge.downstream, `${HTTP_SESSION_PREFIX}${id}`));
    const entry = {
      id,
      client,
      server,
      close: (reason: string) => bridge.close(reason),
      serve: async (request: IncomingMessage, response: ServerResponse, parsed: unknown): Promise<void> => {
        if (request.method === 'GET') {
          bridge.standaloneStreams++;
          response.once('close', () => bridge.standaloneStreams--);
        }
        if (request.method === 'POST') await bridge.admitted();
        await transport.handleRequest(request, response, parsed);
      },
    };
    sessions.add(entry);
    const end = sessions.begin(id);
    res.once('close', end);
    try {
      await transport.handleRequest(req, res, body);
    } finally {
      // The SDK refused the initialize (406, 415): no session was made, so none stays open.
      if (!initialized) void bridge.close('the initialize request was refused');
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.note(`the MCP HTTP endpoint failed on a request: ${describeFailure(error)}`);
      if (!res.headersSent) refuse(res, { status: 500, message: 'Warden could not handle this request; see the Warden log.' });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  const problem = await new Promise<string | undefined>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve(
        error.code === 'EADDRINUSE'
          ? `the MCP HTTP endpoint is off: port ${port} on 127.0.0.1 is taken by another program; free it, or pick another with: warden settings set httpPort N (or warden daemon --http-port N)`
          : `the MCP HTTP endpoint is off: it could not listen on 127.0.0.1:${port} (${error.code ?? error.message})`,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  if (problem !== undefined) {
    options.note(problem);
    return { status: () => ({ httpUrl: null, httpProblem: problem }), close: async () => undefined };
  }
  server.on('error', (error) => options.note(`the MCP HTTP endpoint: ${describeFailure(error)}`));
  port = (server.address() as AddressInfo).port;
  const sweeper = setInterval(guarded(options.note, 'sweeping idle HTTP sessions', () => sessions.sweep()), SWEEP_MS);
  sweeper.unref();
  options.note(`the MCP HTTP endpoint listens on ${httpEndpointUrl(port)} (one server: ${httpEndpointUrl(port)}/<server>)`);
  return {
    status: () => ({ httpUrl: httpEndpointUrl(port), httpProblem: null }),
    close: async (reason) => {
      clearInterval(sweeper);
      await sessions.closeAll(reason);
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

export interface HttpFrontDoorDeps {
  /** The port to listen on (the `httpPort` setting unless `warden daemon --http-port` said). */
  port: number;
  clients: ClientKeys;
  servers: ServerStore;
  hub: SessionHub;
  audit: AuditLog;
  settings: SettingsStore;
  now(): number;
  note(text: string): void;
}

/**
 * The core's HTTP front door wired to its stores: client keys as bearer tokens, sessions
 * from the same SessionHub as the socket's, limits from the settings (read at each request,
 * so a change applies at once; the port applies at the next start). Never rejects for a
 * port it cannot have: {@link HttpEndpoint.status} says so.
 */
export function startHttpFrontDoor(deps: HttpFrontDoorDeps): Promise<HttpEndpoint> {
  const { clients, servers, hub, settings } = deps;
  return startHttpEndpoint({
    port: deps.port,
    auth: new BearerAuth({ verify: (key) => clients.verify(key), audit: deps.audit, now: deps.now, note: deps.note }),
    openSession: (client, server, downstream, id) => hub.open(client, server, downstream, id),
    server: (name) => servers.get(name),
    isRevoked: (client) => clients.isRevoked(client),
    maxBodyBytes: () => settings.get('maxMessageBytes'),
    maxSessionsPerKey: () => settings.get('maxHttpSessionsPerKey'),
    now: deps.now,
    note: deps.note,
  });
}

/**
 * Whether a body is an initialize request: one object with that method and an id. The SDK's
 * transport validates the message itself; this only decides whether a session may start.
 */
function isInitialize(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const message = body as { method?: unknown; id?: unknown };
  return message.method === 'initialize' && (typeof message.id === 'string' || typeof message.id === 'number');
}
