import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { contentTypeOf } from './content-types.js';
import { parseRequestTarget } from './request-target.js';
import type { WebSocket } from 'ws';
import { describeFailure, guarded } from '../errors/guarded.js';
import type { ControlTransport } from '../ipc/control-connection.js';

export interface WebServerOptions {
  /** The built window (dist/renderer). */
  staticDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Serves the control API on a new, already checked WebSocket. */
  onControl(transport: ControlTransport): void;
  note(text: string): void;
}

export interface RunningWebServer {
  /** The URL to open, carrying the token once. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'warden_token';
const MAX_WS_MESSAGE = 1024 * 1024;

/**
 * Serves the window to a browser on 127.0.0.1 (`warden daemon --web`), as Jupyter does: the
 * printed URL carries a random token, which the first request trades for an HttpOnly,
 * SameSite=Strict cookie. Every HTTP request and WebSocket upgrade is checked for the token,
 * for a Host naming this server (DNS rebinding) and, when sent, for an Origin of this server.
 * A request without the token gets no data; a foreign Origin or Host gets 403. A request
 * target that is not a plain path gets 400 with one sentence; no request, upgrade or
 * WebSocket frame can throw out of a handler (failures are noted and the connection ends).
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const token = randomBytes(32).toString('base64url');
  const root = resolve(options.staticDir);
  let port = options.port;
  const hosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  /** Why a request may not have what it asks for, or undefined when it may. */
  const refusal = (req: IncomingMessage): { status: number; message: string } | undefined => {
    if (!hosts().has(req.headers.host ?? '')) return { status: 403, message: 'This server answers only to 127.0.0.1 and localhost.' };
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().has(origin)) return { status: 403, message: 'Requests from other sites are refused.' };
    return undefined;
  };
  const hasToken = (req: IncomingMessage, query: URLSearchParams): boolean => {
    const presented = query.get('token') ?? cookieValue(req.headers.cookie, COOKIE);
    return presented !== undefined && presented !== null && equal(presented, token);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = parseRequestTarget(req.url);
    if (!url.ok) return plain(res, 400, url.message);
    const refused = refusal(req);
    if (refused) return plain(res, refused.status, refused.message);
    if (!hasToken(req, url.searchParams)) {
      return plain(res, 401, 'This page needs the link with its token: run "warden daemon --web" and open the URL it prints.');
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      res.writeHead(303, {
        'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname,
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Only GET is served here.');
    serveFile(res, root, url.decodedPath, port);
  };

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      options.note(`the window's web server failed on a request: ${describeFailure(error)}`);
      if (!res.headersSent) plain(res, 500, 'Warden could not answer this request; see the Warden log.');
      else res.destroy();
    }
  });

  // Loaded only when the window is served (`--web`): a headless core never holds it.
  const { WebSocketServer } = await import('ws');
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE });
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const url = parseRequestTarget(req.url);
    const status = !url.ok
      ? 400
      : (refusal(req)?.status ?? (req.headers.origin === undefined ? 403 : !hasToken(req, url.searchParams) ? 401 : url.pathname !== '/api' ? 404 : 0));
    if (status !== 0) {
      options.note(`refused a window connection (${status}) from Origin ${String(req.headers.origin).slice(0, 80)}`);
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => options.onControl(wsTransport(ws, options.note)));
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      upgrade(req, socket, head);
    } catch (error) {
      options.note(`the window's web server failed on a WebSocket upgrade: ${describeFailure(error)}`);
      socket.destroy();
    }
  });
  // Requests Node cannot parse (NUL bytes, bad header lines) get its own 400/431 and never reach
  // the handlers above: no 'clientError' listener, so that default stays.

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  server.on('error', (error) => options.note(`the window's web server: ${describeFailure(error)}`));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function wsTransport(ws: WebSocket, note: (text: string) => void): ControlTransport {
  // An invalid frame makes ws emit 'error' and then close the connection; unheard, it would throw.
  ws.on('error', (error) => note(`a window connection sent an invalid WebSocket frame: ${describeFailure(error)}`));
  return {
    onMessage: (listener) => void ws.on('message', guarded(note, 'a window control message', (data: Buffer) => listener(data.toString()))),
    onClose: (listener) => void ws.on('close', guarded(note, 'closing a window connection', listener)),
    send: (text) => ws.send(text),
    get closed() {
      return ws.readyState !== ws.OPEN;
    },
  };
}

function serveFile(res: ServerResponse, root: string, decodedPath: string, port: number): void {
  const relative = normalize(decodedPath).replace(/^([/\\])+/, '');
  let file = resolve(join(root, relative));
  if (file !== root && !file.startsWith(root + sep)) return plain(res, 404, 'Not found.');
  // The window is one page: unknown paths get it too.
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) return plain(res, 500, 'The window is not built; run: npm run build');
  res.writeHead(200, {
    'Content-Type': contentTypeOf(file),
    'Content-Security-Policy': `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  });
  res.end(readFileSync(file));
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(message);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
