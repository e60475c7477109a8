import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeFailure } from '../errors/guarded.js';

/** One MCP session of the HTTP endpoint, as the registry sees it. */
export interface HttpSessionEntry {
  /** The Mcp-Session-Id the client sends (its audit rows carry `http-<id>`). */
  readonly id: string;
  readonly client: string;
  /** The server of `/mcp/<server>`; undefined for the aggregated `/mcp`. */
  readonly server: string | undefined;
  /** Closes the transport and the Warden session behind it. */
  close(reason: string): Promise<void>;
  /** Hands one checked request (its body already parsed, for a POST) to the session's transport. */
  serve(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
}

export interface HttpSessionsOptions {
  now(): number;
  /** A session with no request in flight and no stream open for this long is closed. */
  idleMs: number;
  /** Sessions one client key may hold at once. */
  maxPerKey(): number;
  /** Whether a client's key was revoked (its sessions are closed at the next sweep). */
  isRevoked(client: string): boolean;
  note(text: string): void;
}

interface Tracked {
  entry: HttpSessionEntry;
  /** Requests in flight and streams open now. */
  active: number;
  lastSeen: number;
}

/**
 * The HTTP endpoint's live MCP sessions and their limits: at most `maxPerKey()` per client
 * key (counting sessions still initializing), and none left idle past `idleMs` or held by a
 * revoked key once {@link sweep} runs. A session is found only by its id together with the
 * client and path that made it, so another client's key cannot use or probe it.
 */
export class HttpSessions {
  private readonly sessions = new Map<string, Tracked>();

  constructor(private readonly options: HttpSessionsOptions) {}

  /** The sentence of a refusal when `client` may not open another session, else undefined. */
  capRefusal(client: string): string | undefined {
    const max = this.options.maxPerKey();
    let held = 0;
    for (const { entry } of this.sessions.values()) if (entry.client === client) held++;
    if (held < max) return undefined;
    return `client "${client}" already holds ${held} MCP sessions on this endpoint, the limit (setting maxHttpSessionsPerKey = ${max}); end one (HTTP DELETE, or quit the client that holds it) or raise the limit with: warden settings set maxHttpSessionsPerKey N`;
  }

  add(entry: HttpSessionEntry): void {
    this.sessions.set(entry.id, { entry, active: 0, lastSeen: this.options.now() });
  }

  /** The session `id` when it was opened by `client` on the same path, else undefined. */
  find(id: string, client: string, server: string | undefined): HttpSessionEntry | undefined {
    const tracked = this.sessions.get(id);
    if (tracked === undefined || tracked.entry.client !== client || tracked.entry.server !== server) return undefined;
    return tracked.entry;
  }

  /** Marks a request (or stream) of the session as started; the returned function ends it. */
  begin(id: string): () => void {
    const tracked = this.sessions.get(id);
    if (tracked === undefined) return () => undefined;
    tracked.active++;
    tracked.lastSeen = this.options.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      tracked.active--;
      tracked.lastSeen = this.options.now();
    };
  }

  remove(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Closes the sessions of revoked keys, and those idle past the limit; returns how many. */
  sweep(): number {
    const now = this.options.now();
    let closed = 0;
    for (const [id, tracked] of this.sessions) {
      const revoked = this.options.isRevoked(tracked.entry.client);
      const idle = tracked.active === 0 && now - tracked.lastSeen >= this.options.idleMs;
      if (!revoked && !idle) continue;
      this.sessions.delete(id);
      closed++;
      const reason = revoked ? 'the client key was revoked' : `the HTTP session was idle for ${Math.round(this.options.idleMs / 60_000)} min`;
      tracked.entry.close(reason).catch((error: unknown) => this.options.note(`closing an HTTP session failed: ${describeFailure(error)}`));
    }
    return closed;
  }

  /** Closes every session (the core is stopping). */
  async closeAll(reason: string): Promise<void> {
    const entries = [...this.sessions.values()].map(({ entry }) => entry);
    this.sessions.clear();
    await Promise.all(entries.map((entry) => entry.close(reason).catch((error: unknown) => this.options.note(`closing an HTTP session failed: ${describeFailure(error)}`))));
  }
}
