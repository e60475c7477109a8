import type { ClientKeys } from '../clients/client-keys.js';
import type { Vault } from '../vault/vault.js';
import type { ClientApp } from './client-apps.js';
import type { ConnectMemory } from './connect-memory.js';
import { wardenEntryOf } from './entry-shapes.js';

/**
 * The client keys `connect` writes into configs: reused while valid, made (and kept sealed by
 * the vault, so a reconnect writes the same one) when there is none, and revoked once no
 * config Warden manages holds them.
 */
export class ConnectKeys {
  constructor(
    private readonly clients: ClientKeys,
    private readonly vault: Vault,
    private readonly memory: ConnectMemory,
    private readonly note: (text: string) => void,
  ) {}

  /**
   * A key the config already holds for Warden, or the one connect made for this client
   * before, when still valid; else a new one (`created` names its client).
   */
  async keyFor(app: ClientApp, entries: Record<string, unknown>): Promise<{ key: string; created: string | undefined }> {
    for (const entry of Object.values(entries)) {
      const key = wardenEntryOf(entry)?.key;
      if (key !== undefined && this.clients.verify(key).ok) return { key, created: undefined };
    }
    for (const made of this.memory.createdKeys().filter((k) => k.app === app.id).reverse()) {
      try {
        const key = (await this.vault.unseal(keyContext(made.name), Buffer.from(made.sealed, 'base64'))).toString('utf8');
        if (this.clients.verify(key).ok) return { key, created: undefined };
      } catch {
        // Sealed under an older vault key, or damaged: a new key is made below.
      }
    }
    let name = app.clientName;
    const taken = new Set(this.clients.list().map((client) => client.name));
    for (let n = 2; taken.has(name); n++) name = `${app.clientName}-${n}`;
    const key = this.clients.create(name).key;
    const sealed = await this.vault.seal(keyContext(name), Buffer.from(key, 'utf8'));
    this.memory.addCreatedKey({ name, app: app.id, sealed: sealed.toString('base64') });
    return { key, created: name };
  }

  /**
   * Revokes the keys connect made that none of `held` (every key found in the managed
   * configs) is; returns their client names.
   */
  revokeUnused(held: readonly string[]): string[] {
    const rows = this.clients.list();
    const inUse = new Set(held.map((key) => rows.find((row) => key.startsWith(row.prefix))?.name).filter((name) => name !== undefined));
    const revoked: string[] = [];
    for (const { name } of this.memory.createdKeys().filter((made) => !inUse.has(made.name))) {
      const row = rows.find((r) => r.name === name);
      if (row && row.revokedAt === null) {
        this.clients.revoke(name);
        revoked.push(name);
        this.note(`revoked the client key "${name}" that connect had made: no client config holds it any more`);
      }
      this.memory.forgetCreatedKey(name);
    }
    return revoked;
  }
}

function keyContext(name: string): string {
  return `integrations:client-key:${name}`;
}
