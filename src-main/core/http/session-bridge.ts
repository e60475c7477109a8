import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { describeFailure } from '../errors/guarded.js';
import { MAX_UPSTREAM_DEPTH, parseMessage, type JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { LineSplitter } from '../jsonrpc/line-splitter.js';
import type { OpenedSession } from '../gateway/session-hub.js';
import type { Downstream } from '../gateway/server-session.js';

/** The longest line a session may write to its client (as an upstream may send, see stdio-upstream). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface BridgeOptions {
  /** The SDK's Streamable HTTP server transport of one MCP session. */
  transport: Pick<Transport, 'send' | 'close'> & Partial<Pick<Transport, 'onmessage' | 'onclose'>>;
  note(text: string): void;
  /** Called once, when the transport closed (the Warden session is told to close just before). */
  onClosed(): void;
}

/**
 * Joins one MCP session of the SDK's Streamable HTTP transport to one Warden session, so the
 * HTTP front door runs the same pipeline as the socket: every message from the client goes to
 * the session as a JSON line; every line the session writes goes back through the transport.
 *
 * Routing back: a response goes on its request's POST stream (the SDK finds it by id), and so
 * does a progress notification whose token a still-open request carried. Other messages from
 * the server (sampling, elicitation and roots requests, list changes, log messages) go on the
 * standalone GET stream while the client holds one open, else on the newest open request's
 * stream (they relate to it: a tool asking for sampling mid-call), else to the standalone
 * stream, which drops them when no client listens, as the SDK does.
 *
 * The session ending its downstream (a revoked key, the server removed) closes the transport
 * once what it wrote is handed over; the transport closing (DELETE, idle, shutdown) closes
 * the session. Lines the session writes are Warden's own and parsed again defensively: one
 * that does not parse is dropped with a note, never thrown.
 */
export class SessionBridge {
  private session: OpenedSession | undefined;
  /** Requests the client sent that have no response yet, oldest first, with their progress token. */
  private readonly open = new Map<RequestId, string | number | undefined>();
  private readonly progress = new Map<string | number, RequestId>();
  private readonly splitter: LineSplitter;
  private readonly sending = new Set<Promise<void>>();
  private paused = false;
  private readonly waiting: Array<() => void> = [];
  private reason: string | undefined;
  private closing: Promise<void> | undefined;
  private sessionClosed: Promise<void> = Promise.resolve();
  private closed = false;
  /** GET streams open now (the endpoint counts them; a second one is refused by the SDK). */
  standaloneStreams = 0;

  constructor(private readonly options: BridgeOptions) {
    this.splitter = new LineSplitter(
      {
        onLine: (line, length) => this.fromSession(line.toString('utf8', 0, length)),
        onOversize: (_head, bytes) => options.note(`dropped a ${bytes}-byte line a session wrote to its HTTP client: larger than ${MAX_LINE_BYTES} bytes`),
      },
      MAX_LINE_BYTES,
    );
    options.transport.onmessage = (message) => {
      // Inside the SDK's request handling: a throw would become its 400 with the error's text.
      try {
        this.fromClient(message);
      } catch (error) {
        options.note(`passing a message from an HTTP client to its session failed: ${describeFailure(error)}`);
      }
    };
    options.transport.onclose = () => this.transportClosed();
  }

  /** The Warden session's view of the HTTP client. */
  readonly downstream: Downstream = {
    write: (data) => {
      if (!this.closed) this.splitter.push(typeof data === 'string' ? Buffer.from(data) : data);
      // The SDK queues what it sends without a signal to wait on, so nothing reports full.
      return true;
    },
    onDrain: (callback) => queueMicrotask(callback),
    pause: () => {
      this.paused = true;
    },
    resume: () => {
      this.paused = false;
      for (const admit of this.waiting.splice(0)) admit();
    },
    end: () => void this.endAfterSends(),
    cork: () => undefined,
    uncork: () => undefined,
  };

  /** Gives the bridge its session, opened on {@link downstream}. */
  attach(session: OpenedSession): void {
    this.session = session;
  }

  /**
   * Resolves when the session takes input again: while its upstream is not reading, new POSTs
   * wait here instead of piling up in memory (the socket path stops reading the socket).
   */
  admitted(): Promise<void> {
    if (!this.paused || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes the transport and the session; `reason` goes on the session's open rows. */
  close(reason: string): Promise<void> {
    this.reason ??= reason;
    this.closing ??= this.options.transport.close().then(() => {
      this.transportClosed();
      return this.sessionClosed;
    });
    return this.closing;
  }

  private fromClient(message: JSONRPCMessage): void {
    const session = this.session;
    if (session === undefined || this.closed) return;
    const raw = message as JsonRpcMessage;
    if (typeof raw.method === 'string' && raw.id !== undefined && raw.id !== null) {
      const token = (raw.params?._meta as { progressToken?: unknown } | undefined)?.progressToken;
      const known = typeof token === 'string' || typeof token === 'number' ? token : undefined;
      this.open.set(raw.id, known);
      if (known !== undefined) this.progress.set(known, raw.id);
    }
    session.push(Buffer.from(JSON.stringify(message) + '\n'));
  }

  private fromSession(text: string): void {
    const parsed = parseMessage(text, MAX_UPSTREAM_DEPTH);
    if (!parsed.ok) {
      this.options.note(`dropped a line a session wrote to its HTTP client: ${parsed.message}`);
      return;
    }
    const message = parsed.message;
    let related: RequestId | undefined;
    if (parsed.kind === 'response') {
      const id = message.id;
      if (id === null || id === undefined || !this.open.has(id)) return; // Its request's stream is gone; nobody waits.
      const token = this.open.get(id);
      this.open.delete(id);
      if (token !== undefined) this.progress.delete(token);
    } else {
      related = this.relatedRequest(message);
    }
    const sent = this.options.transport
      .send(message as JSONRPCMessage, related === undefined ? undefined : { relatedRequestId: related })
      // The client left that stream (or the session): what it would have read is dropped.
      .catch(() => undefined);
    this.sending.add(sent);
    void sent.finally(() => this.sending.delete(sent));
  }

  private relatedRequest(message: JsonRpcMessage): RequestId | undefined {
    if (message.method === 'notifications/progress') {
      const token = message.params?.progressToken;
      const request = typeof token === 'string' || typeof token === 'number' ? this.progress.get(token) : undefined;
      if (request !== undefined) return request;
    }
    if (this.standaloneStreams > 0) return undefined;
    let newest: RequestId | undefined;
    for (const id of this.open.keys()) newest = id;
    return newest;
  }

  private async endAfterSends(): Promise<void> {
    await Promise.all([...this.sending]);
    await this.close(this.reason ?? 'the session ended');
  }

  private transportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const admit of this.waiting.splice(0)) admit();
    const session = this.session;
    if (session !== undefined) {
      this.sessionClosed = session.close(this.reason ?? 'the HTTP client ended the session').catch((error: unknown) => {
        this.options.note(`closing an HTTP session failed: ${describeFailure(error)}`);
      });
    }
    try {
      this.options.onClosed();
    } catch (error) {
      this.options.note(`forgetting a closed HTTP session failed: ${describeFailure(error)}`);
    }
  }
}
