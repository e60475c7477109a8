import { VERSION } from '../version.js';
import { ErrorCode, errorLine, idFromHead, parseMessage, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { LineSplitter } from '../jsonrpc/line-splitter.js';
import { AggregateLeg, type LegSession } from './aggregate-leg.js';
import type { AggregatedSessionInfo, ToolsMode } from '../../../src-shared/session-api.js';
import { AggregateLists, type ListKind } from './aggregate-lists.js';
import { ClientOutput } from './client-output.js';
import { CALL_TOOL, FIND_TOOL, SearchMode, textResult } from './discovery-tools.js';
import { isEndOfInput } from './end-of-input.js';
import { IdleStopper } from './idle-stopper.js';
import { LegStates } from './leg-states.js';
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
  /** How tools are shown when the session starts (see {@link AggregateSession.setToolsMode}). */
  toolsMode: ToolsMode;
  /** Whether the client's rules deny a tool now: such a tool is neither listed nor found. */
  denied(server: string, tool: string): boolean;
  /** The idle time after which a leg's upstream is stopped; 0 for never. Read at each call's end. */
  idleStopMs(): number;
  /** Where a server's log is, for the status of a failing leg. */
  logPathOf(server: string): string;
}

/** Protocol versions Warden speaks to clients itself (the servers negotiate their own). */
const VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const LATEST = '2025-11-25';

