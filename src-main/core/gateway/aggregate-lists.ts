import { ErrorCode } from '../jsonrpc/json-rpc.js';
import { rebuildJson } from '../jsonrpc/json-walk.js';
import type { JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { NameMap } from './exposed-names.js';

export type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';
type Item = Record<string, unknown>;

const METHODS: Record<ListKind, string> = {
  tools: 'tools/list',
  prompts: 'prompts/list',
  resources: 'resources/list',
  resourceTemplates: 'resources/templates/list',
};
const CHANGED: Partial<Record<ListKind, string>> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
};
/** Most pages of one list a refresh follows. */
const MAX_PAGES = 20;
const LIST_TIMEOUT_MS = 15_000;

/** What lists are asked of: a started server (an aggregate leg). */
export interface ListSource {
  readonly ready: Promise<string | undefined>;
  ask(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<JsonRpcMessage | undefined>;
}

/** Where the last known lists live between sessions (redacted JSON per client and server). */
export interface ListStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

type Lists = Partial<Record<ListKind, Item[]>>;
/** One listed item with where it came from (see {@link AggregateLists.entries}). */
export interface ListEntry {
  server: string;
  name: string;
  /** The name the client sees (tools and prompts); undefined for resources and templates. */
  exposed: string | undefined;
  item: Item;
}
export type Routed = { server: string; params: Record<string, unknown> } | { refusal: string; code: number; retry: boolean };

/**
 * The lists of an aggregated session: what each server last listed (as its own per-server
 * pipeline filtered it: denied and held tools gone, hidden content stripped), kept between
 * sessions so listing starts no server that was listed before; the merged lists the client
 * sees, with tool and prompt names made `server__name`; and the way back from an exposed name
 * or a resource URI to the server that listed it.
 */
export class AggregateLists {
  private readonly lists = new Map<string, Lists>();
  private readonly tools = new NameMap();
  private readonly prompts = new NameMap();
  private readonly uriOwners = new Map<string, string>();
  private readonly templateOwners: Array<{ server: string; pattern: RegExp; template: string }> = [];

  constructor(
    private readonly client: string,
    private readonly store: ListStore,
    private readonly redact: (text: string) => string,
  ) {}

  /** The merged list of one kind over `servers`, starting only servers never listed. */
  async list(kind: ListKind, servers: readonly string[], sourceFor: (server: string) => ListSource | string): Promise<Item[]> {
    return (await this.entries(kind, servers, sourceFor)).map((entry) => (entry.exposed === undefined ? entry.item : { ...entry.item, name: entry.exposed }));
  }

  /**
   * The items of one kind over `servers`, each with its server, its real name and (tools and
   * prompts) the name the client sees; `item` is the stored object itself (unchanged while the
   * server's lists are), never to be modified. Starts only servers never listed.
   */
  async entries(kind: ListKind, servers: readonly string[], sourceFor: (server: string) => ListSource | string): Promise<ListEntry[]> {
    await Promise.all(
      servers.map(async (server) => {
        if (this.known(server)?.[kind] !== undefined) return;
        const source = sourceFor(server);
        if (typeof source === 'string') return;
        await this.refresh(server, source);
      }),
    );
    this.reindex(servers);
    const out: ListEntry[] = [];
    for (const server of servers) {
      for (const item of this.known(server)?.[kind] ?? []) {
        const name = String(item.name);
        if (kind === 'tools' || kind === 'prompts') {
          const map = kind === 'tools' ? this.tools : this.prompts;
          out.push({ server, name, exposed: map.add(server, name), item });
        } else {
          out.push({ server, name, exposed: undefined, item });
        }
      }
    }
    return out;
  }

  /**
   * Asks a started server for all its lists and keeps them; returns the list_changed
   * notifications owed to the client (lists that differ from what was known). Never rejects.
   */
  async refresh(server: string, source: ListSource): Promise<string[]> {
    if ((await source.ready) !== undefined) return [];
    const before = this.known(server) ?? {};
    const after: Lists = {};
    // A list the server does not offer (or did not give) counts as empty, so listing it again
    // does not start or ask the server each time.
    for (const kind of Object.keys(METHODS) as ListKind[]) after[kind] = (await this.fetch(source, kind)) ?? [];
    this.lists.set(server, after);
    this.store.set(this.key(server), JSON.stringify(this.redacted(after)));
    const changed: string[] = [];
    for (const kind of Object.keys(CHANGED) as ListKind[]) {
      if (before[kind] !== undefined && JSON.stringify(before[kind]) !== JSON.stringify(after[kind])) changed.push(CHANGED[kind] as string);
    }
    return changed;
  }

  /** Lists again every server in `servers` that `sourceFor` can start (an unknown name arrived). */
  async refreshAll(servers: readonly string[], sourceFor: (server: string) => ListSource | string): Promise<void> {
    await Promise.all(
      servers.map(async (server) => {
        const source = sourceFor(server);
        if (typeof source !== 'string') await this.refresh(server, source);
      }),
    );
    this.reindex(servers);
  }

