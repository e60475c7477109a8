import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startCore } from './daemon.js';
import { fileURLToPath } from 'node:url';
import { installLastResort } from './last-resort.js';
import { daemonLogPath, lockPath, resolveDataDir } from './paths.js';
import { CappedLog } from './upstream/capped-log.js';
import { acquireLock } from './single-instance.js';
import { KeyFileCipher } from './vault/key-file-cipher.js';
import type { Cipher } from './vault/cipher.js';
import { passphraseCipher, readVaultMode } from './vault/vault-mode.js';
import { VaultError } from './errors/vault-error.js';

/**
 * Runs the core as a headless process (`warden daemon`) until SIGINT, SIGTERM or a
 * `daemon.stop` request: the vault key comes from WARDEN_VAULT_KEY or a 0600 key file.
 * An exception nobody caught is logged as `uncaught:` in logs/warden.log and the core runs on
 * (see {@link installLastResort} for why).
 */
export async function runDaemon(
  dataDir: string,
  echo: ((line: string) => void) | undefined,
  web?: { port: number; onUrl(url: string): void },
  httpPort?: number,
): Promise<void> {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = acquireLock(lockPath(dataDir));
  const lastLog = new CappedLog(daemonLogPath(dataDir));
  let redact: ((text: string) => string) | undefined;
  const lastResort = installLastResort((line) => {
    lastLog.write(line);
    echo?.(line.trimEnd());
  }, () => redact);
  let core;
  try {
    const cipher = await daemonCipher(dataDir);
    core = await startCore({
      dataDir,
      cipher,
      spawn,
      echo,
      shim: shimLaunch(dataDir),
      ...(httpPort === undefined ? {} : { httpPort }),
      notifySend: true,
      // Test-only: lets a test fake a full disk (documented at UpkeepOptions.testLimitFile).
      ...(process.env.WARDEN_TEST_DB_LIMIT_FILE ? { testDbLimitFile: process.env.WARDEN_TEST_DB_LIMIT_FILE } : {}),
      ...(web ? { web: { port: web.port, staticDir: fileURLToPath(new URL('../renderer', import.meta.url)) } } : {}),
    });
    redact = core.redact;
    if (web && core.webUrl) web.onUrl(core.webUrl);
  } catch (error) {
    lastResort.dispose();
    lastLog.close();
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
  lastResort.dispose();
  lastLog.close();
  release();
}

/**
 * The vault's cipher for the daemon: the passphrase one when the data dir was sealed with a
 * passphrase (from WARDEN_VAULT_PASSPHRASE: the daemon has nobody to ask), else the key file.
 */
async function daemonCipher(dataDir: string): Promise<Cipher> {
  const mode = readVaultMode(dataDir);
  if (!mode) return KeyFileCipher.load(join(dataDir, 'vault.key'), process.env.WARDEN_VAULT_KEY);
  const passphrase = process.env.WARDEN_VAULT_PASSPHRASE;
  if (!passphrase) {
    throw new VaultError('this data dir\'s vault is sealed with a passphrase; set WARDEN_VAULT_PASSPHRASE, or start the desktop app and unlock it there');
  }
  return passphraseCipher(passphrase, mode);
}

/**
 * How a client starts the shim from this checkout or install: this Node, the shim bundle
 * beside this one, and WARDEN_HOME when the data dir is not the default one.
 */
function shimLaunch(dataDir: string): { command: string; args: string[]; env: Record<string, string> } {
  const withoutOverride = { ...process.env };
  delete withoutOverride.WARDEN_HOME;
  const env: Record<string, string> = dataDir === resolveDataDir(undefined, withoutOverride) ? {} : { WARDEN_HOME: dataDir };
  return { command: process.execPath, args: [fileURLToPath(new URL('./stdio.mjs', import.meta.url))], env };
}
