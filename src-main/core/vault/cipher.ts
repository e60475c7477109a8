/**
 * Encrypts and decrypts small values. The daemon uses {@link KeyFileCipher}; the desktop app
 * passes one built on Electron's safeStorage. `context` is bound to the ciphertext (as AEAD
 * associated data where the cipher supports it), so a ciphertext moved to another row fails.
 */
export interface Cipher {
  /** A short label for listings and logs, e.g. "key file" or "OS keychain". */
  readonly description: string;
  /** Set when secrets are not really protected (Linux safeStorage with basic_text): one sentence. */
  readonly warning?: string;
  encrypt(plaintext: Buffer, context: string): Promise<Buffer>;
  /** Rejects when the ciphertext was not made by this cipher for this context. */
  decrypt(ciphertext: Buffer, context: string): Promise<Buffer>;
}
