import type { IncomingMessage, ServerResponse } from 'node:http';
import { logRefusedHello } from '../audit/refused-hello.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { KeyCheck } from '../clients/client-keys.js';
import { HelloLimiter } from '../clients/hello-limiter.js';
import { HTTP_SESSION_PREFIX } from '../../../src-shared/call-origin.js';
import { bearerToken, refuse } from './request-guards.js';

export interface BearerAuthOptions {
  verify(key: unknown): KeyCheck;
  audit: Pick<AuditLog, 'refused'>;
  now(): number;
  note(text: string): void;
  /** Remote addresses with a limiter of their own; failures from more share one. */
  maxPeers?: number;
}

const WRONG_SCHEME = 'this endpoint needs a Warden client key: send the header "Authorization: Bearer wk_…" with a key from: warden client add NAME';

/**
 * Client keys as bearer tokens, checked as the socket checks a shim's hello: the same
 * {@link ClientKeys} verification, the same folded audit row for a refusal, and the same
 * {@link HelloLimiter}, kept per remote address, so failing peers are slowed (their 401 comes
 * later and later) while a valid key never waits and nobody is locked out. A refusal is 401
 * with `WWW-Authenticate: Bearer` and one sentence that never echoes the token.
 */
export class BearerAuth {
  private readonly limiters = new Map<string, HelloLimiter>();
  private readonly overflow: HelloLimiter;

  constructor(private readonly options: BearerAuthOptions) {
    this.overflow = this.newLimiter();
  }

  /**
   * The client whose key the request carries, or undefined when it carries none that is
   * valid: then a 401 is (or will be, after the peer's delay) the answer on `res`.
   * `asked` names the path's server for the audit row.
   */
  authenticate(req: IncomingMessage, res: ServerResponse, asked: string | undefined): string | undefined {
    const token = bearerToken(req.headers.authorization);
    const check: KeyCheck = token === undefined ? { ok: false, reason: WRONG_SCHEME } : this.options.verify(token);
    if (check.ok) return check.client;
    const server = asked === undefined ? '(aggregated)' : asked.slice(0, 64);
    this.options.note(`refused an HTTP request for server ${JSON.stringify(server)}: ${check.reason}`);
    logRefusedHello(this.options.audit, { session: `${HTTP_SESSION_PREFIX}auth`, server, reason: check.reason, now: this.options.now() }, this.options.note);
    this.limiterFor(req.socket.remoteAddress ?? '?').refuseLater(res, () =>
      refuse(res, { status: 401, message: check.reason, headers: { 'WWW-Authenticate': 'Bearer realm="MCP Warden"' } }),
    );
    return undefined;
  }

  private limiterFor(address: string): HelloLimiter {
    let limiter = this.limiters.get(address);
    if (limiter === undefined) {
      // Past the cap, new addresses share one limiter: a peer cannot reset its delay by moving.
      if (this.limiters.size >= (this.options.maxPeers ?? 64)) return this.overflow;
      limiter = this.newLimiter();
      this.limiters.set(address, limiter);
    }
    return limiter;
  }

  private newLimiter(): HelloLimiter {
    return new HelloLimiter(this.options.now, { note: this.options.note });
  }
}
