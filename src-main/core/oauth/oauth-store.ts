import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Db } from '../db/database.js';
import type { Vault } from '../vault/vault.js';

/** What Warden keeps for one remote server's sign-in; sealed by the vault as one blob. */
export interface OAuthRecord {
  clientInformation?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  /** When the access token expires (ms), from expires_in at the time it was saved. */
  expiresAt?: number;
  /** The authorization server the tokens came from and the resource they are for. */
  issuer?: string;
  resource?: string;
}

/**
 * OAuth client registrations and tokens, per server, encrypted with the vault's cipher (and
 * re-encrypted with it when the vault moves to another cipher). Never in plain text on disk.
 */
export class OAuthStore {
  private readonly getStmt;
  private readonly putStmt;
  private readonly deleteStmt;
  private readonly allStmt;
  private readonly cache = new Map<string, OAuthRecord>();

  constructor(
    db: Db,
    private readonly vault: Vault,
  ) {
    this.getStmt = db.prepare<[string], { ciphertext: Buffer }>('SELECT ciphertext FROM oauth_credentials WHERE server = ?');
    this.putStmt = db.prepare(
      'INSERT INTO oauth_credentials (server, ciphertext, updated_at) VALUES (?, ?, ?) ON CONFLICT(server) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at',
    );
    this.deleteStmt = db.prepare('DELETE FROM oauth_credentials WHERE server = ?');
    this.allStmt = db.prepare<[], { server: string; ciphertext: Buffer }>('SELECT server, ciphertext FROM oauth_credentials');
    vault.onRekey(async (reseal) => {
      const rows = await Promise.all(this.allStmt.all().map(async (row) => ({ server: row.server, ciphertext: await reseal(context(row.server), row.ciphertext) })));
      return () => {
        for (const row of rows) this.putStmt.run(row.server, row.ciphertext, Date.now());
      };
    });
  }

  async get(server: string): Promise<OAuthRecord> {
    const cached = this.cache.get(server);
    if (cached) return cached;
    const row = this.getStmt.get(server);
    const record = row ? (JSON.parse((await this.vault.unseal(context(server), row.ciphertext)).toString('utf8')) as OAuthRecord) : {};
    this.cache.set(server, record);
    return record;
  }

  /** Replaces the record in one write (a rotated refresh token is never half saved). */
  async put(server: string, record: OAuthRecord): Promise<void> {
    const sealed = await this.vault.seal(context(server), Buffer.from(JSON.stringify(record), 'utf8'));
    this.putStmt.run(server, sealed, Date.now());
    this.cache.set(server, record);
  }

  async update(server: string, change: (record: OAuthRecord) => OAuthRecord): Promise<void> {
    await this.put(server, change(await this.get(server)));
  }

  remove(server: string): void {
    this.deleteStmt.run(server);
    this.cache.delete(server);
  }
}

function context(server: string): string {
  return `oauth:${server}`;
}
