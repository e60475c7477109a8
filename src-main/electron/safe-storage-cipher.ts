import type { Cipher } from '../core/vault/cipher.js';
import { VaultError } from '../core/errors/vault-error.js';

/** The part of Electron's safeStorage the cipher uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  getSelectedStorageBackend?(): string;
}

/** The sentence shown in the window and the tray when the keyring is not used. */
export const BASIC_TEXT_WARNING =
  'Secrets are not protected by a keyring on this system (no Secret Service or KWallet was found, so Electron stores them with a fixed key): anyone who can read your files can read them.';

/**
 * A vault cipher on the OS keychain through Electron's safeStorage (its async API). safeStorage
 * has no associated data, so the context is sealed inside the plaintext and checked on
 * decryption: a ciphertext moved to another row fails as it does with the key-file cipher.
 */
export class SafeStorageCipher implements Cipher {
  readonly description = 'OS keychain';
  readonly warning: string | undefined;

  constructor(
    private readonly storage: SafeStorageLike,
    platform: NodeJS.Platform,
  ) {
    const backend = platform === 'linux' ? storage.getSelectedStorageBackend?.() : undefined;
    this.warning = backend === 'basic_text' ? BASIC_TEXT_WARNING : undefined;
  }

  async encrypt(plaintext: Buffer, context: string): Promise<Buffer> {
    return this.storage.encryptStringAsync(JSON.stringify({ c: context, v: plaintext.toString('base64') }));
  }

  async decrypt(ciphertext: Buffer, context: string): Promise<Buffer> {
    let sealed: { c?: unknown; v?: unknown };
    try {
      sealed = JSON.parse((await this.storage.decryptStringAsync(ciphertext)).result) as typeof sealed;
    } catch (error) {
      throw new VaultError('a stored secret could not be decrypted with the OS keychain', { cause: error });
    }
    if (sealed.c !== context || typeof sealed.v !== 'string') throw new VaultError('a stored secret does not belong where it was found');
    return Buffer.from(sealed.v, 'base64');
  }
}
