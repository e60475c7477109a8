import type { ServerResponse } from 'node:http';
import type { Refusal } from './request-guards.js';

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
