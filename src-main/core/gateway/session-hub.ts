import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Approvals } from '../approvals/approvals.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ServerStore } from '../db/server-store.js';
import { guarded } from '../errors/guarded.js';
import type { FlowGuard } from '../flow/flow-guard.js';
import { processGroup, sessionGroup } from '../flow/flow-group.js';
import { serverLogPath } from '../paths.js';
import type { Policy } from '../policy/policy.js';
import type { ToolPins } from '../policy/tool-pins.js';
import type { UpstreamStarter } from '../upstream/upstream-starter.js';
import { AggregateLists, type ListStore } from './aggregate-lists.js';
import { AggregateSession } from './aggregate-session.js';
import { ToolsModes } from './tools-modes.js';
import type { AggregatedSessionInfo, ToolsMode } from '../../../src-shared/session-api.js';
import { ServerSession, type Downstream } from './server-session.js';

export interface SessionHubDeps {
  dataDir: string;
  audit: AuditLog;
  policy: Policy;
  approvals: Approvals;
  pins: ToolPins;
  servers: ServerStore;
  upstreams: UpstreamStarter;
  lists: ListStore;
  flow: FlowGuard;
  maxMessageBytes(): number;
  isRevoked(client: string): boolean;
  redact(text: string): string;
  note(text: string): void;
  now: () => number;
  /** Setting upstreamIdleStopSeconds, in ms (0: off); read whenever a leg goes idle. */
  idleStopMs?(): number;
}

type Session = ServerSession | AggregateSession;

/** A session opened on a downstream of the caller's own (the HTTP front door), not a socket. */
export interface OpenedSession {
  /** Newline-framed JSON-RPC from the client, as a socket would deliver it. */
  push(chunk: Buffer): void;
  /** Ends the session (its upstreams, its open rows); later calls do nothing. */
  close(reason?: string): Promise<void>;
}

/** A client connection's socket as the session's downstream. */
export function socketDownstream(socket: Socket): Downstream {
  return {
    write: (data) => socket.write(data),
    onDrain: (callback) => socket.once('drain', callback),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    end: () => socket.end(),
    cork: () => socket.cork(),
    uncork: () => socket.uncork(),
  };
}

/**
 * Every client session of the core: per-server sessions (`--server NAME`) and aggregated ones
 * (no server named). It makes them, feeds them their socket's bytes, and ends them when their
 * socket closes, their server is removed, or the core stops.
 */
export class SessionHub {
  private readonly sessions = new Map<Session, { server: string | undefined; end(): void }>();
  /** Each client's tools mode (all, or search), kept beside the known lists. */
  readonly toolsModes: ToolsModes;

  constructor(private readonly deps: SessionHubDeps) {
    this.toolsModes = new ToolsModes(deps.lists);
  }

  /**
   * Serves one accepted client connection; `rest` is what came after the hello, `parentPid`
   * the hello's (unchecked) parent pid, which groups per-server connections for the flow guard.
   */
  attach(client: string, server: string | undefined, socket: Socket, rest: Buffer, parentPid?: unknown): void {
    const downstream = socketDownstream(socket);
    const id = randomUUID();
    const group = server === undefined ? sessionGroup(client, id) : processGroup(client, parentPid);
    const leave = this.deps.flow.join(group);
    const session: Session = server === undefined ? this.aggregate(id, group.id, client, downstream) : this.perServer(id, group.id, client, server, downstream);
    const label = server === undefined ? `the aggregated session of "${client}"` : `a session of "${server}"`;
    this.sessions.set(session, { server, end: () => socket.end() });
    socket.on('data', guarded(this.deps.note, label, (chunk: Buffer) => session.push(chunk)));
    // The peer closed (a shim ends its input with END_OF_INPUT instead): the client is gone.
    socket.on('end', guarded(this.deps.note, label, () => socket.end()));
    socket.on('close', guarded(this.deps.note, `closing ${label}`, () => {
      this.sessions.delete(session);
      leave();
      return session.close();
    }));
    if (rest.length > 0) session.push(rest);
  }

