import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../helpers/temp-dir.js';
import { openDatabase } from '../../../../src-main/core/db/database.js';
import { SecretStore } from '../../../../src-main/core/db/secret-store.js';
import { SettingsStore } from '../../../../src-main/core/db/settings-store.js';
import { KeyFileCipher } from '../../../../src-main/core/vault/key-file-cipher.js';
import { Vault } from '../../../../src-main/core/vault/vault.js';

async function setup(key = 'cd'.repeat(32), file = ':memory:') {
  const db = openDatabase(file);
  const vault = new Vault(new SecretStore(db), new SettingsStore(db), KeyFileCipher.load('unused', key));
  await vault.open();
  return { db, vault };
}

describe('Vault', () => {
  it('resolves ${secret:NAME} templates, mixed with text', async () => {
    const { vault } = await setup();
    await vault.set('TOKEN', 'abc123', 1);
    expect(vault.resolve('Bearer ${secret:TOKEN}')).toBe('Bearer abc123');
    expect(vault.resolve('no templates')).toBe('no templates');
  });

  it('fails a missing secret with the command to set it, never an empty value', async () => {
    const { vault } = await setup();
    expect(() => vault.resolve('x=${secret:MISSING}')).toThrow('secret MISSING is not set (warden secret set MISSING)');
  });

  it('stores only ciphertext', async () => {
    const { db, vault } = await setup();
    await vault.set('TOKEN', 'plain-text-value', 1);
    const row = db.prepare('SELECT ciphertext FROM secrets').get() as { ciphertext: Buffer };
    expect(row.ciphertext.includes(Buffer.from('plain-text-value'))).toBe(false);
  });

  it('reopens with the same key and refuses a different one', async () => {
    const file = join(tempDir('warden-vault-'), 'w.db');
    const first = await setup('ef'.repeat(32), file);
    await first.vault.set('A', 'value-a', 1);
    first.db.close();
    const again = await setup('ef'.repeat(32), file);
    expect(again.vault.resolve('${secret:A}')).toBe('value-a');
    again.db.close();
    await expect(setup('01'.repeat(32), file)).rejects.toThrow(/does not open this data dir's secrets/);
  });

  it('re-encrypts every secret and internal key when moving to another cipher', async () => {
    const file = join(tempDir('warden-vault-'), 'w.db');
    const { db, vault } = await setup('ab'.repeat(32), file);
    await vault.set('A', 'value-a', 1);
    const auditKey = await vault.internalKey('audit-hmac');
    await vault.rekey(KeyFileCipher.load('unused', 'cd'.repeat(32)), (work) => db.transaction(work)());
    db.close();
    const reopened = await setup('cd'.repeat(32), file);
    expect(reopened.vault.resolve('${secret:A}')).toBe('value-a');
    expect((await reopened.vault.internalKey('audit-hmac')).equals(auditKey)).toBe(true);
    reopened.db.close();
    await expect(setup('ab'.repeat(32), file)).rejects.toThrow(/does not open/);
  });

  it('redacts every stored value, longest first, and forgets removed ones', async () => {
    const { vault } = await setup();
    await vault.set('SHORT', 'abcd', 1);
    await vault.set('LONG', 'abcdefgh', 1);
    expect(vault.redactor.redact('x abcdefgh y abcd')).toBe('x «secret:LONG» y «secret:SHORT»');
    vault.remove('LONG');
    expect(vault.redactor.redact('abcdefgh')).toBe('«secret:SHORT»efgh');
  });
});
