import { createHash } from 'node:crypto';

/** What clients accept as a tool or prompt name (Claude, Cursor, OpenAI: 64 of these). */
const ACCEPTED = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_NAME = 64;
const HASH_CHARS = 8;

/**
 * The name an aggregated session shows for `name` of `server`: `server__name` when that is at
 * most 64 characters of `[A-Za-z0-9_-]`; otherwise a stable short form: every other character
 * becomes `_`, the text is cut to 55 characters, and `_` plus 8 hex digits of the SHA-256 of
 * server and name is appended. The same inputs always give the same name, so a name a model
 * remembers from an earlier session still works; two different inputs that shorten alike
 * still differ in the hash.
 */
export function exposedName(server: string, name: string): string {
  const plain = `${server}__${name}`;
  if (ACCEPTED.test(plain)) return plain;
  const hash = createHash('sha256').update(`${server}\u0000${name}`).digest('hex').slice(0, HASH_CHARS);
  const cleaned = plain.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_NAME - HASH_CHARS - 1);
  return `${cleaned}_${hash}`;
}

/** Both ways between exposed names and (server, name), for one kind of item (tools or prompts). */
export class NameMap {
  private readonly byExposed = new Map<string, { server: string; name: string }>();

  /** Records an item a server listed; returns the name the client sees. */
  add(server: string, name: string): string {
    const exposed = exposedName(server, name);
    this.byExposed.set(exposed, { server, name });
    return exposed;
  }

  /** Forgets every name of `server` (its list changed or it failed). */
  dropServer(server: string): void {
    for (const [exposed, entry] of this.byExposed) if (entry.server === server) this.byExposed.delete(exposed);
  }

  /**
   * The server and real name behind an exposed name. A plain `server__name` of a known server
   * resolves even before that server was listed (a name remembered from another session);
   * shortened names resolve only once listed.
   */
  resolve(exposed: string, servers: readonly string[]): { server: string; name: string } | undefined {
    const known = this.byExposed.get(exposed);
    if (known) return known;
    // The longest server name that prefixes it wins, so "a__b" and "a" cannot both claim "a__b__t".
    let best: { server: string; name: string } | undefined;
    for (const server of servers) {
      const prefix = `${server}__`;
      if (exposed.startsWith(prefix) && exposed.length > prefix.length && (!best || server.length > best.server.length)) {
        best = { server, name: exposed.slice(prefix.length) };
      }
    }
    return best && exposedName(best.server, best.name) === exposed ? best : undefined;
  }
}