const LIST_METHODS: Record<string, ListKind> = {
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
 * leaves the others working (see {@link status}); an idle one is stopped when the setting says.
 *
 * In search mode the client sees only Warden's find and call tools (discovery-tools.ts), plus
 * the tools it found; a call through the call tool goes through the same routing and leg as a
 * direct `server__tool` call, so it is judged, limited and logged as the real tool.
 */
export class AggregateSession {
  private readonly splitter: LineSplitter;
  private readonly legs = new Map<string, AggregateLeg>();
  private readonly states: LegStates<AggregateLeg>;
  /** Resource URIs the client subscribed to, by server: those servers are never idle-stopped. */
  private readonly subscriptions = new Map<string, Set<string>>();
  private readonly search = new SearchMode();
  private readonly idle: IdleStopper;
  private toolsMode: ToolsMode;
  private readonly startedAt: number;
  private readonly now: () => number;
  private initialize: JsonRpcMessage | undefined;
  private clientInitialized = false;
  private logLevel: string | undefined;
  private counter = 0;
  private closed = false;
  private readonly output: ClientOutput;

  constructor(private readonly options: AggregateOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.states = new LegStates(this.now, options.logPathOf);
    this.toolsMode = options.toolsMode;
    this.output = new ClientOutput(options.downstream);
    this.idle = new IdleStopper({
      idleMs: options.idleStopMs,
      current: (server) => this.legs.get(server),
      pinned: (server) => (this.subscriptions.get(server)?.size ?? 0) > 0,
      stop: (server, idleMs) => this.stopIdle(server, idleMs),
      note: options.note,
    });
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
    this.idle.close();
    await Promise.all([...this.legs.values()].map((leg) => leg.close(reason)));
    this.legs.clear();
  }

  get clientName(): string {
    return this.options.clientName;
  }

  /** Pids of the upstreams this session started, by server. */
  get upstreamPids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.legs].map(([server, leg]) => [server, leg.pid]));
  }

  /** What each server this session reached is doing, for `warden status` and the window. */
  status(): AggregatedSessionInfo {
    return { id: this.options.id, client: this.options.clientName, tools: this.toolsMode, startedAt: this.startedAt, legs: this.states.status(this.legs) };
  }

  /** The client's tools mode changed: the session switches and tells the client its list changed. */
  setToolsMode(mode: ToolsMode): void {
    if (mode === this.toolsMode || this.closed) return;
    this.toolsMode = mode;
    if (this.initialize) this.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }) + '\n');
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

  private request(original: JsonRpcMessage, id: JsonRpcId): void {
    let message = original;
    const method = message.method as string;
    let params = message.params ?? {};
    if (method === 'initialize') {
      this.initialize = message;
      const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : LATEST;
      this.result(id, {
        protocolVersion: VERSIONS.includes(asked) ? asked : LATEST,
        capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true, subscribe: true }, logging: {}, completions: {} },
        serverInfo: { name: 'mcp-warden', title: 'MCP Warden', version: VERSION },
        instructions:
          this.toolsMode === 'search'
            ? `MCP Warden: find the tools of the servers it connects with ${FIND_TOOL} (a few words on what the tool should do), then call them by name or through ${CALL_TOOL}.`
            : 'MCP Warden: the tools and prompts of every server it connects, named server__name.',
      });
      return;
    }
    if (method === 'ping') return this.result(id, {});
    if (method === 'tools/list') return this.listTools(id);
    if (method === 'tools/call' && (params.name === FIND_TOOL || params.name === CALL_TOOL) && this.toolsMode === 'all') {
      // A name remembered from search mode: answered here, so it does not start every server to look for it.
      return this.result(id, textResult(`${String(params.name)} is not offered: this client now sees every tool by its own name; list the tools again`, true));
    }
    if (method === 'tools/call' && this.toolsMode === 'search') {
      if (params.name === FIND_TOOL) return this.find(id, params.arguments);
      if (params.name === CALL_TOOL) {
        const unwrapped = this.search.unwrapCall(params);
        if ('refusal' in unwrapped) return this.result(id, textResult(unwrapped.refusal, true));
        params = unwrapped.params;
        message = { ...message, params };
      }
    }
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
    this.idle.cancel(server);
    this.track(server, message);
    leg.request(id, message);
  }

  /** Keeps the subscriptions a server holds for the client (so it is not stopped while idle). */
  private track(server: string, message: JsonRpcMessage): void {
    const uri = message.params?.uri;
    if (typeof uri !== 'string') return;
    if (message.method === 'resources/subscribe') {
      const set = this.subscriptions.get(server) ?? new Set<string>();
      set.add(uri);
      this.subscriptions.set(server, set);
    } else if (message.method === 'resources/unsubscribe') {
      this.subscriptions.get(server)?.delete(uri);
    }
  }

  /** tools/list: every tool the client's rules let it reach, or in search mode the discovery tools and those found. */
  private listTools(id: JsonRpcId): void {
    void this.visibleTools()
      .then((entries) => this.result(id, { tools: this.toolsMode === 'search' ? this.search.list(entries) : entries.map((entry) => ({ ...entry.item, name: entry.exposed })) }))
      .catch((error: unknown) => this.send(errorLine(id, ErrorCode.InternalError, `Warden could not list tools: ${(error as Error).message}`)));
  }

  /** The find tool: searched over the known lists, starting only servers never listed. */
  private find(id: JsonRpcId, args: unknown): void {
    void this.visibleTools()
      .then((entries) => {
        const { result, added } = this.search.find(args, entries);
        this.result(id, result);
        if (added) this.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }) + '\n');
      })
      .catch((error: unknown) => this.send(errorLine(id, ErrorCode.InternalError, `Warden could not search the tools: ${(error as Error).message}`)));
  }

  private async visibleTools(): ReturnType<AggregateLists['entries']> {
    const entries = await this.options.lists.entries('tools', this.options.servers(), (server) => this.leg(server));
    return entries.filter((entry) => !this.options.denied(entry.server, entry.name));
  }

  /** An idle leg's upstream is stopped; its lists stay known, and the next call starts it again. */
  private stopIdle(server: string, idleMs: number): void {
    const leg = this.legs.get(server);
    if (!leg || this.closed) return;
    this.legs.delete(server);
    this.states.stoppedIdle(server, leg);
    const why = `idle for ${Math.round(idleMs / 1000)} s (setting upstreamIdleStopSeconds)`;
    this.options.note(`stopped server "${server}" of the aggregated session of "${this.options.clientName}": ${why}`);
    void leg.close(why);
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
      this.states.failed(server, running.failed as string);
      void running.close('the server failed to start');
    }
    const refusal = this.states.refusal(server);
    if (refusal !== undefined) return refusal;
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
      settled: () => this.idle.settled(server),
    });
    this.legs.set(server, leg);
    this.states.starting(server);
    void leg.ready.then((failed) => {
      if (failed !== undefined) {
        this.states.failed(server, failed);
        this.options.note(failed);
        return;
      }
      this.states.started(server, leg);
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
