import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { loadSdkClient, type SdkClient } from './sdk-client.js';
import { ErrorCode, errorLine, type JsonRpcId } from '../jsonrpc/json-rpc.js';
import { guarded } from '../errors/guarded.js';
import type { CappedLog } from './capped-log.js';
import type { Upstream, UpstreamHandlers } from './upstream.js';

export type RemoteTransportKind = 'http' | 'sse' | 'auto';

export interface RemoteLaunch {
  url: string;
  transport: RemoteTransportKind;
  /** Already resolved (secrets filled in); never logged. */
  headers: Record<string, string>;
}

export interface RemoteDeps {
  log: CappedLog;
  redact(text: string): string;
  handlers: UpstreamHandlers;
  authProvider?: OAuthClientProvider;
  fetch?: FetchLike;
  /** The sentence a call gets when the server wants a sign-in first and none can be waited for. */
  signInHint: string;
  /**
   * Waits (bounded) for the sign-in or step-up a request just started; rejects with the
   * sentence the request then fails with. Without it, such a request fails at once.
   */
  waitForSignIn?: () => Promise<void>;
  /** A request with no sign of life from the server for this long fails. */
  requestTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** A sign-in, then a step-up: the most a request waits for before it fails. */
const MAX_SIGN_IN_WAITS = 2;

/**
 * A remote MCP server over Streamable HTTP, or legacy HTTP+SSE, through the SDK's client
 * transports (which keep the session id and the server-to-client stream). `auto` tries
 * Streamable HTTP and falls back to SSE when the first POST is refused with 400/404/405, as
 * the MCP spec describes. Messages are sent in order; a request that gets no sign of life
 * within the timeout fails with a sentence; a lost connection ends the upstream, and the
 * session starts a new one (with back-off) and replays the handshake.
 */
export class RemoteUpstream implements Upstream {
  private transport: Transport | undefined;
  /** The SDK's client classes, loaded by the first open. */
  private sdk: SdkClient | undefined;
  private kind: 'http' | 'sse';
  private queue: Promise<void> = Promise.resolve();
  private exited = false;
  private stopping = false;
  private delivered = false;
  private readonly inFlight = new Map<JsonRpcId, NodeJS.Timeout>();

  constructor(
    readonly serverName: string,
    private readonly launch: RemoteLaunch,
    private readonly deps: RemoteDeps,
  ) {
    this.kind = launch.transport === 'sse' ? 'sse' : 'http';
    this.queue = this.open().catch((error: unknown) => this.fail(error));
    this.note(`connecting to ${this.describeUrl()} (${launch.transport})`);
  }

  get alive(): boolean {
    return !this.exited;
  }

  readonly pid = undefined;

  write(messages: ReadonlyArray<string | Buffer>): boolean {
    for (const wire of messages) {
      const message = JSON.parse(typeof wire === 'string' ? wire : wire.toString('utf8')) as JSONRPCMessage;
      this.queue = this.queue.then(() => this.send(message));
    }
    return true;
  }

  onDrain(callback: () => void): void {
    callback();
  }

  pauseOutput(): void {
    // HTTP responses arrive as whole messages; there is no stream to pause.
  }

  resumeOutput(): void {}

  note(text: string): void {
    this.deps.log.write(`[warden ${new Date().toISOString()}] ${this.deps.redact(text)}\n`);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    try {
      if (this.sdk && this.transport instanceof this.sdk.StreamableHTTPClientTransport) await this.transport.terminateSession().catch(() => undefined);
      await this.transport?.close();
    } finally {
      this.finish(`disconnected from upstream "${this.serverName}"`);
    }
  }

  private async open(): Promise<void> {
    const url = new URL(this.launch.url);
    const common = {
      requestInit: { headers: this.launch.headers },
      ...(this.deps.authProvider ? { authProvider: this.deps.authProvider } : {}),
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
    };
    const sdk = (this.sdk ??= await loadSdkClient());
    const transport: Transport = this.kind === 'http' ? new sdk.StreamableHTTPClientTransport(url, common) : new sdk.SSEClientTransport(url, common);
    const report = (text: string): void => this.note(text);
    transport.onmessage = guarded(report, 'delivering a message', (message: JSONRPCMessage) => this.deliver(message));
    transport.onerror = guarded(report, 'reporting a transport error', (error: Error) => this.note(`transport: ${error.message}`));
    transport.onclose = guarded(report, 'closing', () => this.finish(`the connection to upstream "${this.serverName}" closed`));
    this.transport = transport;
    await transport.start();
  }

