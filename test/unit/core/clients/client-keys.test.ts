import { describe, expect, it } from 'vitest';
import { ClientKeys } from '../../../../src-main/core/clients/client-keys.js';
import { ClientStore } from '../../../../src-main/core/db/client-store.js';
import { openDatabase } from '../../../../src-main/core/db/database.js';

function keys() {
  const db = openDatabase(':memory:');
  return { db, keys: new ClientKeys(new ClientStore(db), () => 1000) };
}

describe('ClientKeys', () => {
  it('creates a wk_ key that verifies, storing only its SHA-256', () => {
    const { db, keys: clients } = keys();
    const { key } = clients.create('claude');
    expect(clients.verify(key)).toEqual({ ok: true, client: 'claude' });
    const row = db.prepare('SELECT * FROM clients').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(key.slice(11));
    expect((row.key_hash as Buffer).length).toBe(32);
  });

  it('refuses a malformed, unknown or altered key without echoing it', () => {
    const { keys: clients } = keys();
    const { key } = clients.create('claude');
    const altered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const bad of [undefined, 'nope', 'wk_' + 'x'.repeat(43), altered]) {
      const check = clients.verify(bad);
      expect(check.ok).toBe(false);
      if (!check.ok && typeof bad === 'string') expect(check.reason).not.toContain(bad);
    }
  });

  it('refuses a revoked key and remembers the revocation after a restart', () => {
    const { db, keys: clients } = keys();
    const { key } = clients.create('cursor');
    clients.revoke('cursor');
    expect(clients.isRevoked('cursor')).toBe(true);
    expect(clients.verify(key)).toEqual({ ok: false, reason: expect.stringMatching(/was revoked/) });
    const reopened = new ClientKeys(new ClientStore(db), () => 2000);
    expect(reopened.isRevoked('cursor')).toBe(true);
  });

  it('refuses a second client with the same name', () => {
    const { keys: clients } = keys();
    clients.create('claude');
    expect(() => clients.create('claude')).toThrow(/already exists/);
  });
});
