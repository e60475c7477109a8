import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_CLIENT_DEPTH } from '../jsonrpc/json-rpc.js';
import { scanJson } from '../jsonrpc/json-scan.js';
import { parseRequestTarget } from '../web/request-target.js';

/** A request the endpoint answers itself, with a status and one sentence. */
export interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** What a request target names: the aggregated session, or one server. */
export type Route = { ok: true; server: string | undefined } | { ok: false; refusal: Refusal };

const LOCAL_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Refuses (403) a `Host` that is not 127.0.0.1, localhost or [::1] with this endpoint's port:
 * a page on another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own
 * name here. A missing Host is refused too.
 */
export function hostRefusal(host: string | undefined, port: number): Refusal | undefined {
  if (host !== undefined) {
    for (const name of LOCAL_HOSTNAMES) if (host.toLowerCase() === `${name}:${port}`) return undefined;
  }
  return {
    status: 403,
    message: `This endpoint answers only to the Host 127.0.0.1:${port}, localhost:${port} or [::1]:${port} (guard: dns-rebinding); connect to ${`http://127.0.0.1:${port}/mcp`}.`,
  };
}

/**
 * Refuses (403) an `Origin` that is not a page on this computer (http or https on 127.0.0.1,
 * localhost or [::1], any port). No Origin (a client that is not a browser) passes; `null`
 * and anything unparsable are refused. CORS is never granted: no response carries its headers.
 */
export function originRefusal(origin: string | undefined): Refusal | undefined {
  if (origin === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  const local = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTNAMES.has(url.hostname);
  if (local) return undefined;
  return { status: 403, message: 'Requests from web pages of other sites are refused (guard: origin); MCP clients send no Origin.' };
}

/**
 * Reads the request target as `/mcp` (aggregated) or `/mcp/<server>` (one server, its name
 * percent-decoded); a trailing slash and a query are ignored. Anything else is 404, and a
 * target that is not a plain path is 400, each with one sentence.
 */
export function routeOf(rawTarget: string | undefined): Route {
  const target = parseRequestTarget(rawTarget);
  if (!target.ok) return { ok: false, refusal: { status: 400, message: target.message } };
  const parts = target.pathname.split('/').filter((part) => part !== '');
  if (parts[0] !== 'mcp' || parts.length > 2) {
    return { ok: false, refusal: { status: 404, message: 'Nothing is served here: the MCP endpoint is /mcp (every server) or /mcp/<server>.' } };
  }
  if (parts.length === 1) return { ok: true, server: undefined };
  try {
    return { ok: true, server: decodeURIComponent(parts[1] as string) };
  } catch {
    return { ok: false, refusal: { status: 400, message: 'The server name in the address has a percent-escape that is not valid UTF-8.' } };
  }
}

/** The token of an `Authorization: Bearer …` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

/** A body read whole (at most the limit), or the 413 that says it was over. */
export type Body = { ok: true; bytes: Buffer } | { ok: false; refusal: Refusal };

/** The sentence of a 413: the size limit and the setting that sets it. */
export function tooLarge(maxBytes: number): Refusal {
  return {
    status: 413,
    message: `The request body is over Warden's limit of ${maxBytes} bytes (setting maxMessageBytes); send less data per call or raise the limit with: warden settings set maxMessageBytes N`,
  };
}

/**
 * Reads a request body up to `maxBytes`: a declared Content-Length over it is refused before
 * reading, and a body that streams past it is refused as soon as it does (what came is
 * dropped, never kept whole). A connection that fails mid-body resolves as a 400.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, refusal: tooLarge(maxBytes) });
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: Body): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        parts.length = 0;
        finish({ ok: false, refusal: tooLarge(maxBytes) });
        return;
      }
      parts.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ ok: true, bytes: Buffer.concat(parts) }));
    req.once('error', () => finish({ ok: false, refusal: { status: 400, message: 'The request body could not be read (the connection failed).' } }));
    req.once('close', () => finish({ ok: false, refusal: { status: 400, message: 'The connection closed before the request body ended.' } }));
  });
}

/** A body parsed as JSON, or the 400 that says why it is not usable. */
export type Json = { ok: true; value: unknown } | { ok: false; refusal: Refusal };

/**
 * Parses a POST body: valid UTF-8, nested at most as deep as Warden takes a client message
 * (one more level for a batch array; measured before parsing, without recursion), then JSON.
 */
export function parseBody(bytes: Buffer): Json {
  const refused = (message: string): Json => ({ ok: false, refusal: { status: 400, message } });
  if (!isUtf8(bytes)) return refused('The request body is not valid UTF-8; send JSON-RPC as UTF-8 JSON.');
  const text = bytes.toString('utf8');
  if (scanJson(text, MAX_CLIENT_DEPTH + 1).tooDeep) return refused(`The request body nests objects and arrays deeper than ${MAX_CLIENT_DEPTH} levels, which Warden refuses.`);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return refused('The request body is not JSON; send one JSON-RPC message (or an array of them) as application/json.');
  }
}

/**
 * Answers a request the endpoint refuses itself: the status and a JSON-RPC error body whose
 * message is the refusal's one sentence (MCP clients show it), with no CORS headers. The
 * connection is closed after it, since the request's body may be left unread.
 */
export function refuse(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.writeHead(refusal.status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
    ...refusal.headers,
  });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: refusal.message }, id: null }));
}
