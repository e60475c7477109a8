/**
 * The shim's side of one client session, kept across restarts of the Warden core (G9: the
 * client never loses its session to Warden). Bytes are relayed both ways without parsing;
 * a LineTracker on each direction peeks at line ends only to know which requests wait for a
 * reply and what the handshake was.
 *
 * When the core connection closes, each request in flight is answered with an error sentence,
 * the shim connects again (starting the core only once the client has something to send, so an
 * idle client does not undo a `warden stop`), says hello with the same key and server, replays
 * the client's initialize (its answer swallowed) and `notifications/initialized`, then sends
 * what the client wrote meanwhile. A refused hello stays fatal.
 *
 * When the client's input ends, the shim half-closes the connection and exits once the core
 * has answered what was in flight and closed its side, or after a bounded wait.
 *
 * Node built-ins only: this file is part of the shim's bundle.
 */
import type { OnReadOpts, Socket } from 'node:net';
import { END_OF_INPUT } from '../core/ipc/hello.js';
import { HeldInput, MAX_HELD } from './held-input.js';
import { peekLine, type HandshakeMethod, type Id, type Peek } from './line-peek.js';
import { LineTracker } from './line-tracker.js';
import { RetryWait } from './retry-wait.js';
import { reportFailure } from './shim-failure.js';
import { CUT, errorReply, helloRefusal, INITIALIZED, refusal, restarted } from './shim-replies.js';
import { BufferPool, forward, stdinSource, type Source } from './shim-io.js';

const HELLO_TIMEOUT_MS = 10_000;
const REPLAY_TIMEOUT_MS = 30_000;
/** Requests held this long without a core to take them are answered with an error. */
const GIVE_UP_MS = 20_000;
/** After the client's input ends, the longest wait for the replies still on their way. */
const DRAIN_AFTER_EOF_MS = 30_000;
const RETRY_MAX_MS = 2000;
/** Ids tracked at most (a client that never reads its replies must not grow the shim). */
const MAX_IN_FLIGHT = 4096;
const NEWLINE = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);

/** What the relay needs from its caller. */
export interface RelayOptions {
  key: string;
  /** The server to reach; undefined for the aggregated session. */
  server: string | undefined;
  /** Connects to the core; with `start`, starts it first when none runs. Rejects with a sentence. */
  connect(start: boolean, onread: OnReadOpts): Promise<Socket>;
}

type Phase = 'connecting' | 'hello' | 'replay' | 'relay' | 'done';

/**
 * One shim session. Construct it first thing (it starts holding standard input), then call
 * `start` or `fail`.
 */
export class ShimRelay {
  private readonly toCore = new BufferPool(4);
  private readonly toClient = new BufferPool(4);
  private readonly input: Source = stdinSource(this.toCore);
  private readonly clientLines = new LineTracker((peek, line, start, end) => this.clientLine(peek, line, start, end));
  private readonly coreLines = new LineTracker((peek) => this.coreLine(peek), true);
  private readonly onread: OnReadOpts = {
    buffer: this.toClient.next,
    callback: (n, buffer) => this.fromCore((buffer as Buffer).subarray(0, n)),
  };
  private readonly coreSource = { resume: (): void => void this.socket?.resume() };
  private options: RelayOptions | undefined;
  private phase: Phase = 'connecting';
  private socket: Socket | undefined;
  private phaseTimer: NodeJS.Timeout | undefined;
  /** Ids (as JSON text) of requests sent on the current connection and not yet answered. */
  /** Requests the core has, by id, with their method. */
  private readonly inFlight = new Map<Id, HandshakeMethod | undefined>();
  private initialize: Buffer | undefined;
  private initializeId: Id | undefined;
  private initializeAnswered = false;
  /** The unanswered initialize was sent again once; a second loss answers it with an error. */
  private initializeResent = false;
  private clientInitialized = false;
  private readonly held = new HeldInput(this.input, () => this.startHolding());
  private giveUpTimer: NodeJS.Timeout | undefined;
  private lastError = 'the Warden core did not answer';
  /** Dropping the rest of a line whose start went to a connection that broke. */
  private discarding = false;
  private inputEnded = false;
  /** Bytes from the core not yet split into lines, while the hello and the replay are answered. */
  private lineBuffer = EMPTY;
  private replayId: string | undefined;
  private replays = 0;
  private readonly retry = new RetryWait(50, RETRY_MAX_MS);
  private reconnecting = false;