  /**
   * Opens a session on any transport: `downstream` receives the session's lines, the caller
   * pushes the client's. `id` goes on every audit row of the session (the HTTP front door uses
   * `http-<uuid>`, so rows say how the call came). It counts, and ends with its server or the
   * core, as a socket's session does; the caller closes it when its transport goes away.
   */
  open(client: string, server: string | undefined, downstream: Downstream, id: string): OpenedSession {
    // One MCP session over HTTP is one conversation for the flow guard, in either mode.
    const group = sessionGroup(client, id);
    const leave = this.deps.flow.join(group);
    const session: Session = server === undefined ? this.aggregate(id, group.id, client, downstream) : this.perServer(id, group.id, client, server, downstream);
    this.sessions.set(session, { server, end: () => downstream.end() });
    return {
      push: (chunk) => session.push(chunk),
      close: (reason) => {
        this.sessions.delete(session);
        leave();
        return session.close(reason);
      },
    };
  }

  /** Sessions per server name (aggregated sessions count under every server they started). */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [session, { server }] of this.sessions) {
      const names = server !== undefined ? [server] : Object.keys((session as AggregateSession).upstreamPids);
      for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }

  /** Ends the per-server sessions of a removed or disabled server. */
  closeServer(name: string, reason: string): void {
    for (const [session, entry] of this.sessions) {
      if (entry.server !== name) continue;
      entry.end();
      session.close(reason).catch((error: unknown) => this.deps.note(`closing a session failed: ${(error as Error).message}`));
    }
  }

  /** The running aggregated sessions, each with the state of the servers it reached. */
  aggregated(): AggregatedSessionInfo[] {
    return [...this.sessions.keys()].flatMap((session) => (session instanceof AggregateSession ? [session.status()] : []));
  }

  /** Stores a client's tools mode; its running aggregated sessions switch at once. */
  setToolsMode(client: string, mode: ToolsMode): void {
    this.toolsModes.set(client, mode);
    for (const session of this.sessions.keys()) if (session instanceof AggregateSession && session.clientName === client) session.setToolsMode(mode);
  }

  async closeAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((session) => session.close(reason)));
    this.sessions.clear();
  }

  private perServer(id: string, flowGroup: string, client: string, server: string, downstream: Downstream): ServerSession {
    const deps = this.deps;
    return new ServerSession({
      id,
      clientName: client,
      serverName: server,
      audit: deps.audit,
      redact: deps.redact,
      maxMessageBytes: deps.maxMessageBytes(),
      policy: deps.policy,
      approvals: deps.approvals,
      pins: deps.pins,
      flowGuard: deps.flow,
      group: flowGroup,
      note: deps.note,
      now: deps.now,
      serverLogPath: serverLogPath(deps.dataDir, server),
      isRevoked: () => deps.isRevoked(client),
      downstream,
      startUpstream: (handlers) => deps.upstreams.start(server, handlers),
    });
  }

  private aggregate(id: string, flowGroup: string, client: string, downstream: Downstream): AggregateSession {
    const deps = this.deps;
    return new AggregateSession({
      id,
      clientName: client,
      downstream,
      servers: () => deps.servers.list().filter((server) => server.enabled).map((server) => server.name),
      // Every leg's rows carry the aggregated session's id: one conversation, one session.
      openLeg: (server, legDownstream) => this.perServer(id, flowGroup, client, server, legDownstream),
      lists: new AggregateLists(client, deps.lists, deps.redact),
      maxMessageBytes: deps.maxMessageBytes(),
      note: deps.note,
      now: deps.now,
      toolsMode: this.toolsModes.get(client),
      denied: (server, tool) => deps.policy.rules.decide({ client, server, kind: 'tool', target: tool }, deps.policy.defaultActionOf(server)).action === 'deny',
      idleStopMs: () => deps.idleStopMs?.() ?? 0,
      logPathOf: (server) => serverLogPath(deps.dataDir, server),
    });
  }
}