  private async send(message: JSONRPCMessage): Promise<void> {
    if (this.exited || !this.transport) return;
    const id = 'id' in message && 'method' in message ? (message.id as JsonRpcId) : undefined;
    try {
      if (id !== undefined) this.track(id);
      await this.transport.send(message);
    } catch (error) {
      if (this.shouldFallBack(error)) {
        this.note(`the server refused Streamable HTTP (${(error as StreamableHTTPError).code}); trying the legacy SSE transport`);
        const old = this.transport;
        old.onclose = undefined;
        await old.close().catch(() => undefined);
        this.kind = 'sse';
        await this.open();
        await this.transport.send(message);
        return;
      }
      if (id === undefined) {
        this.note(`could not send a notification: ${(error as Error).message}`);
        return;
      }
      if (this.sdk && error instanceof this.sdk.UnauthorizedError) return this.afterSignIn(message, id);
      this.refuse(id, error);
    }
  }

  /**
   * A request that needed a sign-in (or a step-up) waits for it, then goes out once more; the
   * MCP client knows nothing of Warden's OAuth and must not have to retry. A sign-in followed by
   * a step-up is waited for twice, never more. Later messages stay queued behind it, in order.
   */
  private async afterSignIn(message: JSONRPCMessage, id: JsonRpcId): Promise<void> {
    for (let wait = 0; wait < MAX_SIGN_IN_WAITS && this.deps.waitForSignIn; wait++) {
      try {
        await this.deps.waitForSignIn();
      } catch (error) {
        // The reason may quote the authorization server: redacted and bounded like any upstream text.
        return this.answer(id, error instanceof Error ? this.deps.redact(error.message).slice(0, 400) : this.deps.signInHint);
      }
      if (this.exited || !this.transport) return;
      try {
        this.track(id);
        await this.transport.send(message);
        return;
      } catch (error) {
        if (!(this.sdk && error instanceof this.sdk.UnauthorizedError)) return this.refuse(id, error);
      }
    }
    this.answer(id, this.deps.signInHint);
  }

  /** A request the server refused gets the server's reason; anything else ends the upstream. */
  private refuse(id: JsonRpcId, error: unknown): void {
    const status = this.sdk && error instanceof this.sdk.StreamableHTTPError ? error.code : undefined;
    if (status !== undefined && status >= 400 && status < 500) {
      return this.answer(id, `upstream "${this.serverName}" refused the request (HTTP ${status}): ${this.deps.redact((error as Error).message).slice(0, 200)}`);
    }
    this.fail(error);
  }

  /** True for the first POST of `auto` refused in the way legacy SSE servers refuse it. */
  private shouldFallBack(error: unknown): boolean {
    return (
      this.launch.transport === 'auto' &&
      this.kind === 'http' &&
      !this.delivered &&
      this.sdk !== undefined &&
      error instanceof this.sdk.StreamableHTTPError &&
      [400, 404, 405].includes(error.code ?? 0)
    );
  }

  private deliver(message: JSONRPCMessage): void {
    this.delivered = true;
    // Any message is a sign of life: a slow call with progress is not timed out.
    for (const [key] of this.inFlight) this.track(key);
    if ('id' in message && !('method' in message)) {
      clearTimeout(this.inFlight.get(message.id as JsonRpcId));
      this.inFlight.delete(message.id as JsonRpcId);
    }
    const line = Buffer.from(JSON.stringify(message) + '\n');
    this.deps.handlers.onLine(line, line.length - 1);
  }

  private track(id: JsonRpcId): void {
    clearTimeout(this.inFlight.get(id));
    const timeout = this.deps.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(guarded((text) => this.note(text), 'timing out a request', () => {
      this.inFlight.delete(id);
      this.answer(id, `upstream "${this.serverName}" did not answer within ${Math.round(timeout / 1000)} s`);
    }), timeout);
    timer.unref();
    this.inFlight.set(id, timer);
  }

  /** Answers a request on the server's behalf (its own error), keeping the session going. */
  private answer(id: JsonRpcId, message: string): void {
    clearTimeout(this.inFlight.get(id));
    this.inFlight.delete(id);
    const line = Buffer.from(errorLine(id, ErrorCode.UpstreamUnavailable, message));
    this.deps.handlers.onLine(line, line.length - 1);
  }

  private fail(error: unknown): void {
    const cause = error instanceof Error ? error.message : String(error);
    this.finish(`could not reach upstream "${this.serverName}" at ${this.describeUrl()}: ${this.deps.redact(cause).slice(0, 200)}`);
  }

  private finish(reason: string): void {
    if (this.exited) return;
    this.exited = true;
    for (const timer of this.inFlight.values()) clearTimeout(timer);
    this.inFlight.clear();
    this.note(reason);
    this.deps.handlers.onExit(reason, this.stopping);
  }

  /** The URL without query or credentials, for logs and messages. */
  private describeUrl(): string {
    const url = new URL(this.launch.url);
    return `${url.origin}${url.pathname}`;
  }
}
