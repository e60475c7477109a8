import { randomBytes } from 'node:crypto';
import { SECRET_REFERENCE } from '../../../src-shared/names.js';
import type { SecretStore } from '../db/secret-store.js';
import type { SettingsStore } from '../db/settings-store.js';
import { SecretMissingError } from '../errors/secret-missing-error.js';
import { VaultError } from '../errors/vault-error.js';
import type { Cipher } from './cipher.js';
import { Redactor } from './redactor.js';

const CHECK_KEY = 'vault.check';
const CHECK_CONTEXT = 'vault-check';
const CHECK_TEXT = 'mcp-warden vault check';

/**
 * Holds the user's secrets: ciphertext in the database, plaintext only in this process's
 * memory, for injection into upstreams and for redaction. Never returns a value to a caller
 * outside the core.
 */
export class Vault {
  private readonly values = new Map<string, string>();
  private readonly updated = new Map<string, number>();
  readonly redactor = new Redactor();

  constructor(
    private readonly store: SecretStore,
    private readonly settings: SettingsStore,
    private cipher: Cipher,
  ) {}

  /**
   * Checks that the cipher opens this vault (recording a check value on first use) and loads
   * every secret. Fails closed with a clear message when the key changed.
   */
  async open(): Promise<void> {
    const check = this.settings.getRaw(CHECK_KEY);
    if (check === undefined) {
      const sealed = await this.cipher.encrypt(Buffer.from(CHECK_TEXT), CHECK_CONTEXT);
      this.settings.setRaw(CHECK_KEY, sealed.toString('base64'));
    } else {
      let opened: string;
      try {
        opened = (await this.cipher.decrypt(Buffer.from(check, 'base64'), CHECK_CONTEXT)).toString('utf8');
      } catch (error) {
        throw new VaultError(
          this.cipher.description === 'passphrase'
            ? 'the passphrase does not open this vault; check it and try again'
            : `the vault key (${this.cipher.description}) does not open this data dir's secrets; restore the original key or use a new data dir`,
          { cause: error },
        );
      }
      if (opened !== CHECK_TEXT) throw new VaultError('the vault check value is corrupt');
    }
    for (const row of this.store.list()) {
      this.values.set(row.name, (await this.cipher.decrypt(row.ciphertext, contextFor(row.name))).toString('utf8'));
      this.updated.set(row.name, row.updatedAt);
    }
    this.redactor.update(this.values);
  }

  /** Stores (or replaces) a secret; returns whether one was replaced. */
  async set(name: string, value: string, now: number): Promise<boolean> {
    const ciphertext = await this.cipher.encrypt(Buffer.from(value, 'utf8'), contextFor(name));
    const replaced = this.values.has(name);
    this.store.put(name, ciphertext, now);
    this.values.set(name, value);
    this.updated.set(name, now);
    this.redactor.update(this.values);
    return replaced;
  }

  remove(name: string): boolean {
    const removed = this.store.remove(name);
    this.values.delete(name);
    this.updated.delete(name);
    this.redactor.update(this.values);
    return removed;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Secret names with when each was last set; never the values. */
  list(): Array<{ name: string; updatedAt: number }> {
    return [...this.updated].map(([name, updatedAt]) => ({ name, updatedAt })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * A key for Warden's own use (the audit log's HMAC), made of 32 random bytes on first use
   * and kept encrypted like a secret, never listed or resolved as one.
   */
  async internalKey(purpose: string): Promise<Buffer> {
    const setting = `vault.internal.${purpose}`;
    const context = `internal:${purpose}`;
    const stored = this.settings.getRaw(setting);
    if (stored !== undefined) return this.cipher.decrypt(Buffer.from(stored, 'base64'), context);
    const key = randomBytes(32);
    this.settings.setRaw(setting, (await this.cipher.encrypt(key, context)).toString('base64'));
    return key;
  }

  private readonly rekeyParticipants: Array<(reseal: (context: string, ciphertext: Buffer) => Promise<Buffer>) => Promise<() => void>> = [];

  /** Encrypts data that is not a secret value (OAuth tokens) with the vault's cipher. */
  seal(context: string, data: Buffer): Promise<Buffer> {
    return this.cipher.encrypt(data, context);
  }

  unseal(context: string, ciphertext: Buffer): Promise<Buffer> {
    return this.cipher.decrypt(ciphertext, context);
  }

  /**
   * Lets another store of sealed rows take part in `rekey`: it re-seals its rows with the
   * function it is given and returns the write to run with the others.
   */
  onRekey(participant: (reseal: (context: string, ciphertext: Buffer) => Promise<Buffer>) => Promise<() => void>): void {
    this.rekeyParticipants.push(participant);
  }

  /** The cipher in use (for moving to another one). */
  get currentCipher(): Cipher {
    return this.cipher;
  }

  /** What protects the vault, and a warning when that is not much. */
  get protection(): { description: string; warning: string | null } {
    return { description: this.cipher.description, warning: this.cipher.warning ?? null };
  }

  /**
   * Re-encrypts every secret, internal key and the check value with `next`, in one
   * transaction-like pass: everything is encrypted first and only then written.
   */
  async rekey(next: Cipher, writeAll: (work: () => void) => void): Promise<void> {
    const secrets = await Promise.all([...this.values].map(async ([name, value]) => [name, await next.encrypt(Buffer.from(value, 'utf8'), contextFor(name))] as const));
    const internals: Array<[string, string]> = [];
    for (const purpose of ['audit-hmac']) {
      const setting = `vault.internal.${purpose}`;
      const stored = this.settings.getRaw(setting);
      if (stored === undefined) continue;
      const key = await this.cipher.decrypt(Buffer.from(stored, 'base64'), `internal:${purpose}`);
      internals.push([setting, (await next.encrypt(key, `internal:${purpose}`)).toString('base64')]);
    }
    const check = (await next.encrypt(Buffer.from(CHECK_TEXT), CHECK_CONTEXT)).toString('base64');
    const reseal = async (context: string, ciphertext: Buffer): Promise<Buffer> => next.encrypt(await this.cipher.decrypt(ciphertext, context), context);
    const others = await Promise.all(this.rekeyParticipants.map((participant) => participant(reseal)));
    writeAll(() => {
      for (const write of others) write();
      for (const [name, ciphertext] of secrets) this.store.put(name, ciphertext, this.updated.get(name) ?? Date.now());
      for (const [setting, value] of internals) this.settings.setRaw(setting, value);
      this.settings.setRaw(CHECK_KEY, check);
    });
    this.cipher = next;
  }

  /**
   * Expands every `${secret:NAME}` in `template`.
   * @throws SecretMissingError naming the first secret that is not set; never yields an empty value.
   */
  resolve(template: string): string {
    return template.replace(SECRET_REFERENCE, (_match, name: string) => {
      const value = this.values.get(name);
      if (value === undefined) throw new SecretMissingError(name);
      return value;
    });
  }
}

function contextFor(name: string): string {
  return `secret:${name}`;
}
