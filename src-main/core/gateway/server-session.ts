import { isUtf8 } from 'node:buffer';
import type { TargetKind } from '../../../src-shared/policy-types.js';
import type { ApprovalOutcome, Approvals } from '../approvals/approvals.js';
import type { AuditLog } from '../audit/audit-log.js';
import { summarizeForLog } from '../audit/summarize.js';
import { ErrorCode, errorLine, idFromHead, MAX_UPSTREAM_DEPTH, parseMessage, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { canonicalJson } from '../jsonrpc/json-walk.js';
import { LineSplitter } from '../jsonrpc/line-splitter.js';
import type { Policy, Verdict } from '../policy/policy.js';
import type { ToolPins } from '../policy/tool-pins.js';
import type { Upstream, UpstreamHandlers } from '../upstream/upstream.js';
import { auditWriteFailure, isStorageError } from '../audit/audit-failure.js';
import { isEndOfInput } from './end-of-input.js';
import { blockedLine, toolErrorLine } from './blocked.js';
import { ClientOutput } from './client-output.js';
import { filterList, isFilteredList } from './list-filter.js';
import { ReadBatch } from './read-batch.js';
import { SessionAudit, type Outcome, type Pending } from './session-audit.js';
import { UpstreamSupervisor, type Wire } from './upstream-supervisor.js';

/** The shim connection, seen from the session. */
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
  /** Notes a line in the core's log. */
  note(text: string): void;
  now?: () => number;
  /** Where the upstream's log is, for error messages. */
  serverLogPath: string;
}

/** Methods whose calls are judged by policy and written to the audit log. */
const KINDS: Record<string, TargetKind> = { 'tools/call': 'tool', 'resources/read': 'resource', 'prompts/get': 'prompt' };
/** How often a waiting ask tells the client it is still waiting. */
const WAIT_PROGRESS_MS = 5000;
/** How long a tools/list refresh (for a call to a tool never listed) may take. */
const REFRESH_TIMEOUT_MS = 5000;
/** Most pages of tools/list a refresh follows. */
const REFRESH_PAGES = 10;

/**
 * One client session in per-server mode: a shim connection bound to its own upstream process.
 * Everything MCP carries passes through both ways unchanged (ids are not rewritten: the
 * upstream serves only this session), except that Warden classifies each client message
 * (refusing what it cannot classify), judges audited calls, writes their rows before
 * forwarding them, and answers for an upstream that died.
 *
 * Each socket read is one {@link ReadBatch}: its rows commit in one transaction, and only
 * then are its messages forwarded and answered. A failure while handling one message stays
 * with that message; a failed commit refuses the read's audited calls and forwards none.
 */
export class ServerSession {
  private readonly splitter: LineSplitter;
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;
  private readonly upstream: UpstreamSupervisor;
  private readonly rows: SessionAudit;
  private readonly output: ClientOutput;
  private closed = false;
  private inputEnded = false;
  /** The read being handled, while its transaction is open. */
  private read: ReadBatch | undefined;
  /** The request being handled, to answer for if handling it fails. */
  private current: { id: JsonRpcId; entry: Pending | undefined } | undefined;
  private refreshing: Promise<void> | undefined;
  /** Tools the user allowed for the rest of this session. */
  private readonly sessionAllowed = new Set<string>();

  constructor(private readonly options: SessionOptions) {
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
    this.upstream = new UpstreamSupervisor({
      serverName: options.serverName,
      serverLogPath: options.serverLogPath,
      sessionId: options.id,
      start: options.startUpstream,
      onLine: (line, length) => this.fromUpstreamLine(line, length),
      onLost: (reason, message) => this.failPending(reason, message),
      pauseClient: () => options.downstream.pause(),
      resumeClient: () => options.downstream.resume(),
      now: this.now,
    });
  }

