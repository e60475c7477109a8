import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientRow, ClientStore } from '../db/client-store.js';
import { ConflictError, NotFoundError } from '../errors/warden-error.js';

const KEY_PATTERN = /^wk_[A-Za-z0-9_-]{43}$/;
const PREFIX_LENGTH = 'wk_'.length + 8;

export type KeyCheck = { ok: true; client: string } | { ok: false; reason: string };

/**
 * Client keys: `wk_` + 32 random bytes (base64url). Only the SHA-256 of a key is stored, found
 * by its first characters and compared in constant time. Revocations are kept in memory too,
 * so a revoke takes effect on the client's next message.
 */
export class ClientKeys {
  private readonly revoked = new Set<string>();

  constructor(
    private readonly store: ClientStore,
    private readonly now: () => number,
  ) {
    for (const row of store.list()) if (row.revokedAt !== null) this.revoked.add(row.name);
  }

  /** Creates a client and returns its key, which is never shown again. */
  create(name: string): { key: string; row: ClientRow } {
    if (this.store.byName(name)) throw new ConflictError(`client "${name}" already exists; pick another name or revoke it first`);
    for (;;) {
      const key = `wk_${randomBytes(32).toString('base64url')}`;
      const prefix = key.slice(0, PREFIX_LENGTH);
      if (this.store.byPrefix(prefix)) continue;
      this.store.add(name, prefix, hashKey(key), this.now());
      return { key, row: this.store.byName(name) as ClientRow };
    }
  }

  /** Checks a presented key; the reason never echoes the key. */
  verify(key: unknown): KeyCheck {
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      return { ok: false, reason: 'the client key is missing or malformed; set WARDEN_CLIENT_KEY to a key from: warden client add NAME' };
    }
    const row = this.store.byPrefix(key.slice(0, PREFIX_LENGTH));
    const presented = hashKey(key);
    // Compare against something even when no row matches, so timing says nothing.
    const expected = row?.keyHash ?? Buffer.alloc(presented.length);
    const match = timingSafeEqual(presented, expected) && row !== undefined;
    if (!match) return { ok: false, reason: 'the client key is not known to Warden; create one with: warden client add NAME' };
    if (this.revoked.has(row.name)) {
      return { ok: false, reason: `the client key for "${row.name}" was revoked; create a new one with: warden client add NAME` };
    }
    this.store.markSeen(row.name, this.now());
    return { ok: true, client: row.name };
  }

  isRevoked(name: string): boolean {
    return this.revoked.has(name);
  }

  revoke(name: string): void {
    if (!this.store.byName(name)) throw new NotFoundError('client', name);
    this.store.revoke(name, this.now());
    this.revoked.add(name);
  }

  list(): ClientRow[] {
    return this.store.list();
  }
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
