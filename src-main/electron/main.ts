/**
 * The desktop shell, kept thin: one instance, the Warden core in the main process, quit stops
 * it. The tray, approval window and safeStorage cipher arrive with the desktop-shell issue;
 * until then the vault uses the same key-file cipher as `warden daemon`.
 */
import { app } from 'electron';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startCore, type Core } from '../core/daemon.js';
import { lockPath } from '../core/paths.js';
import { acquireLock } from '../core/single-instance.js';
import { KeyFileCipher } from '../core/vault/key-file-cipher.js';

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | undefined;
  let release: (() => void) | undefined;
  const dataDir = process.env.WARDEN_HOME ?? app.getPath('userData');

  app.on('window-all-closed', () => {
    // A tray app keeps running with no window.
  });

  app
    .whenReady()
    .then(async () => {
      release = acquireLock(lockPath(dataDir));
      const cipher = KeyFileCipher.load(join(dataDir, 'vault.key'), process.env.WARDEN_VAULT_KEY);
      core = await startCore({ dataDir, cipher, spawn });
      await core.stopRequested;
      app.quit();
    })
    .catch((error: unknown) => {
      process.stderr.write(`MCP Warden could not start: ${(error as Error).message}\n`);
      app.exit(1);
    });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    event.preventDefault();
    quitting = true;
    void core.close().finally(() => {
      release?.();
      app.quit();
    });
  });
}
