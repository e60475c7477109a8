import { randomBytes, scrypt } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { VaultError } from '../errors/vault-error.js';
import { KeyFileCipher } from './key-file-cipher.js';

/**
 * How the vault of a data dir is sealed, kept in `vault.json` so it can be read before the
 * core starts: by the OS keychain or a key file (the default, no file), or by a passphrase
 * (scrypt-derived key; the passphrase itself is never stored).
 */
export interface VaultMode {
  mode: 'passphrase';
  salt: string;
  kdf: { N: number; r: number; p: number };
}

const KDF = { N: 2 ** 15, r: 8, p: 1 };
export const MIN_PASSPHRASE = 12;

export function vaultModePath(dataDir: string): string {
  return join(dataDir, 'vault.json');
}

export function readVaultMode(dataDir: string): VaultMode | undefined {
  const path = vaultModePath(dataDir);
  if (!existsSync(path)) return undefined;
  const mode = JSON.parse(readFileSync(path, 'utf8')) as VaultMode;
  if (mode.mode !== 'passphrase' || typeof mode.salt !== 'string') throw new VaultError(`${path} is not a Warden vault description`);
  return mode;
}

/** Writes vault.json (0600) atomically. */
export function writeVaultMode(dataDir: string, mode: VaultMode): void {
  const path = vaultModePath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(mode, null, 2) + '\n');
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** A new passphrase mode with a fresh salt. */
export function newPassphraseMode(): VaultMode {
  return { mode: 'passphrase', salt: randomBytes(16).toString('base64'), kdf: KDF };
}

/** The cipher a passphrase opens (scrypt, then AES-256-GCM as the key-file cipher). */
export async function passphraseCipher(passphrase: string, mode: VaultMode): Promise<KeyFileCipher> {
  if (passphrase.length < MIN_PASSPHRASE) throw new VaultError(`a vault passphrase has at least ${MIN_PASSPHRASE} characters`);
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), Buffer.from(mode.salt, 'base64'), 32, { ...mode.kdf, maxmem: 256 * 1024 * 1024 }, (error, derived) =>
      error ? reject(error) : resolve(derived),
    ),
  );
  return KeyFileCipher.fromKey(key, 'passphrase');
}
