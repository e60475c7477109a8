import { isUtf8 } from 'node:buffer';
import type { TargetKind } from '../../../src-shared/policy-types.js';
import { ErrorCode, errorLine, idFromHead, parseMessage, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { LineSplitter } from '../jsonrpc/line-splitter.js';
import type { Verdict } from '../policy/policy.js';
import { auditWriteFailure, isStorageError } from '../audit/audit-failure.js';
import { ApprovalStage } from './approval-stage.js';
import { blockedLine } from './blocked.js';
import { pipeline, type Call, type Next } from './call-stage.js';
import { ClientOutput } from './client-output.js';
import { isEndOfInput } from './end-of-input.js';
import { FlowLegStage } from './flow-leg-stage.js';
import { FlowStage } from './flow-stage.js';
import { JudgeStage } from './judge-stage.js';
import { describe, PendingCalls } from './pending-calls.js';
import { ReadBatch } from './read-batch.js';
import { RecordStage } from './record-stage.js';
import { RouteStage } from './route-stage.js';
import { SessionAudit, type Outcome, type Pending } from './session-audit.js';
import type { SessionOptions } from './session-options.js';
import type { SessionPort } from './session-port.js';
import { UpstreamInbound } from './upstream-inbound.js';
import { UpstreamSupervisor, type Wire } from './upstream-supervisor.js';

export type { Downstream, SessionOptions } from './session-options.js';

/** Methods whose calls are judged by policy and written to the audit log. */
const KINDS: Record<string, TargetKind> = { 'tools/call': 'tool', 'resources/read': 'resource', 'prompts/get': 'prompt' };

/**
 * One client session in per-server mode: a client connection bound to its own upstream.
 * Everything MCP carries passes through both ways unchanged (ids are not rewritten: the
 * upstream serves only this session), except that Warden classifies each client message
 * (refusing what it cannot classify) and sends every audited call through the call pipeline:
 * judge (rules, limits, guards, pins) → record (the audit row) → approval → route.
 *
 * The session itself is the front door's half: it frames bytes, confines failures to the
 * message that caused them, and makes each socket read one {@link ReadBatch} — its rows commit
 * in one transaction, and only then are its messages forwarded and answered. A failed commit
 * refuses the read's audited calls and forwards none.
 */
export class ServerSession implements SessionPort {
  readonly pending = new PendingCalls();
  readonly rows: SessionAudit;
  readonly upstream: UpstreamSupervisor;
  readonly sessionAllowed = new Set<string>();
  /** The read being handled, while its transaction is open. */
  read: ReadBatch | undefined;
  closed = false;
  readonly now: () => number;
  private readonly splitter: LineSplitter;
  private readonly output: ClientOutput;
  private readonly inbound: UpstreamInbound;
  private readonly calls: Next;
  private inputEnded = false;
  /** The request being handled, to answer for if handling it fails. */
  private current: { id: JsonRpcId; entry: Pending | undefined } | undefined;

  constructor(readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.rows = new SessionAudit({
      audit: options.audit,
      session: options.id,
      client: options.clientName,
      server: options.serverName,
      redact: options.redact,
      now: this.now,
    });
    this.splitter = new LineSplitter(
      {
        onLine: (line, length) => this.fromClientLine(line, length),
        onOversize: (head, bytes) =>
          this.reply(
            errorLine(
              idFromHead(head),
              ErrorCode.InvalidRequest,
              `Invalid request: the message is ${bytes} bytes, over Warden's limit of ${options.maxMessageBytes} bytes; send less data per call or raise the limit`,
            ),
          ),
      },
      options.maxMessageBytes,
    );
    this.output = new ClientOutput(options.downstream, { pause: () => this.upstream.pauseOutput(), resume: () => this.upstream.resumeOutput() });
    this.inbound = new UpstreamInbound(this);
    this.upstream = new UpstreamSupervisor({
      serverName: options.serverName,
      serverLogPath: options.serverLogPath,
      sessionId: options.id,
      start: options.startUpstream,
      onLine: (line, length) => this.inbound.line(line, length),
      onLost: (reason, message) => this.failPending(reason, message),
      pauseClient: () => options.downstream.pause(),
      resumeClient: () => options.downstream.resume(),
      now: this.now,
    });
    this.calls = pipeline([
      new JudgeStage(this),
      new FlowStage(this),
      new RecordStage(this),
      new ApprovalStage(this),
      new FlowLegStage(this),
      new RouteStage(this),
    ]);
  }

  /**
   * Bytes from the client. The audit rows of every request in this read are committed in one
   * transaction, and only then are the requests forwarded, in one write.
   */
  push(chunk: Buffer): void {
    if (this.closed) return;
    const read = new ReadBatch();
    this.read = read;
    try {
      this.options.audit.batch(() => {
        this.splitter.push(chunk);
        // Every line was handled (and answered) first; now the transaction is given up.
        if (read.failure !== undefined) throw read.failure;
      });
    } catch (error) {
      this.read = undefined;
      this.readFailed(read, error);
      return;
    }
    this.read = undefined;
    read.deliver({ client: (data) => this.toClient(data), upstream: (wires) => this.upstream.send(wires) });
  }

  /**
   * The client ended its input (stdin EOF at the shim): the replies still owed are delivered,
   * then the connection is ended.
   */
  endOfInput(): void {
    this.inputEnded = true;
    this.endIfDone();
  }

  /** The client went away: stop the upstream and close the session's open audit rows. */
  async close(reason = 'the client disconnected'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [, entry] of this.pending.drain()) this.finish(entry, 'cancelled', reason);
    await this.upstream.stop();
  }

  get upstreamPid(): number | undefined {
    return this.upstream.pid;
  }

  reply(data: string, audited?: JsonRpcId): void {
    if (this.read) this.read.client(data, audited);
    else this.toClient(data);
  }

  forward(wire: Wire, audited?: JsonRpcId): void {
    if (this.read) this.read.upstream(wire, audited);
    else this.upstream.send([wire]);
  }

  toClient(data: string | Buffer): void {
    if (!this.closed) this.output.write(data);
  }

  refuse(call: Call, reason: string, verdict: Verdict): void {
    this.pending.delete(call.id);
    this.rows.end(call.entry, 'denied', reason, null);
    this.toClient(blockedLine(call.id, call.kind, reason, { ...verdict.meta }));
    this.endIfDone();
  }

  endIfDone(): void {
    if (!this.inputEnded || this.closed || this.pending.size > 0) return;
    this.options.downstream.end();
    void this.close('the client ended its input');
  }

  refreshTools(): Promise<void> {
    return this.inbound.refreshTools();
  }

  /** One client line, with its failure confined to it (a storage failure fails the whole read). */
  private fromClientLine(line: Buffer, length: number): void {
    if (this.closed) return;
    if (isEndOfInput(line, length)) {
      this.endOfInput();
      return;
    }
    const mark = this.read?.mark() ?? 0;
    this.current = undefined;
    try {
      this.fromClient(line, length);
    } catch (error) {
      if (isStorageError(error) && this.read) {
        // The database failed: the read's transaction is lost, so every audited call in it
        // is refused; the rest of the read is still classified and answered.
        this.read.failure ??= error;
        const current = this.takeCurrent();
        if (current) this.read.unjudged(current.id);
        return;
      }
      this.read?.rewind(mark);
      const current = this.takeCurrent();
      this.options.note(`failed while handling a message from client "${this.options.clientName}": ${this.options.redact(describe(error))}`);
      if (current?.entry) {
        if (this.pending.holds(current.id, current.entry)) this.pending.delete(current.id);
        this.finish(current.entry, 'error', 'Warden failed while handling this message');
      }
      this.reply(errorLine(current?.id ?? null, ErrorCode.InternalError, 'Warden failed while handling this message, so it was not forwarded; the details are in Warden\'s log'));
    }
  }

  private takeCurrent(): { id: JsonRpcId; entry: Pending | undefined } | undefined {
    const current = this.current;
    this.current = undefined;
    return current;
  }

  /** Classifies one client line: refused, a request for the pipeline, or passed through. */
  private fromClient(line: Buffer, length: number): void {
    const text = line.toString('utf8', 0, length);
    if (this.options.isRevoked()) {
      this.refuseRevoked(text);
      return;
    }
    const parsed = parseMessage(text);
    if (!parsed.ok) {
      if (parsed.notification) {
        // No reply to an id-less message (JSON-RPC); it is dropped, never forwarded.
        this.options.note(`dropped a message from client "${this.options.clientName}": ${this.options.redact(parsed.message)}`);
        return;
      }
      this.reply(errorLine(parsed.id, parsed.code, parsed.message));
      return;
    }
    const message = parsed.message;
    // The bytes go on unchanged when they mean to any parser what they meant to Warden (no
    // duplicate keys, exact numbers, valid UTF-8, plain "\n" end); otherwise Warden sends
    // the object it judged, re-serialized.
    const wire: Wire = parsed.exact && line.length === length + 1 && isUtf8(line) ? line : JSON.stringify(message) + '\n';
    if (parsed.kind === 'request') {
      this.fromClientRequest(message, message.id as JsonRpcId, wire);
      return;
    }
    if (message.method === 'notifications/initialized') this.upstream.sawInitialized();
    if (message.method === 'notifications/cancelled') this.cancelled(message.params?.requestId);
    // Notifications and responses to the upstream's own requests go straight through; when no
    // upstream is running they have no one to reach and are dropped.
    this.forward(wire);
  }

  /** Admits a request (a fresh id, a running upstream); audited ones enter the call pipeline. */
  private fromClientRequest(message: JsonRpcMessage, id: JsonRpcId, wire: Wire): void {
    const method = message.method as string;
    if (this.pending.has(id)) {
      this.reply(errorLine(id, ErrorCode.InvalidRequest, `Invalid request: id ${JSON.stringify(id)} is already in use by a request that has not been answered; use a new id for each request`));
      return;
    }
    if (method === 'initialize') this.upstream.sawInitialize(message);
    const kind = KINDS[method];
    const refusal = this.upstream.ensureRunning(method === 'initialize');
    if (refusal !== undefined) {
      if (kind !== undefined) this.rows.refused(message, refusal);
      this.reply(errorLine(id, ErrorCode.UpstreamUnavailable, refusal), kind === undefined ? undefined : id);
      return;
    }
    const entry: Pending = { method, started: this.now(), auditId: undefined };
    this.current = { id, entry };
    if (kind === undefined) {
      this.pending.set(id, entry);
      this.forward(wire);
      return;
    }
    const params = message.params ?? {};
    const target = kind === 'resource' ? params.uri : params.name;
    this.calls({
      message,
      id,
      wire,
      entry,
      kind,
      target: typeof target === 'string' ? target : '',
      verdict: { action: 'allow', reason: 'not judged yet', meta: { type: 'default' } },
    });
  }

  /** The rows of a read could not be committed: its audited calls are refused, none forwarded. */
  private readFailed(read: ReadBatch, error: unknown): void {
    const reason = auditWriteFailure(error);
    this.options.note(`could not commit the audit rows of a read from client "${this.options.clientName}": ${this.options.redact(describe(error))}`);
    read.deliverFailed({
      client: (data) => this.toClient(data),
      upstream: (wires) => this.upstream.send(wires),
      refuse: (id) => {
        const entry = this.pending.get(id);
        if (entry) {
          this.pending.delete(id);
          entry.approval?.withdraw();
        }
        this.toClient(errorLine(id, ErrorCode.InternalError, reason));
      },
    });
    this.endIfDone();
  }

  /** Ends every waiting request: its audit row records `reason`, its client the sentence for its method. */
  private failPending(reason: string, message: (method: string) => string): void {
    for (const [id, entry] of this.pending.drain()) {
      this.finish(entry, 'error', reason);
      this.toClient(errorLine(id, ErrorCode.UpstreamUnavailable, message(entry.method)));
    }
    this.endIfDone();
  }

  /** Ends one request taken out of the waiting set without an answer from upstream. */
  private finish(entry: Pending, outcome: Outcome, reason: string): void {
    entry.approval?.withdraw();
    this.rows.end(entry, outcome, reason, null);
  }

  private refuseRevoked(text: string): void {
    const parsed = parseMessage(text);
    const id = parsed.ok ? (parsed.message.id ?? null) : parsed.id;
    const message = `the client key for "${this.options.clientName}" was revoked; create a new one with: warden client add NAME`;
    if (id !== null) this.toClient(errorLine(id, ErrorCode.Unauthorized, message));
    this.options.downstream.end();
    void this.close('the client key was revoked');
  }

  private cancelled(requestId: unknown): void {
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    const entry = this.pending.get(requestId);
    if (entry === undefined) return;
    this.pending.delete(requestId);
    this.finish(entry, 'cancelled', 'cancelled by the client');
    this.endIfDone();
  }
}