  constructor() {
    this.input.onChunk = (chunk) => this.fromClient(chunk);
    this.input.onEnd = () => this.inputEnd();
    process.stdout.on('error', () => process.exit(0));
  }

  /** Connects (starting the core if none runs); a failure of this first connect is fatal. */
  async start(options: RelayOptions): Promise<void> {
    this.options = options;
    let socket: Socket;
    try {
      socket = await options.connect(true, this.onread);
    } catch (error) {
      this.fail((error as Error).message);
      return;
    }
    this.attach(socket);
  }

  /** Reports a fatal failure to the client and exits with 1. */
  fail(message: string): void {
    this.phase = 'done';
    clearTimeout(this.phaseTimer);
    clearTimeout(this.giveUpTimer);
    this.socket?.destroy();
    reportFailure(message, this.input, this.held.take().chunks);
  }

  private attach(socket: Socket): void {
    const options = this.options as RelayOptions;
    this.socket = socket;
    this.phase = 'hello';
    this.lineBuffer = EMPTY;
    socket.on('error', (error) => {
      this.lastError = `lost the connection to the Warden core (${error.message})`;
    });
    socket.on('close', () => this.lost(socket));
    socket.write(JSON.stringify({ warden: 1, type: 'client', key: options.key, server: options.server, parentPid: process.ppid }) + '\n');
    this.phaseTimer = setTimeout(() => {
      this.lastError = `the Warden core did not answer the hello within ${HELLO_TIMEOUT_MS / 1000} s`;
      socket.destroy();
    }, HELLO_TIMEOUT_MS);
  }

