/**
 * Encrypts and decrypts small values. The daemon uses {@link KeyFileCipher}; the desktop app
 * passes one built on Electron's safeStorage. `context` is bound to the ciphertext (as AEAD
 * associated data where the cipher supports it), so a ciphertext moved to another row fails.
 */
export interface Cipher {
  /** A short label for listings and logs, e.g. "key file" or "OS keychain". */
  readonly description: string;
  encrypt(plaintext: Buffer, context: string): Buffer;
  /** Throws when the ciphertext was not made by this cipher for this context. */
  decrypt(ciphertext: Buffer, context: string): Buffer;
}
