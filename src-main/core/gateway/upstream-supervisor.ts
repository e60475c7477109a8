import type { JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import type { Upstream, UpstreamHandlers } from '../upstream/upstream.js';

/** One message on its way: original bytes, or the re-serialized object. */
export type Wire = string | Buffer;

export interface SupervisorOptions {
  serverName: string;
  /** Where the upstream's log is, for error sentences. */
  serverLogPath: string;
  /** Makes ids of Warden's own requests unique to this session. */
  sessionId: string;
  /** Starts the upstream; throws a WardenError (a missing secret) when it cannot. */
  start(handlers: UpstreamHandlers): Upstream;
  /** Every line from the upstream, except answers to Warden's own requests. */
  onLine(line: Buffer, length: number): void;
  /**
   * The upstream ended or a restart failed: every request waiting on it must fail, with the
   * sentence `message` gives for its method (its row records `reason`).
   */
  onLost(reason: string, message: (method: string) => string): void;
  /** Flow control towards the client: the upstream cannot take more / can again. */
  pauseClient(): void;
  resumeClient(): void;
  now: () => number;
}

/** A run shorter than this that ends in an exit counts toward the crash back-off. */
const QUICK_EXIT_MS = 10_000;
/** Longest back-off a request waits for; beyond it the request fails at once. */
const MAX_WAIT_FOR_RESTART_MS = 5_000;
const MAX_BACKOFF_MS = 30_000;
const REPLAY_TIMEOUT_MS = 30_000;

/**
 * Keeps one upstream running for a session: starts it, restarts it on the next request after
 * it exits (with a back-off for servers that keep exiting), and replays the client's
 * initialize handshake to a restarted process before anything else reaches it. It also sends
 * Warden's own requests (a tools/list refresh) and routes their answers back, out of the
 * client's sight. Upstream-bound writes go through {@link send}, which queues them while a
 * replay is under way and pauses the client while the upstream's buffer is full.
 */
export class UpstreamSupervisor {
  private upstream: Upstream | undefined;
  private startError: string | undefined;
  private initialize: JsonRpcMessage | undefined;
  private clientInitialized = false;
  /** Messages held while a restarted upstream replays the handshake. */
  private queue: Wire[] | undefined;
  private replayId: string | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private quickExits = 0;
  /** Earliest time the next process may start (back-off after quick exits). */
  private nextStartAt = 0;
  private counter = 0;
  private blocked = false;
  private stopped = false;
  /** Warden's own requests in flight, by id. */
  private readonly own = new Map<string, (message: JsonRpcMessage | undefined) => void>();

  constructor(private readonly options: SupervisorOptions) {
    this.startProcess();
  }

  get alive(): boolean {
    return this.upstream?.alive === true;
  }

  get pid(): number | undefined {
    return this.upstream?.pid;
  }

  /** True once the client's initialize has been seen, so the upstream can answer requests. */
  get initialized(): boolean {
    return this.initialize !== undefined;
  }

  /** Remembers the client's initialize request, replayed to every restarted process. */
  sawInitialize(message: JsonRpcMessage): void {
    this.initialize = message;
    this.clientInitialized = false;
  }

  sawInitialized(): void {
    this.clientInitialized = true;
  }

  /**
   * Makes sure an upstream serves the next request, starting one when none runs. A first start
   * or a fresh initialize goes straight through; otherwise the handshake is replayed first.
   * Returns a refusal sentence when the request cannot be served now.
   */
  ensureRunning(isInitialize: boolean): string | undefined {
    if (this.alive || this.queue !== undefined) return undefined;
    const delay = Math.max(0, this.nextStartAt - this.options.now());
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
      if (this.startError !== undefined) this.failReplay(this.startError);
      else if (replay) this.sendReplay();
      else this.flushQueue();
    }, delay);
    return undefined;
  }

  /** Sends client messages upstream (held while a replay runs; dropped when none is running). */
  send(wires: Wire[]): void {
    if (this.queue !== undefined) {
      this.queue.push(...wires);
      return;
    }
    const upstream = this.upstream;
    if (!upstream?.alive) return;
    if (!upstream.write(wires) && !this.blocked) {
      this.blocked = true;
      this.options.pauseClient();
      upstream.onDrain(() => {
        this.blocked = false;
        this.options.resumeClient();
      });
    }
  }

  /**
   * Sends a request of Warden's own and resolves with its answer, or undefined when none came
   * within `timeoutMs` or the upstream is not running. Never rejects.
   */
  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<JsonRpcMessage | undefined> {
    if (!this.alive || this.queue !== undefined) return Promise.resolve(undefined);
    const id = `warden-${this.options.sessionId}-${++this.counter}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (message: JsonRpcMessage | undefined): void => {
        clearTimeout(timer);
        this.own.delete(id);
        resolve(message);
      };
      this.own.set(id, finish);
      this.send([JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n']);
    });
  }

  /** Takes a response meant for Warden itself (a replay or its own request); true when it was. */
  claim(message: JsonRpcMessage): boolean {
    const id = message.id;
    if (typeof id !== 'string' || !id.startsWith('warden-')) return false;
    if (id === this.replayId) {
      this.replayAnswered(message);
      return true;
    }
    const waiter = this.own.get(id);
    if (!waiter) return false;
    waiter(message);
    return true;
  }

  pauseOutput(): void {
    this.upstream?.pauseOutput();
  }

  resumeOutput(): void {
    this.upstream?.resumeOutput();
  }

  /** Notes a line in the server's log. */
  note(text: string): void {
    this.upstream?.note(text);
  }

  /** Stops the upstream for good. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.replayTimer);
    for (const waiter of [...this.own.values()]) waiter(undefined);
    const upstream = this.upstream;
    this.upstream = undefined;
    await upstream?.stop();
  }

  private startProcess(): void {
    if (this.stopped) return;
    try {
      this.startedAt = this.options.now();
      this.upstream = this.options.start({
        onLine: (line, length) => this.options.onLine(line, length),
        onExit: (reason) => this.exited(reason),
      });
      this.startError = undefined;
    } catch (error) {
      this.upstream = undefined;
      this.startError = error instanceof Error ? error.message : String(error);
    }
  }

  private exited(reason: string): void {
    if (this.stopped) return;
    const now = this.options.now();
    this.quickExits = now - this.startedAt < QUICK_EXIT_MS ? this.quickExits + 1 : 0;
    const backoff = this.quickExits <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.quickExits - 2));
    this.nextStartAt = now + backoff;
    this.upstream = undefined;
    for (const waiter of [...this.own.values()]) waiter(undefined);
    const log = this.options.serverLogPath;
    this.options.onLost(reason, (method) => {
      // Only a tool call can have done something the client cannot see.
      if (method === 'tools/call') return `${reason}; the call may or may not have taken effect, and the next request starts the server again (log: ${log})`;
      if (method === 'initialize') return `${reason} before it answered initialize: the server did not start (log: ${log})`;
      return `${reason} before it answered this ${method}; send it again, and the server starts again (log: ${log})`;
    });
    if (this.queue !== undefined) this.failReplay(reason);
  }

  private sendReplay(): void {
    this.replayId = `warden-replay-${this.options.sessionId}-${++this.counter}`;
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
      this.failReplay(`upstream "${this.options.serverName}" refused initialize after a restart: ${String(message.error?.message).slice(0, 200)}`);
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
    this.options.onLost(reason, () => reason);
  }
}