  /**
   * Bytes from the shim. The audit rows of every request in this read are committed in one
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

  /** The shim went away: stop the upstream and close the session's open audit rows. */
  async close(reason = 'the client disconnected'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [key, entry] of this.pending) this.finish(key, entry, 'cancelled', reason);
    await this.upstream.stop();
  }

  get upstreamPid(): number | undefined {
    return this.upstream.pid;
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
      if (current?.entry) this.finish(idKey(current.id), current.entry, 'error', 'Warden failed while handling this message');
      this.reply(errorLine(current?.id ?? null, ErrorCode.InternalError, 'Warden failed while handling this message, so it was not forwarded; the details are in Warden\'s log'));
    }
  }

  private takeCurrent(): { id: JsonRpcId; entry: Pending | undefined } | undefined {
    const current = this.current;
    this.current = undefined;
    return current;
  }

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

  private fromClientRequest(message: JsonRpcMessage, id: JsonRpcId, wire: Wire): void {
    const method = message.method as string;
    if (this.pending.has(idKey(id))) {
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
    if (kind !== undefined) {
      this.decide(message, id, wire, entry, kind);
      return;
    }
    this.pending.set(idKey(id), entry);
    this.forward(wire);
  }

  /**
   * Runs policy on an audited call and acts on the verdict. The audit row (with the decision
   * and its reason) is written first in every case.
   */
  private decide(message: JsonRpcMessage, id: JsonRpcId, wire: Wire, entry: Pending, kind: TargetKind): void {
    if (this.read?.failure !== undefined) {
      // The read's rows cannot be committed: refused when the read is delivered.
      this.read.unjudged(id);
      return;
    }
    const params = message.params ?? {};
    const target = kind === 'resource' ? params.uri : params.name;
    let verdict: Verdict;
    if (typeof target !== 'string' || target === '') {
      verdict = { action: 'deny', reason: `the request names no ${kind === 'resource' ? 'URI' : 'name'}, so no rule can judge it`, meta: { type: 'guard' } };
    } else {
      const maxBytes = this.options.policy.settingsMaxArgumentBytes();
      const argsBytes = wire.length > maxBytes ? Buffer.byteLength(JSON.stringify(params.arguments ?? {})) : wire.length;
      verdict = this.options.policy.check({
        client: this.options.clientName,
        server: this.options.serverName,
        kind,
        target,
        args: params.arguments,
        argsBytes,
        sessionAllowed: this.sessionAllowed,
      });
    }
    if (verdict.action === 'deny') {
      entry.auditId = this.rows.denied(message, verdict);
      this.reply(blockedLine(id, kind, verdict.reason, verdict.meta), id);
      return;
    }
    entry.auditId = this.rows.begin(message, verdict);
    this.pending.set(idKey(id), entry);
    if (verdict.action === 'allow') {
      this.forward(wire, id);
      return;
    }
    // The ask starts once the row is committed: an approval must never outlive a lost row.
    const run = (): void => this.ask(message, id, wire, entry, kind, target as string, verdict);
    if (this.read) this.read.later(run, id);
    else run();
  }

  /** Holds a call until the user answers (or the timeout denies it). */
  private ask(message: JsonRpcMessage, id: JsonRpcId, wire: Wire, entry: Pending, kind: TargetKind, target: string, verdict: Verdict): void {
    // Cancelled in the same read, before its row was committed: nothing to ask any more.
    if (this.closed || this.pending.get(idKey(id)) !== entry) return;
    const server = this.options.serverName;
    if (kind === 'tool' && this.options.pins.get(server, target) === undefined && this.upstream.initialized) {
      // A tool the upstream never listed: ask it once more before making the user wait.
      void this.refreshTools().then(() => {
        if (this.pending.get(idKey(id)) !== entry) return;
        if (this.options.pins.get(server, target) !== undefined) {
          this.startAsk(message, id, wire, entry, kind, target, verdict);
          return;
        }
        const text = `server "${server}" has no tool "${target}" (it is not in the server's tool list); check the name with tools/list`;
        this.pending.delete(idKey(id));
        this.rows.end(entry, 'error', text, null);
        this.toClient(toolErrorLine(id, text, { type: 'unknown-tool' }));
        this.endIfDone();
      });
      return;
    }
    this.startAsk(message, id, wire, entry, kind, target, verdict);
  }

  private startAsk(message: JsonRpcMessage, id: JsonRpcId, wire: Wire, entry: Pending, kind: TargetKind, target: string, verdict: Verdict): void {
    const params = message.params ?? {};
    const client = this.options.clientName;
    const server = this.options.serverName;
    const ticket = this.options.approvals.request({
      client,
      server,
      tool: this.options.redact(kind === 'tool' ? target : `${kind}:${target}`),
      arguments: summarizeForLog(params.arguments ?? {}, this.options.redact) ?? '{}',
      reason: verdict.reason,
      dedupeKey: `${client}\u0000${server}\u0000${kind}\u0000${target}\u0000${canonicalJson(params.arguments ?? null)}`,
      rule: { kind, target },
    });
    entry.approval = { id: ticket.id, answer: 'pending', withdraw: ticket.withdraw };
    const token = (params._meta as { progressToken?: unknown } | undefined)?.progressToken;
    let progress: NodeJS.Timeout | undefined;
    if (typeof token === 'string' || typeof token === 'number') {
      const started = this.now();
      const deadline = this.options.approvals.get(ticket.id)?.deadline ?? started + 45_000;
      progress = setInterval(() => {
        // Fractions below 1 keep the upstream's own later progress (from 1 up) increasing.
        const fraction = Math.min(0.99, (this.now() - started) / Math.max(1, deadline - started));
        this.toClient(JSON.stringify({
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: token, progress: fraction, message: 'Waiting for your approval in MCP Warden' },
        }) + '\n');
      }, Math.min(WAIT_PROGRESS_MS, Math.max(250, (deadline - started) / 4)));
    }
    void ticket.outcome.then((result) => {
      clearInterval(progress);
      try {
        this.answered(id, wire, entry, kind, target, verdict, result);
      } catch (error) {
        this.options.note(`failed while acting on approval ${ticket.id}: ${this.options.redact(describe(error))}`);
        if (this.pending.get(idKey(id)) === entry) this.refuse(id, entry, kind, 'Warden failed while acting on the answer, so the call was not made', verdict);
      }
    });
  }

  private answered(id: JsonRpcId, wire: Wire, entry: Pending, kind: TargetKind, target: string, verdict: Verdict, result: ApprovalOutcome): void {
    // Gone already: the client cancelled, the upstream died, or the session closed.
    if (this.closed || this.pending.get(idKey(id)) !== entry) return;
    if (entry.approval) entry.approval.answer = result.answer;
    switch (result.answer) {
      case 'timeout':
        return this.refuse(id, entry, kind, `No answer within ${Math.round(this.options.approvals.timeoutMs() / 1000)} s; the call was not made.`, verdict);
      case 'paused':
        return this.refuse(id, entry, kind, 'MCP Warden was paused while this call waited for your answer; the call was not made', verdict);
      case 'deny':
      case 'deny-always':
        return this.refuse(id, entry, kind, `the user denied this call (approval ${result.approvalId})`, verdict);
    }
    // The kill switch outranks an answer given a moment before it.
    if (this.options.policy.isPaused()) {
      return this.refuse(id, entry, kind, 'MCP Warden is paused: every call is refused until you run "warden resume"', verdict);
    }
    if (result.answer === 'allow-session' && kind === 'tool') this.sessionAllowed.add(target);
    const limited = this.options.policy.takeLimit({ client: this.options.clientName, server: this.options.serverName, target });
    if (limited) return this.refuse(id, entry, kind, limited.reason, limited);
    this.upstream.send([wire]);
  }

  private refuse(id: JsonRpcId, entry: Pending, kind: TargetKind, reason: string, verdict: Verdict): void {
    this.pending.delete(idKey(id));
    this.rows.end(entry, 'denied', reason, null);
    this.toClient(blockedLine(id, kind, reason, { ...verdict.meta }));
    this.endIfDone();
  }

  /** Sends a client message upstream, after the current read's commit when inside one. */
  private forward(wire: Wire, audited?: JsonRpcId): void {
    if (this.read) this.read.upstream(wire, audited);
    else this.upstream.send([wire]);
  }

  /** Answers the client, after the current read's commit when inside one. */
  private reply(data: string, audited?: JsonRpcId): void {
    if (this.read) this.read.client(data, audited);
    else this.toClient(data);
  }

  /** The rows of a read could not be committed: its audited calls are refused, none forwarded. */
  private readFailed(read: ReadBatch, error: unknown): void {
    const reason = auditWriteFailure(error);
    this.options.note(`could not commit the audit rows of a read from client "${this.options.clientName}": ${this.options.redact(describe(error))}`);
    read.deliverFailed({
      client: (data) => this.toClient(data),
      upstream: (wires) => this.upstream.send(wires),
      refuse: (id) => {
        const key = idKey(id);
        const entry = this.pending.get(key);
        if (entry) {
          this.pending.delete(key);
          entry.approval?.withdraw();
        }
        this.toClient(errorLine(id, ErrorCode.InternalError, reason));
      },
    });
    this.endIfDone();
  }

  /** One upstream line, with its failure confined to it. */
  private fromUpstreamLine(line: Buffer, length: number): void {
    try {
      this.fromUpstream(line, length);
    } catch (error) {
      this.options.note(`failed while handling a message from upstream "${this.options.serverName}": ${this.options.redact(describe(error))}`);
    }
  }

  private fromUpstream(line: Buffer, length: number): void {
    const text = line.toString('utf8', 0, length);
    const parsed = parseMessage(text, MAX_UPSTREAM_DEPTH);
    if (!parsed.ok) {
      this.upstream.note(`ignored a line on stdout that is not a usable JSON-RPC message (${parsed.message}): ${this.options.redact(text.slice(0, 200))}`);
      if (parsed.id !== null && this.pending.has(idKey(parsed.id))) {
        this.answerFromWarden(parsed.id, `upstream "${this.options.serverName}" sent an invalid reply: ${parsed.message}`);
      }
      return;
    }
    const message = parsed.message;
    if (parsed.kind === 'response' && message.id !== null && message.id !== undefined) {
      if (this.upstream.claim(message)) return;
      const key = idKey(message.id);
      const entry = this.pending.get(key);
      if (entry !== undefined) {
        this.pending.delete(key);
        this.rows.complete(entry, message, length);
        const result = message.result;
        if (result !== undefined && isFilteredList(entry.method) && this.filter(entry.method, result)) {
          this.toClient(JSON.stringify(message) + '\n');
        } else {
          this.toClient(line);
        }
        this.endIfDone();
        return;
      }
    }
    this.toClient(line);
  }

  /**
   * Asks the upstream for its tools again (one refresh at a time, following at most
   * {@link REFRESH_PAGES} pages), pinning what it lists. Never rejects.
   */
  private refreshTools(): Promise<void> {
    this.refreshing ??= (async () => {
      let cursor: string | undefined;
      for (let page = 0; page < REFRESH_PAGES; page++) {
        const answer = await this.upstream.request('tools/list', cursor === undefined ? {} : { cursor }, REFRESH_TIMEOUT_MS);
        const result = answer?.result;
        if (!result || typeof result !== 'object') break;
        this.filter('tools/list', result);
        if (typeof result.nextCursor !== 'string') break;
        cursor = result.nextCursor;
      }
    })()
      .catch((error: unknown) => this.options.note(`could not refresh the tools of "${this.options.serverName}": ${this.options.redact(describe(error))}`))
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Applies policy, pins and hidden-content stripping to a list result. */
  private filter(method: string, result: Record<string, unknown>): boolean {
    const server = this.options.serverName;
    return filterList(method, result, {
      denied: (kind, target) =>
        this.options.policy.rules.decide({ client: this.options.clientName, server, kind, target }, this.options.policy.defaultActionOf(server)).action === 'deny',
      held: (tool) => {
        const state = this.options.pins.observe(server, tool);
        if (state === 'new') {
          const shadows = this.options.pins.shadows(server, tool.name);
          if (shadows.length > 0) this.options.note(`tool "${tool.name}" of server "${server}" shadows the same name on: ${shadows.join(', ')}`);
        }
        return state === 'changed';
      },
      note: (text) => this.options.note(`server "${server}": ${text}`),
    });
  }

  /** Ends every waiting request: its audit row records `reason`, its client gets `message`. */
  private failPending(reason: string, message: string): void {
    for (const [key, entry] of this.pending) {
      this.finish(key, entry, 'error', reason);
      this.toClient(errorLine(parseIdKey(key), ErrorCode.UpstreamUnavailable, message));
    }
    this.endIfDone();
  }

  /** Ends one waiting request without an answer from upstream: row completed, ask withdrawn. */
  private finish(key: string, entry: Pending, outcome: Outcome, reason: string): void {
    if (this.pending.get(key) === entry) this.pending.delete(key);
    entry.approval?.withdraw();
    this.rows.end(entry, outcome, reason, null);
  }

  private toClient(data: string | Buffer): void {
    if (!this.closed) this.output.write(data);
  }

  /** After the client's input ended, the connection ends once nothing is owed to it. */
  private endIfDone(): void {
    if (!this.inputEnded || this.closed || this.pending.size > 0) return;
    this.options.downstream.end();
    void this.close('the client ended its input');
  }

  private answerFromWarden(id: JsonRpcId, reason: string): void {
    const entry = this.pending.get(idKey(id));
    if (entry === undefined) return;
    this.finish(idKey(id), entry, 'error', reason);
    this.toClient(errorLine(id, ErrorCode.UpstreamUnavailable, reason));
    this.endIfDone();
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
    const entry = this.pending.get(idKey(requestId));
    if (entry === undefined) return;
    this.finish(idKey(requestId), entry, 'cancelled', 'cancelled by the client');
    this.endIfDone();
  }
}

/** Map key for an id that keeps 1 and "1" apart. */
function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

function parseIdKey(key: string): JsonRpcId {
  return key.startsWith('n') ? Number(key.slice(1)) : key.slice(1);
}

/** An error's class and message for the core's log (callers redact what may hold secrets). */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown error';
}
