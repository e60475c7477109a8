import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../helpers/temp-dir.js';
import { KeyFileCipher } from '../../../../src-main/core/vault/key-file-cipher.js';

const dir = (): string => tempDir('warden-cipher-');

describe('KeyFileCipher', () => {
  it('creates a 0600 key file on first use and reuses it', async () => {
    const file = join(dir(), 'vault.key');
    const first = KeyFileCipher.load(file, undefined);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = await first.encrypt(Buffer.from('hello'), 'secret:A');
    const again = KeyFileCipher.load(file, undefined);
    expect((await again.decrypt(sealed, 'secret:A')).toString()).toBe('hello');
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
  });

  it('never produces the same ciphertext twice and never contains the plaintext', async () => {
    const cipher = KeyFileCipher.load(join(dir(), 'k'), undefined);
    const a = await cipher.encrypt(Buffer.from('same value'), 'secret:A');
    const b = await cipher.encrypt(Buffer.from('same value'), 'secret:A');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('same value'))).toBe(false);
  });

  it('refuses a ciphertext moved to another context or altered', async () => {
    const cipher = KeyFileCipher.load(join(dir(), 'k'), undefined);
    const sealed = await cipher.encrypt(Buffer.from('v'), 'secret:A');
    await expect(cipher.decrypt(sealed, 'secret:B')).rejects.toThrow(/could not be decrypted/);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    await expect(cipher.decrypt(tampered, 'secret:A')).rejects.toThrow(/could not be decrypted/);
  });

  it('takes the key from WARDEN_VAULT_KEY as hex or base64, and refuses a wrong length', async () => {
    const hex = 'ab'.repeat(32);
    const fromHex = KeyFileCipher.load(join(dir(), 'unused'), hex);
    const fromBase64 = KeyFileCipher.load(join(dir(), 'unused'), Buffer.from(hex, 'hex').toString('base64'));
    expect((await fromBase64.decrypt(await fromHex.encrypt(Buffer.from('x'), 'c'), 'c')).toString()).toBe('x');
    expect(() => KeyFileCipher.load(join(dir(), 'unused'), 'short')).toThrow(/WARDEN_VAULT_KEY must be 32 bytes/);
  });

  it.skipIf(process.platform === 'win32')('refuses a key file other users can read', () => {
    const file = join(dir(), 'vault.key');
    KeyFileCipher.load(file, undefined);
    chmodSync(file, 0o644);
    expect(() => KeyFileCipher.load(file, undefined)).toThrow(/readable by other users \(mode 644\); run: chmod 600/);
  });
});
