import { VERSION } from '../version.js';
import { ErrorCode, errorLine, idFromHead, parseMessage, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { LineSplitter } from '../jsonrpc/line-splitter.js';
import { AggregateLeg, type LegSession } from './aggregate-leg.js';
import { AggregateLists, type ListKind } from './aggregate-lists.js';
import { ClientOutput } from './client-output.js';
import { isEndOfInput } from './end-of-input.js';
import type { Downstream } from './server-session.js';

export interface AggregateOptions {
  id: string;
  clientName: string;
  downstream: Downstream;
  /** The enabled servers this client may reach, in a stable order. */
  servers(): string[];
  /** Opens the per-server pipeline for one server (a ServerSession) with the leg as its client. */
  openLeg(server: string, downstream: Downstream): LegSession;
  /** Last known lists, so listing starts nothing. */
  lists: AggregateLists;
  maxMessageBytes: number;
  note(text: string): void;
  now?: () => number;
}

/** Protocol versions Warden speaks to clients itself (the servers negotiate their own). */
const VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const LATEST = '2025-11-25';
/** After a server failed to start, how long requests for it are answered with that failure. */
const RETRY_AFTER_MS = 10_000;

const LIST_METHODS: Record<string, ListKind> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

/**
 * `warden stdio` without `--server`: one MCP session over every server the client may reach.
 * Tools and prompts are named `server__name` (see exposedName), resources keep their URIs and
 * every read goes to the server that listed it. Warden answers initialize and the lists
 * itself; a server starts on the first call that needs it (or to list it once, when nothing
 * is known of it), through its own per-server pipeline — the same policy, asks, pins, limits
 * and audit as per-server mode, with the real server and tool names. One server failing
 * leaves the others working.
 */
export class AggregateSession {
  private readonly splitter: LineSplitter;
  private readonly legs = new Map<string, AggregateLeg>();
  private readonly failures = new Map<string, { at: number; reason: string }>();
  private readonly now: () => number;
  private initialize: JsonRpcMessage | undefined;
  private clientInitialized = false;
  private logLevel: string | undefined;
  private counter = 0;
  private closed = false;
  private readonly output: ClientOutput;

  constructor(private readonly options: AggregateOptions) {
    this.now = options.now ?? Date.now;
    this.output = new ClientOutput(options.downstream);
    this.splitter = new LineSplitter(
      {
        onLine: (line, length) => (isEndOfInput(line, length) ? this.endOfInput() : this.safely(() => this.fromClient(line.toString('utf8', 0, length)))),
        onOversize: (head, bytes) =>
          this.send(errorLine(idFromHead(head), ErrorCode.InvalidRequest, `Invalid request: the message is ${bytes} bytes, over Warden's limit of ${options.maxMessageBytes} bytes; send less data per call or raise the limit`)),
      },
      options.maxMessageBytes,
    );
  }

  push(chunk: Buffer): void {
    if (!this.closed) this.splitter.push(chunk);
  }

  /** The client ended its input: replies still owed are delivered, then the connection ends. */
  endOfInput(): void {
    void Promise.all([...this.legs.values()].map((leg) => leg.ready)).then(() => {
      const waiting = (): boolean => [...this.legs.values()].some((leg) => leg.failed === undefined && leg.busy);
      const check = (): void => {
        if (this.closed) return;
        if (!waiting()) {
          this.options.downstream.end();
          void this.close('the client ended its input');
        } else setTimeout(check, 100).unref();
      };
      check();
    });
  }

  async close(reason = 'the client disconnected'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.legs.values()].map((leg) => leg.close(reason)));
    this.legs.clear();
  }

  /** Pids of the upstreams this session started, by server. */
  get upstreamPids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.legs].map(([server, leg]) => [server, leg.pid]));
  }

  /** Servers whose start failed, with the sentence. */
  get failedServers(): Record<string, string> {
    return Object.fromEntries([...this.failures].map(([server, failure]) => [server, failure.reason]));
  }

  private safely(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.options.note(`aggregated session of "${this.options.clientName}" failed on a message: ${error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown error'}`);
      this.send(errorLine(null, ErrorCode.InternalError, 'Warden failed while handling this message, so it was not forwarded; the details are in Warden\'s log'));
    }
  }

  private fromClient(text: string): void {
    const parsed = parseMessage(text);
    if (!parsed.ok) {
      if (parsed.notification) this.options.note(`dropped a message from client "${this.options.clientName}": ${parsed.message}`);
      else this.send(errorLine(parsed.id, parsed.code, parsed.message));
      return;
    }
    const message = parsed.message;
    if (parsed.kind === 'request') {
      this.request(message, message.id as JsonRpcId);
    } else if (parsed.kind === 'notification') {
      this.notification(message);
    } else if (typeof message.id === 'string') {
      // The client answering a server's request: the id says which leg handed it out.
      for (const leg of this.legs.values()) if (leg.answerServer(message.id, message)) return;
    }
  }

  private request(message: JsonRpcMessage, id: JsonRpcId): void {
    const method = message.method as string;
    const params = message.params ?? {};
    if (method === 'initialize') {
      this.initialize = message;
      const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : LATEST;
      this.result(id, {
        protocolVersion: VERSIONS.includes(asked) ? asked : LATEST,
        capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true, subscribe: true }, logging: {}, completions: {} },
        serverInfo: { name: 'mcp-warden', title: 'MCP Warden', version: VERSION },
        instructions: 'MCP Warden: the tools and prompts of every server it connects, named server__name.',
      });
      return;
    }
    if (method === 'ping') return this.result(id, {});
    const list = LIST_METHODS[method];
    if (list) {
      void this.options.lists
        .list(list, this.options.servers(), (server) => this.leg(server))
        .then((items) => this.result(id, { [list]: items }))
        .catch((error: unknown) => this.send(errorLine(id, ErrorCode.InternalError, `Warden could not list ${list}: ${(error as Error).message}`)));
      return;
    }
    if (method === 'logging/setLevel') {
      this.logLevel = typeof params.level === 'string' ? params.level : undefined;
      for (const leg of this.legs.values()) void leg.ask('logging/setLevel', params, 10_000);
      return this.result(id, {});
    }
    const routed = this.options.lists.route(method, params, this.options.servers());
    if ('refusal' in routed) {
      // An unknown name may be one a server lists now but did not when last listed.
      if (routed.retry) {
        void this.options.lists.refreshAll(this.options.servers(), (server) => this.leg(server)).then(() => {
          const again = this.options.lists.route(method, params, this.options.servers());
          if ('refusal' in again) this.send(errorLine(id, again.code, again.refusal));
          else this.forward(again.server, id, { ...message, params: again.params });
        });
        return;
      }
      this.send(errorLine(id, routed.code, routed.refusal));
      return;
    }
    this.forward(routed.server, id, { ...message, params: routed.params });
  }

  private forward(server: string, id: JsonRpcId, message: JsonRpcMessage): void {
    const leg = this.leg(server);
    if (typeof leg === 'string') {
      this.send(errorLine(id, ErrorCode.UpstreamUnavailable, leg));
      return;
    }
    leg.request(id, message);
  }

  private notification(message: JsonRpcMessage): void {
    const method = message.method as string;
    if (method === 'notifications/initialized') {
      this.clientInitialized = true;
      for (const leg of this.legs.values()) leg.notify(message);
      return;
    }
    if (method === 'notifications/cancelled') {
      const requestId = message.params?.requestId;
      if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
      for (const leg of this.legs.values()) if (leg.cancel(requestId, message.params?.reason)) return;
      return;
    }
    // roots/list_changed, progress and the rest concern every running server.
    for (const leg of this.legs.values()) leg.notify(message);
  }

  /** The running leg for a server, starting it when needed; a sentence when it cannot run. */
  private leg(server: string): AggregateLeg | string {
    const running = this.legs.get(server);
    if (running && running.failed === undefined) return running;
    if (running) {
      this.legs.delete(server);
      this.failures.set(server, { at: this.now(), reason: running.failed as string });
      void running.close('the server failed to start');
    }
    const failure = this.failures.get(server);
    if (failure && this.now() - failure.at < RETRY_AFTER_MS) return failure.reason;
    if (!this.initialize) return 'send initialize first';
    const leg = new AggregateLeg({
      server,
      open: (downstream) => this.options.openLeg(server, downstream),
      initialize: this.initialize,
      clientInitialized: () => this.clientInitialized,
      toClient: (message) => this.send(JSON.stringify(message) + '\n'),
      answer: (clientId, message) => this.send(JSON.stringify({ ...message, id: clientId }) + '\n'),
      clientWritable: () => !this.output.full,
      onClientDrain: (callback) => this.output.onDrain(callback),
      nextClientFacingId: () => `warden:${server}:${++this.counter}`,
      listChanged: (method) => {
        this.options.lists.forget(server);
        this.send(JSON.stringify({ jsonrpc: '2.0', method }) + '\n');
      },
      pauseClient: () => this.options.downstream.pause(),
      resumeClient: () => this.options.downstream.resume(),
      note: this.options.note,
      maxMessageBytes: this.options.maxMessageBytes,
    });
    this.legs.set(server, leg);
    this.failures.delete(server);
    void leg.ready.then((failed) => {
      if (failed !== undefined) {
        this.failures.set(server, { at: this.now(), reason: failed });
        this.options.note(failed);
        return;
      }
      if (this.logLevel) void leg.ask('logging/setLevel', { level: this.logLevel }, 10_000);
      // A started server may list something else than what was known of it.
      void this.options.lists.refresh(server, leg).then((changed) => {
        for (const method of changed) this.send(JSON.stringify({ jsonrpc: '2.0', method }) + '\n');
      });
    });
    return leg;
  }

  private result(id: JsonRpcId, result: Record<string, unknown>): void {
    this.send(JSON.stringify({ jsonrpc: '2.0', id, result }) + '\n');
  }

  private send(line: string): void {
    if (!this.closed) this.output.write(line);
  }
}
