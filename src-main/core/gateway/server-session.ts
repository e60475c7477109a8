import { isUtf8 } from 'node:buffer';
import type { TargetKind } from '../../../src-shared/policy-types.js';
import type { ApprovalOutcome, Approvals } from '../approvals/approvals.js';
import type { AuditLog } from '../audit/audit-log.js';
import { summarizeError, summarizeForLog } from '../audit/summarize.js';
import { findHidden } from '../policy/hidden-content.js';
import type { Policy, Verdict } from '../policy/policy.js';
import { canonicalJson, type ToolPins } from '../policy/tool-pins.js';
import { blockedLine } from './blocked.js';
import { filterList, isFilteredList } from './list-filter.js';
import type { Upstream, UpstreamHandlers } from '../upstream/upstream.js';
import { ErrorCode, errorLine, idFromHead, parseMessage, type JsonRpcId, type JsonRpcMessage } from './json-rpc.js';
import { LineSplitter } from './line-splitter.js';

/** One message on its way: original bytes, or the re-serialized object. */
type Wire = string | Buffer;

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

/** Methods whose calls are written to the audit log. */
const AUDITED = new Set(['tools/call', 'resources/read', 'prompts/get']);
/** A run shorter than this that ends in an exit counts toward the crash back-off. */
const QUICK_EXIT_MS = 10_000;
/** Longest back-off a request waits for; beyond it the request fails at once. */
const MAX_WAIT_FOR_RESTART_MS = 5_000;
const MAX_BACKOFF_MS = 30_000;
const REPLAY_TIMEOUT_MS = 30_000;

interface Pending {
  method: string;
  started: number;
  auditId: number | undefined;
  /** Set while the call waits for the user; its answer goes into the row's notes. */
  approval?: { id: string; answer: string };
}

const KINDS: Record<string, TargetKind> = { 'tools/call': 'tool', 'resources/read': 'resource', 'prompts/get': 'prompt' };
/** How often a waiting ask tells the client it is still waiting. */
const WAIT_PROGRESS_MS = 5000;

/**
 * One client session in per-server mode: a shim connection bound to its own upstream process.
 * Everything MCP carries passes through both ways unchanged (ids are not rewritten: the
 * upstream serves only this session), except that Warden parses and checks each client
 * message, forwards the validated object, writes audited calls to the log before forwarding
 * them, and answers for an upstream that died.
 *
 * After an upstream exit the next request starts a new process and replays the client's
 * initialize handshake to it first, with a back-off for servers that keep exiting.
 */
export class ServerSession {
  private readonly splitter: LineSplitter;
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;
  private upstream: Upstream | undefined;
  private startError: string | undefined;
  private initialize: JsonRpcMessage | undefined;
  private clientInitialized = false;
  /** Messages held while a restarted upstream replays the handshake. */
  private queue: Wire[] | undefined;
  private replayId: string | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private upstreamStartedAt = 0;
  private quickExits = 0;
  /** Earliest time the next process may start (back-off after quick exits). */
  private nextStartAt = 0;
  private closed = false;
  private downstreamBlocked = false;
  private upstreamBlocked = false;
  private replayCounter = 0;
  /** Lines bound upstream while a read's audit rows are not yet committed. */
  private outbox: Wire[] | undefined;
  /** Requests that went into the outbox, to answer for if the commit fails. */
  private outboxIds: JsonRpcId[] = [];
  private corked = false;
  /** The shim ended its side (its client's input ended); see endOfInput. */
  private inputEnded = false;
  private downstreamEnded = false;
  /** Tools the user allowed for the rest of this session. */
  private readonly sessionAllowed = new Set<string>();

  constructor(private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.splitter = new LineSplitter(
      {
        onLine: (line, length) => this.fromClient(line, length),
        onOversize: (head, bytes) =>
          this.toClient(
            errorLine(
              idFromHead(head),
              ErrorCode.InvalidRequest,
              `Invalid request: the message is ${bytes} bytes, over Warden's limit of ${options.maxMessageBytes} bytes; send less data per call or raise the limit`,
            ),
          ),
      },
      options.maxMessageBytes,
    );
    this.startProcess();
  }

