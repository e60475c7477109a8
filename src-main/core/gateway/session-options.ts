import type { Approvals } from '../approvals/approvals.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { FlowGuard } from '../flow/flow-guard.js';
import type { Policy } from '../policy/policy.js';
import type { ToolPins } from '../policy/tool-pins.js';
import type { Upstream, UpstreamHandlers } from '../upstream/upstream.js';

/** The client connection (a shim socket, an HTTP stream), seen from the session. */
export interface Downstream {
  /** Returns false when the socket buffer is full; wait for `onDrain`. */
  write(data: string | Buffer): boolean;
  onDrain(callback: () => void): void;
  pause(): void;
  resume(): void;
  /** Ends the connection after flushing what was written. */
  end(): void;
  /** Holds writes until `uncork`, so the lines of one tick leave in one system call. */
  cork(): void;
  uncork(): void;
}

export interface SessionOptions {
  id: string;
  clientName: string;
  serverName: string;
  downstream: Downstream;
  audit: AuditLog;
  /** Starts the upstream process; throws a WardenError (e.g. a missing secret) it cannot. */
  startUpstream(handlers: UpstreamHandlers): Upstream;
  /** Whether the client's key has been revoked since the hello. Checked on every message. */
  isRevoked(): boolean;
  redact(text: string): string;
  maxMessageBytes: number;
  policy: Policy;
  approvals: Approvals;
  pins: ToolPins;
  /** The flow guard (gateway/flow-stage.ts); absent: no flow guard in this session. */
  flowGuard?: FlowGuard;
  /** The conversation group the flow guard counts this session's calls in; default: its id. */
  group?: string;
  /** Notes a line in the core's log. */
  note(text: string): void;
  now?: () => number;
  /** Where the upstream's log is, for error messages. */
  serverLogPath: string;
}

