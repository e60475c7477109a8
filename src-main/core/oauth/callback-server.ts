import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeFailure } from '../errors/guarded.js';
import { parseRequestTarget } from '../web/request-target.js';

interface Expected {
  server: string;
  issuer: string | undefined;
  /** The authorization server promised an `iss` parameter (RFC 9207). */
  requireIss: boolean;
  resolve(code: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font:16px system-ui;margin:3rem"><h1>${title}</h1><p>${text}</p></body>`;

/**
 * The one loopback redirect target for every upstream's sign-in: http://127.0.0.1:PORT/callback,
 * listening on 127.0.0.1 only. A callback is taken only with a `state` Warden issued, exactly,
 * once; `iss` must name the expected issuer when present or promised. A stray or replayed
 * callback is refused with a page and leaves the flows it does not match undisturbed. A request
 * target that is not a plain path gets 400; no request can throw out of the handler.
 */
export class CallbackServer {
  private server: Server | undefined;
  private port = 0;
  private readonly expected = new Map<string, Expected>();

  /** `note` receives failures of the handler (the core's log); it never sees a query string. */
  constructor(private readonly note: (text: string) => void = () => undefined) {}

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      const send = (status: number, title: string, text: string): void => {
        res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
        res.end(PAGE(title, text));
      };
      try {
        this.handle(req.url, send);
      } catch (error) {
        this.note(`the sign-in callback server failed on a request: ${describeFailure(error)}`);
        if (!res.headersSent) send(500, 'Sign-in failed', 'Warden could not read this answer; see the Warden log.');
        else res.destroy();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.note(`the sign-in callback server: ${describeFailure(error)}`));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private handle(target: string | undefined, send: (status: number, title: string, text: string) => void): void {
    const url = parseRequestTarget(target);
    if (!url.ok) return send(400, 'Bad request', escapeHtml(url.message));
    if (url.pathname !== '/callback') return send(404, 'Not found', 'This address only receives sign-in answers for MCP Warden.');
    const state = url.searchParams.get('state') ?? '';
    const flow = this.expected.get(state);
    if (!flow) return send(400, 'Sign-in not expected', 'This sign-in answer does not belong to a sign-in Warden started, or was already used. Go back to Warden and sign in again.');
    const iss = url.searchParams.get('iss');
    if ((iss !== null || flow.requireIss) && iss?.replace(/\/$/, '') !== flow.issuer?.replace(/\/$/, '')) {
      // A mix-up attempt: the answer claims another issuer. This flow is over.
      this.finish(state);
      flow.reject(new Error(`the sign-in answer came from issuer "${String(iss).slice(0, 100)}", not "${flow.issuer}"; refused`));
      return send(400, 'Sign-in refused', 'The answer did not come from the expected authorization server.');
    }
    this.finish(state);
    const error = url.searchParams.get('error');
    if (error) {
      flow.reject(new Error(`the authorization server refused the sign-in: ${error.slice(0, 100)}${url.searchParams.get('error_description') ? ` (${url.searchParams.get('error_description')?.slice(0, 200)})` : ''}`));
      return send(400, 'Sign-in refused', 'The authorization server did not grant access. You can close this tab.');
    }
    const code = url.searchParams.get('code');
    if (!code) {
      flow.reject(new Error('the sign-in answer carried no authorization code'));
      return send(400, 'Sign-in failed', 'The answer carried no authorization code.');
    }
    flow.resolve(code);
    send(200, `Signed in to ${escapeHtml(flow.server)}`, 'MCP Warden has the answer. You can close this tab.');
  }

  get redirectUrl(): string {
    return `http://127.0.0.1:${this.port}/callback`;
  }

  /** A fresh, unguessable state for a flow. */
  newState(): string {
    return randomBytes(32).toString('base64url');
  }

  /** Waits for the answer carrying `state`; rejects after `timeoutMs`. */
  expect(state: string, flow: { server: string; issuer: string | undefined; requireIss: boolean }, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.finish(state);
        reject(new Error(`no sign-in answer within ${Math.round(timeoutMs / 60_000)} min`));
      }, timeoutMs);
      timer.unref();
      this.expected.set(state, { ...flow, resolve, reject, timer });
    });
  }

  async close(): Promise<void> {
    for (const [state, flow] of this.expected) {
      this.finish(state);
      flow.reject(new Error('Warden is shutting down'));
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  private finish(state: string): void {
    const flow = this.expected.get(state);
    if (flow) clearTimeout(flow.timer);
    this.expected.delete(state);
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
