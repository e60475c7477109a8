import type { ClientApp } from './client-apps.js';

/** A client config entry, as parsed. */
export type Entry = Record<string, unknown>;

/** How a client launches the shim: the composition root knows (node + script, or the app binary). */
export interface ShimLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** How an entry reaches Warden: by launching the shim, or by URL to the local HTTP endpoint. */
export type EntryTransport = 'stdio' | 'http';

/** What a Warden entry is: its transport, its server (undefined: the aggregated session), its key. */
export interface WardenEntryInfo {
  transport: EntryTransport;
  server: string | undefined;
  key: string;
}

const KEY_SHAPE = /^wk_[A-Za-z0-9_-]{1,100}$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The entry that launches the shim for `server`, or the aggregated session when undefined. */
export function shimEntry(app: ClientApp, shim: ShimLaunch, key: string, server: string | undefined): Entry {
  return {
    ...(app.typed ? { type: 'stdio' } : {}),
    command: shim.command,
    args: [...shim.args, ...(server === undefined ? [] : ['--server', server])],
    env: { ...shim.env, WARDEN_CLIENT_KEY: key },
  };
}

/**
 * The client's own URL entry for Warden's HTTP endpoint, the client key as a bearer token.
 * Only for clients that accept URL entries (`app.http`).
 */
export function httpEntry(app: ClientApp, url: string, key: string): Entry {
  return { ...(app.http === 'typed' ? { type: 'http' } : {}), url, headers: { Authorization: `Bearer ${key}` } };
}

/**
 * What Warden entry this is, or undefined when it is not one: a shim launch with a
 * `WARDEN_CLIENT_KEY` (with `--server NAME`, or none for the aggregated session), or a URL on
 * this computer under `/mcp` with a `Bearer wk_…` header.
 */
export function wardenEntryOf(entry: unknown): WardenEntryInfo | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const { args, env, url, headers } = entry as Entry;
  const envKey = (env as Record<string, unknown> | undefined)?.WARDEN_CLIENT_KEY;
  if (Array.isArray(args) && typeof envKey === 'string' && KEY_SHAPE.test(envKey)) {
    const at = args.indexOf('--server');
    const server = at === -1 ? undefined : args[at + 1];
    if (server !== undefined && typeof server !== 'string') return undefined;
    return { transport: 'stdio', server, key: envKey };
  }
  if (typeof url !== 'string' || typeof headers !== 'object' || headers === null) return undefined;
  const auth = Object.entries(headers as Record<string, unknown>).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  const key = typeof auth === 'string' ? /^Bearer (\S+)$/.exec(auth)?.[1] : undefined;
  if (key === undefined || !KEY_SHAPE.test(key)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' || !LOOPBACK.has(parsed.hostname)) return undefined;
  const path = /^\/mcp(?:\/([^/]+))?\/?$/.exec(parsed.pathname);
  if (!path) return undefined;
  let server: string | undefined;
  try {
    server = path[1] === undefined ? undefined : decodeURIComponent(path[1]);
  } catch {
    return undefined;
  }
  return { transport: 'http', server, key };
}

/** True when the entry reaches Warden for `server` (undefined: the aggregated session), by either transport. */
export function reachesWarden(entry: unknown, server: string | undefined): boolean {
  const info = wardenEntryOf(entry);
  return info !== undefined && info.server === server;
}

/** An entry fit to print: env and header values hidden, the client key shortened. */
export function masked(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  const copy = { ...(entry as Entry) };
  const short = (key: string): string => `${key.slice(0, 11)}…`;
  if (copy.env && typeof copy.env === 'object') {
    copy.env = Object.fromEntries(
      Object.entries(copy.env as Record<string, unknown>).map(([k, v]) => [k, k === 'WARDEN_CLIENT_KEY' ? short(String(v)) : '«hidden»']),
    );
  }
  if (copy.headers && typeof copy.headers === 'object') {
    copy.headers = Object.fromEntries(
      Object.entries(copy.headers as Record<string, unknown>).map(([k, v]) => {
        const bearer = typeof v === 'string' ? /^Bearer (wk_\S+)$/.exec(v)?.[1] : undefined;
        return [k, bearer ? `Bearer ${short(bearer)}` : '«hidden»'];
      }),
    );
  }
  return copy;
}
