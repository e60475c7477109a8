import type { JsonRpcId } from '../jsonrpc/json-rpc.js';
import type { Pending } from './session-audit.js';

/**
 * The requests of a session that wait for an answer, by id. Ids are kept typed: 1 and "1" are
 * different requests.
 */
export class PendingCalls {
  private readonly byKey = new Map<string, Pending>();

  get size(): number {
    return this.byKey.size;
  }

  has(id: JsonRpcId): boolean {
    return this.byKey.has(idKey(id));
  }

  get(id: JsonRpcId): Pending | undefined {
    return this.byKey.get(idKey(id));
  }

  /** Whether `entry` is still the one waiting under `id` (not answered, cancelled or replaced). */
  holds(id: JsonRpcId, entry: Pending): boolean {
    return this.byKey.get(idKey(id)) === entry;
  }

  set(id: JsonRpcId, entry: Pending): void {
    this.byKey.set(idKey(id), entry);
  }

  delete(id: JsonRpcId): void {
    this.byKey.delete(idKey(id));
  }

  /** Takes every waiting request out, with its id. */
  drain(): Array<[JsonRpcId, Pending]> {
    const all: Array<[JsonRpcId, Pending]> = [];
    for (const [key, entry] of this.byKey) all.push([parseIdKey(key), entry]);
    this.byKey.clear();
    return all;
  }
}

function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

function parseIdKey(key: string): JsonRpcId {
  return key.startsWith('n') ? Number(key.slice(1)) : key.slice(1);
}

/** An error's class and message for the core's log (callers redact what may hold secrets). */
export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown error';
}
