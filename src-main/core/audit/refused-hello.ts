import type { AuditLog } from './audit-log.js';
import { auditFailureReason } from './audit-failure.js';

export interface RefusedHello {
  /** The session column: `-` on the socket, `http-auth` on the HTTP endpoint. */
  session: string;
  /** The server the peer asked for, cut to 64 characters, or `(aggregated)`. */
  server: string;
  reason: string;
  now: number;
}

/**
 * Logs a connection refused for its client key (socket hello or HTTP bearer token). Folded: a
 * loop of wrong keys adds a count to the row before, not a row each. A log that cannot be
 * written is noted, never thrown: the refusal stands either way.
 */
export function logRefusedHello(audit: Pick<AuditLog, 'refused'>, hello: RefusedHello, note: (line: string) => void): void {
  try {
    audit.refused(
      {
        ts: hello.now,
        session: hello.session,
        client: '?',
        server: hello.server,
        method: 'warden/hello',
        target: null,
        arguments: null,
        decision: 'deny',
        reason: hello.reason,
        reasonMeta: JSON.stringify({ type: 'guard', guard: 'client-key' }),
      },
      { outcome: 'refused', error: hello.reason, durationMs: 0, resultBytes: null, notes: null },
    );
  } catch (error) {
    note(`could not log a refused connection: ${auditFailureReason(error)}`);
  }
}
