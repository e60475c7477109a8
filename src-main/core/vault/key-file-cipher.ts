import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { VaultError } from '../errors/vault-error.js';
import type { Cipher } from './cipher.js';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * AES-256-GCM with a 32-byte key from `WARDEN_VAULT_KEY` (64 hex digits or base64) or from a
 * 0600 key file, created with fresh random bytes on first use. Layout of a ciphertext:
 * version (1 byte) · IV (12) · tag (16) · data.
 */
export class KeyFileCipher implements Cipher {
  readonly description: string;

  private constructor(
    private readonly key: Buffer,
    description: string,
  ) {
    this.description = description;
  }

  /** A cipher on a key the caller derived (the passphrase cipher). */
  static fromKey(key: Buffer, description: string): KeyFileCipher {
    if (key.length !== KEY_BYTES) throw new VaultError('a vault key must be 32 bytes');
    return new KeyFileCipher(key, description);
  }

  /** Builds the cipher from the environment variable when set, else from (or into) `keyFile`. */
  static load(keyFile: string, envValue: string | undefined): KeyFileCipher {
    if (envValue !== undefined && envValue !== '') {
      return new KeyFileCipher(parseKey(envValue), 'WARDEN_VAULT_KEY');
    }
    return new KeyFileCipher(readOrCreateKeyFile(keyFile), 'key file');
  }

  async encrypt(plaintext: Buffer, context: string): Promise<Buffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), data]);
  }

  async decrypt(ciphertext: Buffer, context: string): Promise<Buffer> {
    if (ciphertext.length < 1 + IV_BYTES + TAG_BYTES || ciphertext[0] !== VERSION) {
      throw new VaultError('a stored secret is not in the key-file cipher format');
    }
    const iv = ciphertext.subarray(1, 1 + IV_BYTES);
    const tag = ciphertext.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new VaultError('a stored secret could not be decrypted with this vault key', { cause: error });
    }
  }
}

function parseKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new VaultError('WARDEN_VAULT_KEY must be 32 bytes as 64 hex digits or base64; generate one with: openssl rand -hex 32');
  }
  return key;
}

function readOrCreateKeyFile(keyFile: string): Buffer {
  if (!existsSync(keyFile)) {
    try {
      const fd = openSync(keyFile, 'wx', 0o600);
      try {
        writeSync(fd, randomBytes(KEY_BYTES).toString('base64') + '\n');
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      // Another process created it first; fall through and read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new VaultError(`cannot create the vault key file ${keyFile}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  if (process.platform !== 'win32') {
    const mode = statSync(keyFile).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new VaultError(
        `the vault key file ${keyFile} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 "${keyFile}"`,
      );
    }
  }
  return parseKeyFile(readFileSync(keyFile, 'utf8'), keyFile);
}

function parseKeyFile(text: string, keyFile: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new VaultError(`the vault key file ${keyFile} does not hold a 32-byte base64 key`);
  }
  return key;
}