  /** Drops what is known of a server (it said its lists changed). */
  forget(server: string): void {
    this.lists.set(server, {});
    this.tools.dropServer(server);
    this.prompts.dropServer(server);
  }

  /** Which server a request is for, with its params in that server's own names. */
  route(method: string, params: Record<string, unknown>, servers: readonly string[]): Routed {
    if (method === 'tools/call' || method === 'prompts/get') {
      const map = method === 'tools/call' ? this.tools : this.prompts;
      this.reindex(servers);
      const name = typeof params.name === 'string' ? params.name : '';
      const found = map.resolve(name, servers);
      if (!found) return { refusal: `Invalid params: no ${method === 'tools/call' ? 'tool' : 'prompt'} named "${name.slice(0, 80)}" in this session; list them again`, code: -32602, retry: true };
      return { server: found.server, params: { ...params, name: found.name } };
    }
    if (method === 'resources/read' || method === 'resources/subscribe' || method === 'resources/unsubscribe') {
      this.reindex(servers);
      const uri = typeof params.uri === 'string' ? params.uri : '';
      const server = this.ownerOf(uri);
      if (!server) return { refusal: `Invalid params: no server of this session listed resource "${this.redact(uri).slice(0, 120)}"`, code: -32602, retry: true };
      return { server, params };
    }
    if (method === 'completion/complete') {
      this.reindex(servers);
      const ref = (params.ref ?? {}) as { type?: unknown; name?: unknown; uri?: unknown };
      if (ref.type === 'ref/prompt' && typeof ref.name === 'string') {
        const found = this.prompts.resolve(ref.name, servers);
        if (found) return { server: found.server, params: { ...params, ref: { ...ref, name: found.name } } };
      }
      if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
        const owner = this.templateOwners.find((entry) => entry.template === ref.uri)?.server ?? this.ownerOf(ref.uri);
        if (owner) return { server: owner, params };
      }
      return { refusal: 'Invalid params: the completion refers to no prompt or resource template of this session', code: -32602, retry: true };
    }
    return { refusal: `Method not found: Warden's aggregated session cannot tell which server "${method.slice(0, 80)}" is for`, code: ErrorCode.MethodNotFound, retry: false };
  }

  private ownerOf(uri: string): string | undefined {
    return this.uriOwners.get(uri) ?? this.templateOwners.find((entry) => entry.pattern.test(uri))?.server;
  }

  private async fetch(source: ListSource, kind: ListKind): Promise<Item[] | undefined> {
    const items: Item[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await source.ask(METHODS[kind], cursor === undefined ? {} : { cursor }, LIST_TIMEOUT_MS);
      const result = answer?.result as Record<string, unknown> | undefined;
      if (!result) return page === 0 ? undefined : items;
      const got = result[kind];
      if (Array.isArray(got)) for (const item of got) if (typeof item === 'object' && item !== null && !Array.isArray(item)) items.push(item as Item);
      if (typeof result.nextCursor !== 'string') break;
      cursor = result.nextCursor;
    }
    return items;
  }

  private known(server: string): Lists | undefined {
    let lists = this.lists.get(server);
    if (lists === undefined) {
      const stored = this.store.get(this.key(server));
      if (stored !== undefined) {
        try {
          lists = JSON.parse(stored) as Lists;
          this.lists.set(server, lists);
        } catch {
          lists = undefined;
        }
      }
    }
    return lists;
  }

  /** Rebuilds the name and URI maps from what is known (first lister of a URI owns it). */
  private reindex(servers: readonly string[]): void {
    this.uriOwners.clear();
    this.templateOwners.length = 0;
    for (const server of servers) {
      const lists = this.known(server);
      for (const tool of lists?.tools ?? []) this.tools.add(server, String(tool.name));
      for (const prompt of lists?.prompts ?? []) this.prompts.add(server, String(prompt.name));
      for (const resource of lists?.resources ?? []) {
        if (typeof resource.uri === 'string' && !this.uriOwners.has(resource.uri)) this.uriOwners.set(resource.uri, server);
      }
      for (const template of lists?.resourceTemplates ?? []) {
        if (typeof template.uriTemplate === 'string') this.templateOwners.push({ server, template: template.uriTemplate, pattern: templatePattern(template.uriTemplate) });
      }
    }
  }

  private key(server: string): string {
    return `lists:${this.client}:${server}`;
  }

  /** What is stored: every string redacted (a description may hold a secret). */
  private redacted(value: unknown): unknown {
    return rebuildJson(value, { string: this.redact, key: this.redact });
  }
}

/** A URI template (RFC 6570, simple expressions) as a pattern: each `{…}` matches one or more characters. */
function templatePattern(template: string): RegExp {
  const parts = template.slice(0, 2048).split(/\{[^}]*\}/);
  return new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`, 's');
}
