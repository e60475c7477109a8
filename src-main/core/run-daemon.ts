import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startCore } from './daemon.js';
import { lockPath } from './paths.js';
import { acquireLock } from './single-instance.js';
import { KeyFileCipher } from './vault/key-file-cipher.js';

/**
 * Runs the core as a headless process (`warden daemon`) until SIGINT, SIGTERM or a
 * `daemon.stop` request: the vault key comes from WARDEN_VAULT_KEY or a 0600 key file.
 */
export async function runDaemon(dataDir: string, echo: ((line: string) => void) | undefined): Promise<void> {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = acquireLock(lockPath(dataDir));
  let core;
  try {
    const cipher = KeyFileCipher.load(join(dataDir, 'vault.key'), process.env.WARDEN_VAULT_KEY);
    core = await startCore({ dataDir, cipher, spawn, echo });
  } catch (error) {
    release();
    throw error;
  }
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGHUP', resolve);
  });
  await Promise.race([signalled, core.stopRequested]);
  await core.close();
  release();
}