  private fromCore(chunk: Buffer): boolean {
    if (this.phase === 'relay') {
      this.coreLines.push(chunk);
      return forward(process.stdout, chunk, this.toClient, this.coreSource);
    }
    if (this.phase !== 'hello' && this.phase !== 'replay') return true;
    this.lineBuffer = this.lineBuffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.lineBuffer, chunk]);
    let start = 0;
    while (this.splitting()) {
      const nl = this.lineBuffer.indexOf(0x0a, start);
      if (nl === -1) break;
      const line = this.lineBuffer.subarray(start, nl + 1);
      start = nl + 1;
      if (this.phase === 'hello') this.helloAnswered(line);
      else this.replayLine(line);
    }
    const rest = this.lineBuffer.subarray(start);
    if (this.splitting()) {
      this.lineBuffer = rest;
      if (rest.length > MAX_HELD) {
        this.lastError = 'the Warden core sent a line too long to read';
        this.socket?.destroy();
      }
    } else {
      this.lineBuffer = EMPTY;
      if (this.relaying() && rest.length > 0) {
        this.coreLines.push(rest);
        process.stdout.write(rest);
      }
    }
    return true;
  }

  private relaying(): boolean {
    return this.phase === 'relay';
  }

  /** Whether core bytes are being split here (a method, so the phase is read afresh). */
  private splitting(): boolean {
    return this.phase === 'hello' || this.phase === 'replay';
  }

  private helloAnswered(line: Buffer): void {
    clearTimeout(this.phaseTimer);
    const refused = helloRefusal(line);
    if (refused !== undefined) {
      this.fail(refused);
      return;
    }
    if (this.reconnecting) process.stderr.write('warden: connected to the Warden core again\n');
    this.reconnecting = false;
    if (this.initialize !== undefined && this.initializeAnswered) this.replay(this.initialize);
    else this.startRelay();
  }

  /** Says the client's initialize again, under an id of the shim's own. */
  private replay(initialize: Buffer): void {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(initialize.toString('utf8')) as Record<string, unknown>;
    } catch {
      this.startRelay();
      return;
    }
    const id = `warden-shim-replay-${++this.replays}`;
    this.replayId = JSON.stringify(id);
    this.phase = 'replay';
    this.socket?.write(JSON.stringify({ ...request, id }) + '\n');
    this.phaseTimer = setTimeout(() => this.replayAnswered(undefined), REPLAY_TIMEOUT_MS);
  }

  private replayLine(line: Buffer): void {
    const peek = peekLine(line, 0, line.length - 1);
    if (peek.kind === 'response' && peek.id === this.replayId) this.replayAnswered(line);
    else process.stdout.write(line);
  }

  private replayAnswered(line: Buffer | undefined): void {
    clearTimeout(this.phaseTimer);
    this.replayId = undefined;
    if (line === undefined) {
      process.stderr.write(`warden: the server did not answer the repeated initialize within ${REPLAY_TIMEOUT_MS / 1000} s; relaying anyway\n`);
    } else {
      const refused = refusal(line);
      if (refused !== undefined) process.stderr.write(`warden: the server refused the repeated initialize: ${refused}\n`);
    }
    if (this.clientInitialized) this.socket?.write(INITIALIZED);
    this.startRelay();
  }

  /** The connection is ready: what was held goes out, in order, and relaying resumes. */
  private startRelay(): void {
    const socket = this.socket as Socket;
    this.phase = 'relay';
    clearTimeout(this.giveUpTimer);
    const { chunks, lines } = this.held.take();
    for (const line of lines) this.sent(line.peek, line.initialize);
    for (const chunk of chunks) socket.write(chunk);
    if (this.inputEnded) socket.write(END_OF_INPUT);
  }

  private fromClient(chunk: Buffer): boolean {
    let bytes = chunk;
    if (this.discarding) {
      const nl = bytes.indexOf(0x0a);
      this.clientLines.push(bytes, 0, nl === -1 ? bytes.length : nl + 1);
      if (nl === -1) return true;
      this.discarding = false;
      if (nl + 1 === bytes.length) return true;
      bytes = bytes.subarray(nl + 1);
    }
    this.clientLines.push(bytes);
    if (this.phase === 'relay') return forward(this.socket as Socket, bytes, this.toCore, this.input);
    return this.held.add(bytes);
  }

  private clientLine(peek: Peek, line: Buffer | undefined, start: number, end: number): void {
    if (this.discarding) {
      if (peek.kind === 'request' && peek.id !== undefined) this.answer(peek.id, CUT);
      return;
    }
    const initialize = peek.kind === 'request' && peek.method === 'initialize' && line !== undefined ? Buffer.from(line.subarray(start, end)) : undefined;
    if (this.phase === 'relay') this.sent(peek, initialize);
    else this.held.addLine({ peek, initialize });
  }

  /** Notes a client line that went to the core. */
  private sent(peek: Peek, initialize: Buffer | undefined): void {
    if (peek.kind === 'request' && peek.id !== undefined) {
      if (this.inFlight.size < MAX_IN_FLIGHT) this.inFlight.set(peek.id, peek.method);
      if (initialize !== undefined) {
        this.initialize = initialize;
        this.initializeId = peek.id;
        this.initializeAnswered = false;
        this.initializeResent = false;
        this.clientInitialized = false;
      }
    } else if (peek.kind === 'notification' && peek.method === 'initialized') {
      this.clientInitialized = true;
    }
  }

  private coreLine(peek: Peek): void {
    if (peek.kind !== 'response' || peek.id === undefined || !this.inFlight.delete(peek.id)) return;
    if (peek.id === this.initializeId) this.initializeAnswered = true;
  }

  /** Something is held: if no core takes it in time, it is answered (giveUp). */
  private startHolding(): void {
    clearTimeout(this.giveUpTimer);
    this.giveUpTimer = setTimeout(() => this.giveUp(), GIVE_UP_MS);
    this.retry.wake();
  }

  /** No core took the held requests in time: each gets an error, and they are dropped. */
  private giveUp(): void {
    if (this.phase === 'relay' || this.phase === 'done') return;
    if (this.phase === 'replay') {
      this.giveUpTimer = setTimeout(() => this.giveUp(), REPLAY_TIMEOUT_MS);
      return;
    }
    for (const { peek } of this.held.take().lines) {
      if (peek.kind === 'request' && peek.id !== undefined) this.answer(peek.id, `${this.lastError}; the call was not made; retry it in a moment`);
    }
    // The held part of an unfinished line is gone: drop its rest, and answer it when it ends.
    if (this.clientLines.midLine) this.discarding = true;
    if (this.inputEnded) this.exit();
  }

  private lost(socket: Socket): void {
    if (socket !== this.socket || this.phase === 'done') return;
    this.socket = undefined;
    clearTimeout(this.phaseTimer);
    const relaying = this.phase === 'relay';
    this.phase = 'connecting';
    this.lineBuffer = EMPTY;
    this.replayId = undefined;
    if (relaying) {
      // The client may hold the first part of a line: end it, so the answers below read as lines.
      if (this.coreLines.midLine) process.stdout.write(NEWLINE);
      this.coreLines.reset();
      if (this.clientLines.midLine) this.discarding = true;
    }
    // After the client's input ended, the core closes once it answered all it will answer:
    // what still looks in flight then is a line it answered with id null (unreadable, or an id
    // it refuses), and a made-up answer would be a second reply.
    if (this.inputEnded) this.inFlight.clear();
    for (const [id, method] of this.inFlight) {
      // An unanswered initialize is harmless to send again (once: a core that dies of it must
      // not be restarted forever): the client then gets its answer.
      if (id === this.initializeId && !this.initializeAnswered && !this.initializeResent && this.initialize !== undefined) {
        this.initializeResent = true;
        // Already the one to replay: noted as in flight again, not as a new initialize.
        this.held.unshift(Buffer.concat([this.initialize, NEWLINE]), { peek: { kind: 'request', id, method: 'initialize' }, initialize: undefined });
      } else {
        this.answer(id, restarted(method));
      }
    }
    this.inFlight.clear();
    if (this.inputEnded && this.held.empty) {
      this.exit();
      return;
    }
    if (!this.reconnecting) process.stderr.write('warden: the connection to the Warden core closed; connecting again\n');
    this.reconnecting = true;
    void this.reconnect();
  }

  /**
   * Tries to connect until it succeeds. The core is started only while the client has
   * something held to send; otherwise the shim waits for one to appear.
   */
  private async reconnect(): Promise<void> {
    const options = this.options as RelayOptions;
    this.retry.reset();
    while (this.phase === 'connecting') {
      if (this.inputEnded && this.held.empty) {
        this.exit();
        return;
      }
      try {
        const socket = await options.connect(!this.held.empty, this.onread);
        if (this.phase !== 'connecting') {
          socket.destroy();
          return;
        }
        this.attach(socket);
        return;
      } catch (error) {
        this.lastError = (error as Error).message;
      }
      await this.retry.next();
    }
  }

  private inputEnd(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    if (this.phase === 'relay') this.socket?.write(END_OF_INPUT);
    this.retry.wake();
    setTimeout(() => {
      for (const id of this.inFlight.keys()) this.answer(id, `no reply within ${DRAIN_AFTER_EOF_MS / 1000} s after the client's input ended`);
      this.exit();
    }, DRAIN_AFTER_EOF_MS).unref();
  }

  /** Exits once what was written to the client has left (bounded: a client may stop reading). */
  private exit(): void {
    this.phase = 'done';
    clearTimeout(this.giveUpTimer);
    this.socket?.destroy();
    this.input.destroy();
    process.stdout.write('', () => process.exit());
    setTimeout(() => process.exit(), 5000).unref();
  }

  private answer(id: Id, message: string): void {
    const line = errorReply(id, message);
    if (line !== undefined) process.stdout.write(line);
  }
}

