import { SERVER_NAME } from '../../../src-shared/names.js';
import type { ServerRow, ServerStore } from '../db/server-store.js';
import { InvalidInputError } from '../errors/warden-error.js';
import { wardenEntryOf, type Entry } from './entry-shapes.js';

/** Why an entry cannot be imported, or undefined when it can. */
export function unimportable(raw: unknown, name: string, linked: ReadonlySet<string>): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'the entry is not an object';
  const entry = raw as Entry;
  if (wardenEntryOf(entry) !== undefined) return 'it already goes through Warden';
  if (linked.has(name)) return 'it was imported before';
  if (typeof entry.command !== 'string' || entry.command === '') {
    if (typeof entry.url !== 'string') return 'the entry has neither a command nor a url';
    if (!/^https?:\/\//.test(entry.url)) return 'its url is not http(s)';
    if (entry.headers !== undefined && !isPlainObject(entry.headers)) return 'its headers are not an object';
    return undefined;
  }
  if (entry.args !== undefined && (!Array.isArray(entry.args) || entry.args.some((a) => typeof a !== 'string'))) return 'its args are not a list of strings';
  if (entry.env !== undefined && !isPlainObject(entry.env)) return 'its env is not an object';
  return undefined;
}

/** A valid server name close to the entry's name, suffixed -2, -3… when taken. */
export function freeServerName(entry: string, servers: ServerStore): string {
  const base =
    entry
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 60) || 'server';
  let name = base;
  for (let n = 2; servers.get(name); n++) name = `${base}-${n}`;
  if (!SERVER_NAME.test(name)) throw new InvalidInputError(`cannot make a server name from "${entry}"`);
  return name;
}

/** The field of an entry that carries its values: env for a local server, headers for a remote one. */
export function valueField(entry: Entry): 'env' | 'headers' {
  return typeof entry.command === 'string' ? 'env' : 'headers';
}

/**
 * True when `entry` starts the same server as `reference` (the imported original) or as the
 * server's definition: same command and args, or same URL. Values may differ.
 */
export function sameLaunch(entry: Entry, reference: Entry, server: ServerRow): boolean {
  const launch = (e: { command?: unknown; args?: unknown; url?: unknown }): string =>
    typeof e.command === 'string' ? JSON.stringify([e.command, Array.isArray(e.args) ? e.args.map(String) : []]) : JSON.stringify([e.url]);
  const mine = launch(entry);
  const defined = server.kind === 'stdio' ? launch(server.config) : launch({ url: server.config.url });
  return mine === launch(reference) || mine === defined;
}

/** The server's value templates (env or headers) when they belong to the same field. */
export function serverValues(server: ServerRow, field: 'env' | 'headers'): Record<string, string> | undefined {
  if (server.kind === 'stdio') return field === 'env' ? server.config.env : undefined;
  return field === 'headers' ? server.config.headers : undefined;
}

/** The server with its env (or headers) replaced. */
export function withValues(server: ServerRow, values: Record<string, string>): ServerRow {
  return server.kind === 'stdio' ? { ...server, config: { ...server.config, env: values } } : { ...server, config: { ...server.config, headers: values } };
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
