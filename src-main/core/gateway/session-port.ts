import type { JsonRpcId } from '../jsonrpc/json-rpc.js';
import type { Verdict } from '../policy/policy.js';
import type { Call } from './call-stage.js';
import type { PendingCalls } from './pending-calls.js';
import type { ReadBatch } from './read-batch.js';
import type { SessionAudit } from './session-audit.js';
import type { SessionOptions } from './session-options.js';
import type { UpstreamSupervisor, Wire } from './upstream-supervisor.js';

/**
 * What the stages of a session's pipeline may use of their session: its parts, and the ways
 * out (to the client, to the upstream) that respect the current read's commit.
 */
export interface SessionPort {
  readonly options: SessionOptions;
  readonly rows: SessionAudit;
  readonly pending: PendingCalls;
  readonly upstream: UpstreamSupervisor;
  /** Tools the user allowed for the rest of this session. */
  readonly sessionAllowed: Set<string>;
  /** The read being handled while its transaction is open; undefined outside one. */
  readonly read: ReadBatch | undefined;
  readonly closed: boolean;
  now(): number;
  /** Answers the client, after the current read's commit when inside one. */
  reply(data: string, audited?: JsonRpcId): void;
  /** Sends a client message upstream, after the current read's commit when inside one. */
  forward(wire: Wire, audited?: JsonRpcId): void;
  /** Writes to the client now (outside a read, or for lines no commit guards). */
  toClient(data: string | Buffer): void;
  /** Ends a waiting audited call as denied: its row completed, the client told why. */
  refuse(call: Call, reason: string, verdict: Verdict): void;
  /** After the client's input ended, ends the connection once nothing is owed to it. */
  endIfDone(): void;
  /** Asks the upstream for its tools again, pinning what it lists; never rejects. */
  refreshTools(): Promise<void>;
}