  /**
   * Bytes from the shim. The audit rows of every request in this read are committed in one
   * transaction, and only then are the requests forwarded, in one write.
   */
  push(chunk: Buffer): void {
    if (this.closed) return;
    this.outbox = [];
    this.outboxIds = [];
    try {
      this.options.audit.batch(() => this.splitter.push(chunk));
    } catch (error) {
      this.outbox = undefined;
      this.auditFailed(error);
      return;
    }
    const lines = this.outbox;
    this.outbox = undefined;
    if (lines.length > 0) this.toUpstream(lines);
  }

  /**
   * The shim ended its side of the connection (its client closed stdin). Ends ours once every
   * request in flight has been answered, so those replies still reach the client (G9).
   */
  endOfInput(): void {
    this.inputEnded = true;
    this.endIfAnswered();
  }

  private endIfAnswered(): void {
    if (!this.inputEnded || this.downstreamEnded || this.pending.size > 0) return;
    this.downstreamEnded = true;
    this.options.downstream.end();
  }

  /** The shim went away: stop the upstream and close the session's open audit rows. */
  async close(reason = 'the client disconnected'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.replayTimer);
    for (const [, entry] of this.pending) this.endAudit(entry, 'cancelled', reason, null);
    this.pending.clear();
    const upstream = this.upstream;
    this.upstream = undefined;
    await upstream?.stop();
  }

  get upstreamPid(): number | undefined {
    return this.upstream?.pid;
  }

  private fromClient(line: Buffer, length: number): void {
    const text = line.toString('utf8', 0, length);
    if (this.options.isRevoked()) {
      this.refuseRevoked(text);
      return;
    }
    const parsed = parseMessage(text);
    if (!parsed.ok) {
      this.toClient(errorLine(parsed.id, parsed.code, parsed.message));
      return;
    }
    const message = parsed.message;
    // The bytes go on unchanged when they mean to any parser what they meant to Warden (no
    // duplicate keys, exact numbers, valid UTF-8, plain "\n" end); otherwise Warden sends
    // the object it judged, re-serialized.
    const wire: Wire =
      parsed.exact && line.length === length + 1 && isUtf8(line) ? line : JSON.stringify(message) + '\n';
    const isRequest = message.method !== undefined && message.id !== undefined && message.id !== null;
    if (isRequest) {
      this.fromClientRequest(message, message.id as JsonRpcId, wire);
      return;
    }
    if (message.method === 'notifications/initialized') this.clientInitialized = true;
    if (message.method === 'notifications/cancelled') this.cancelled(message.params?.requestId);
    // Notifications and responses to the upstream's own requests go straight through; when no
    // upstream is running they have no one to reach and are dropped.
    this.send(wire);
  }

  private fromClientRequest(message: JsonRpcMessage, id: JsonRpcId, wire: Wire): void {
    const method = message.method as string;
    if (method === 'initialize') {
      this.initialize = message;
      this.clientInitialized = false;
    }
    if (!this.upstream?.alive && this.queue === undefined) {
      const refusal = this.restart(method === 'initialize');
      if (refusal !== undefined) {
        this.toClient(errorLine(id, ErrorCode.UpstreamUnavailable, refusal));
        if (AUDITED.has(method)) this.auditRefused(message, refusal);
        return;
      }
    }
    const entry: Pending = { method, started: this.now(), auditId: undefined };
    if (AUDITED.has(method)) {
      this.decide(message, id, wire, entry);
      return;
    }
    this.pending.set(idKey(id), entry);
    this.outboxIds.push(id);
    this.send(wire);
  }

  /**
   * Runs policy on an audited call and acts on the verdict. The audit row (with the decision
   * and its reason) is written first in every case.
   */
  private decide(message: JsonRpcMessage, id: JsonRpcId, wire: Wire, entry: Pending): void {
    const params = message.params ?? {};
    const kind = KINDS[message.method as string] as TargetKind;
    const target = kind === 'resource' ? params.uri : params.name;
    let verdict: Verdict;
    if (typeof target !== 'string' || target === '') {
      verdict = { action: 'deny', reason: `the request names no ${kind === 'resource' ? 'URI' : 'name'}, so no rule can judge it`, meta: { type: 'guard' } };
    } else {
      const argsBytes = wire.length > this.options.policy.settingsMaxArgumentBytes() ? Buffer.byteLength(JSON.stringify(params.arguments ?? {})) : wire.length;
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
    entry.auditId = this.beginAudit(message, verdict);
    if (verdict.action === 'deny') {
      this.endAudit(entry, 'denied', verdict.reason, null);
      this.toClient(blockedLine(id, kind, verdict.reason, verdict.meta));
      return;
    }
    this.pending.set(idKey(id), entry);
    if (verdict.action === 'allow') {
      this.outboxIds.push(id);
      this.send(wire);
      return;
    }
    this.ask(message, id, wire, entry, kind, target as string, verdict);
  }

  /** Holds a call until the user answers (or the timeout denies it). */
  private ask(message: JsonRpcMessage, id: JsonRpcId, wire: Wire, entry: Pending, kind: TargetKind, target: string, verdict: Verdict): void {
    const params = message.params ?? {};
    const { id: approvalId, outcome } = this.options.approvals.request({
      client: this.options.clientName,
      server: this.options.serverName,
      tool: kind === 'tool' ? target : `${kind}:${target}`,
      arguments: summarizeForLog(params.arguments ?? {}, this.options.redact) ?? '{}',
      reason: verdict.reason,
      dedupeKey: `${this.options.clientName}\u0000${this.options.serverName}\u0000${kind}\u0000${target}\u0000${canonicalJson(params.arguments ?? null)}`,
    });
    entry.approval = { id: approvalId, answer: 'pending' };
    const token = (params._meta as { progressToken?: unknown } | undefined)?.progressToken;
    let progress: NodeJS.Timeout | undefined;
    if (typeof token === 'string' || typeof token === 'number') {
      const started = this.now();
      const deadline = this.options.approvals.get(approvalId)?.deadline ?? started + 45_000;
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
    void outcome.then((result) => {
      clearInterval(progress);
      this.answered(id, wire, entry, kind, target, verdict, result);
    });
  }

  private answered(id: JsonRpcId, wire: Wire, entry: Pending, kind: TargetKind, target: string, verdict: Verdict, result: ApprovalOutcome): void {
    // Gone already: the client cancelled, the upstream died, or the session closed.
    if (this.closed || this.pending.get(idKey(id)) !== entry) return;
    entry.approval = { id: result.approvalId, answer: result.answer };
    const refuse = (reason: string): void => {
      this.pending.delete(idKey(id));
      this.endAudit(entry, 'denied', reason, null);
      this.toClient(blockedLine(id, kind, reason, { ...verdict.meta }));
    };
    if (result.answer === 'timeout') {
      refuse(`No answer within ${Math.round((this.options.approvals.timeoutMs()) / 1000)} s; the call was not made.`);
      return;
    }
    if (result.answer === 'deny' || result.answer === 'deny-always') {
      refuse(`the user denied this call (approval ${result.approvalId})`);
      return;
    }
    if (result.answer === 'allow-session' && kind === 'tool') this.sessionAllowed.add(target);
    const limited = this.options.policy.takeLimit({ client: this.options.clientName, server: this.options.serverName, target });
    if (limited) {
      refuse(limited.reason);
      return;
    }
    this.send(wire);
  }

  /** Sends a client message upstream, after the current read's commit when inside one. */
  private send(wire: Wire): void {
    if (this.outbox !== undefined) this.outbox.push(wire);
    else this.toUpstream([wire]);
  }

  /** The audit rows of a read could not be written: none of its requests is forwarded. */
  private auditFailed(error: unknown): void {
    const reason = `Warden could not write its audit log (${error instanceof Error ? error.message : 'unknown error'}), so the call was not made`;
    for (const id of this.outboxIds) {
      this.pending.delete(idKey(id));
      this.toClient(errorLine(id, ErrorCode.InternalError, reason));
    }
    this.outboxIds = [];
  }

  private fromUpstream(line: Buffer, length: number): void {
    const text = line.toString('utf8', 0, length);
    const parsed = parseMessage(text);
    if (!parsed.ok) {
      this.upstream?.note(`ignored a line on stdout that is not a JSON-RPC message (${parsed.message}): ${text.slice(0, 200)}`);
      if (parsed.id !== null && this.pending.has(idKey(parsed.id))) {
        this.answerFromWarden(parsed.id, `upstream "${this.options.serverName}" sent an invalid reply: ${parsed.message}`);
      }
      return;
    }
    const message = parsed.message;
    const isResponse = message.method === undefined && message.id !== undefined && message.id !== null;
    if (isResponse) {
      const id = message.id as JsonRpcId;
      if (this.replayId !== undefined && id === this.replayId) {
        this.replayAnswered(message);
        return;
      }
      const entry = this.pending.get(idKey(id));
      if (entry !== undefined) {
        this.pending.delete(idKey(id));
        this.completeAudit(entry, message, length);
        if (message.result !== undefined && isFilteredList(entry.method) && this.filter(entry.method, message.result)) {
          this.toClient(JSON.stringify(message) + '\n');
          return;
        }
      }
    }
    this.toClient(line);
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

  private upstreamExited(reason: string): void {
    if (this.closed) return;
    const ranFor = this.now() - this.upstreamStartedAt;
    this.quickExits = ranFor < QUICK_EXIT_MS ? this.quickExits + 1 : 0;
    const backoff = this.quickExits <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.quickExits - 2));
    this.nextStartAt = this.now() + backoff;
    this.upstream = undefined;
    this.failPending(reason, `${reason}; the call may or may not have taken effect, and the next request starts the server again (log: ${this.options.serverLogPath})`);
    if (this.queue !== undefined) this.failReplay(reason);
  }

  /**
   * Starts the upstream for a request when none is running. A first start or a fresh
   * initialize goes straight through; otherwise the handshake is replayed first. Returns a
   * refusal sentence when the request cannot be served now.
   */
  private restart(isInitialize: boolean): string | undefined {
    const delay = Math.max(0, this.nextStartAt - this.now());
    if (delay > MAX_WAIT_FOR_RESTART_MS) {
      return `upstream "${this.options.serverName}" keeps exiting right after it starts; Warden starts it again in ${Math.ceil(delay / 1000)} s (log: ${this.options.serverLogPath})`;
    }
    const replay = !isInitialize && this.initialize !== undefined;
    if (!replay && delay === 0) {
      this.startProcess();
      return this.startError;
    }
    this.queue = [];
    this.replayTimer = setTimeout(() => {
      this.startProcess();
      if (this.startError !== undefined) {
        this.failReplay(this.startError);
      } else if (replay) {
        this.sendReplay();
      } else {
        this.flushQueue();
      }
    }, delay);
    return undefined;
  }

  private startProcess(): void {
    if (this.closed) return;
    try {
      this.upstreamStartedAt = this.now();
      this.upstream = this.options.startUpstream({
        onLine: (line, length) => this.fromUpstream(line, length),
        onExit: (reason) => this.upstreamExited(reason),
      });
      this.startError = undefined;
    } catch (error) {
      this.upstream = undefined;
      this.startError = error instanceof Error ? error.message : String(error);
    }
  }

  private sendReplay(): void {
    this.replayId = `warden-replay-${this.options.id}-${++this.replayCounter}`;
    const request = { ...(this.initialize as JsonRpcMessage), id: this.replayId };
    this.upstream?.write([JSON.stringify(request) + '\n']);
    this.replayTimer = setTimeout(
      () => this.failReplay(`upstream "${this.options.serverName}" did not answer initialize within ${REPLAY_TIMEOUT_MS / 1000} s after a restart`),
      REPLAY_TIMEOUT_MS,
    );
  }

  private replayAnswered(message: JsonRpcMessage): void {
    clearTimeout(this.replayTimer);
    this.replayId = undefined;
    if (message.error !== undefined) {
      this.failReplay(`upstream "${this.options.serverName}" refused initialize after a restart: ${message.error.message}`);
      return;
    }
    if (this.clientInitialized) this.upstream?.write(['{"jsonrpc":"2.0","method":"notifications/initialized"}\n']);
    this.flushQueue();
  }

  private flushQueue(): void {
    const queued = this.queue ?? [];
    this.queue = undefined;
    if (queued.length > 0) this.upstream?.write(queued);
  }

  private failReplay(reason: string): void {
    clearTimeout(this.replayTimer);
    this.replayId = undefined;
    this.queue = undefined;
    this.failPending(reason, reason);
  }

  /** Ends every waiting request: its audit row records `reason`, its client gets `message`. */
  private failPending(reason: string, message: string): void {
    for (const [key, entry] of this.pending) {
      this.pending.delete(key);
      this.endAudit(entry, 'error', reason, null);
      this.toClient(errorLine(parseIdKey(key), ErrorCode.UpstreamUnavailable, message));
    }
  }

  private toUpstream(wires: Wire[]): void {
    if (this.queue !== undefined) {
      this.queue.push(...wires);
      return;
    }
    const upstream = this.upstream;
    if (!upstream?.alive) return;
    if (!upstream.write(wires) && !this.upstreamBlocked) {
      this.upstreamBlocked = true;
      this.options.downstream.pause();
      upstream.onDrain(() => {
        this.upstreamBlocked = false;
        this.options.downstream.resume();
      });
    }
  }

  private toClient(data: string | Buffer): void {
    if (this.closed || this.downstreamEnded) return;
    const downstream = this.options.downstream;
    if (!this.corked) {
      this.corked = true;
      downstream.cork();
      process.nextTick(() => {
        this.corked = false;
        downstream.uncork();
      });
    }
    if (!downstream.write(data) && !this.downstreamBlocked) {
      this.downstreamBlocked = true;
      const upstream = this.upstream;
      upstream?.pauseOutput();
      this.options.downstream.onDrain(() => {
        this.downstreamBlocked = false;
        upstream?.resumeOutput();
      });
    }
    this.endIfAnswered();
  }

  private answerFromWarden(id: JsonRpcId, reason: string): void {
    const entry = this.pending.get(idKey(id));
    if (entry === undefined) return;
    this.pending.delete(idKey(id));
    this.endAudit(entry, 'error', reason, null);
    this.toClient(errorLine(id, ErrorCode.UpstreamUnavailable, reason));
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
    this.pending.delete(idKey(requestId));
    this.endAudit(entry, 'cancelled', 'cancelled by the client', null);
  }

  private beginAudit(message: JsonRpcMessage, verdict: Verdict | undefined): number {
    const params = message.params ?? {};
    const target = message.method === 'resources/read' ? params.uri : params.name;
    return this.options.audit.begin({
      ts: this.now(),
      session: this.options.id,
      client: this.options.clientName,
      server: this.options.serverName,
      method: message.method as string,
      target: typeof target === 'string' ? this.options.redact(target).slice(0, 512) : null,
      arguments: summarizeForLog(params.arguments, this.options.redact),
      decision: verdict?.action ?? 'none',
      reason: verdict?.reason ?? 'the upstream could not be started',
      reasonMeta: verdict ? JSON.stringify(verdict.meta) : null,
    });
  }

  private auditRefused(message: JsonRpcMessage, reason: string): void {
    const entry: Pending = { method: message.method as string, started: this.now(), auditId: this.beginAudit(message, undefined) };
    this.endAudit(entry, 'error', reason, null);
  }

  private completeAudit(entry: Pending, message: JsonRpcMessage, bytes: number): void {
    if (entry.auditId === undefined) return;
    if (message.error !== undefined) {
      this.endAudit(entry, 'error', message.error.message, bytes);
    } else if (message.result?.isError === true) {
      this.endAudit(entry, 'error', firstText(message.result) ?? 'the tool reported an error', bytes, hiddenIn(message.result));
    } else {
      this.endAudit(entry, 'ok', null, bytes, message.result === undefined ? [] : hiddenIn(message.result));
    }
  }

  private endAudit(
    entry: Pending,
    outcome: 'ok' | 'error' | 'cancelled' | 'denied',
    error: string | null,
    bytes: number | null,
    hidden: string[] = [],
  ): void {
    if (entry.auditId === undefined) return;
    const notes: Record<string, unknown> = {};
    if (entry.approval) notes.approval = entry.approval;
    if (hidden.length > 0) notes.hiddenContent = hidden;
    this.options.audit.end(entry.auditId, {
      outcome,
      error: error === null ? null : summarizeError(error, this.options.redact),
      durationMs: this.now() - entry.started,
      resultBytes: bytes,
      notes: Object.keys(notes).length > 0 ? JSON.stringify(notes) : null,
    });
  }
}

/** Map key for an id that keeps 1 and "1" apart. */
function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

function parseIdKey(key: string): JsonRpcId {
  return key.startsWith('n') ? Number(key.slice(1)) : key.slice(1);
}

/** Kinds of hidden content in a result's text parts, flagged in the log. */
function hiddenIn(result: Record<string, unknown>): string[] {
  const content = result.content;
  if (!Array.isArray(content)) return [];
  const kinds = new Set<string>();
  for (const item of content) {
    const text = (item as { text?: unknown })?.text;
    if (typeof text === 'string') for (const kind of findHidden(text)) kinds.add(kind);
  }
  return [...kinds];
}

function firstText(result: Record<string, unknown>): string | undefined {
  const content = result.content;
  if (!Array.isArray(content)) return undefined;
  const text = content.find((item) => typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'text');
  return typeof text?.text === 'string' ? text.text : undefined;
}
