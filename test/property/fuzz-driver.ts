import { join } from 'node:path';
import { AdminClient } from './admin-client.mjs';
import type { FuzzDriver, FuzzShim } from './fuzz-runner.mjs';
import { setupWorld } from './fuzz-runner.mjs';
import { RawShim } from '../helpers/raw-shim.js';
import { ROOT, alive, type WardenHarness } from '../helpers/warden-harness.js';

/** The recording upstream fixture (SDK mode, or plain with RECORD_PLAIN=1). */
export const RECORDING_SERVER = join(ROOT, 'test', 'fixtures', 'recording-server.mjs');

/**
 * The real shim process, with every stdout line kept as raw text: ids such as
 * 123456789012345678901 must be compared as sent, not as JSON.parse rounds them.
 */
export function rawLineShim(warden: WardenHarness, key: string, server: string): { raw: RawShim; shim: FuzzShim } {
  const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', server]);
  const lines: string[] = [];
  let held = Buffer.alloc(0);
  raw.child.stdout.on('data', (chunk: Buffer) => {
    held = Buffer.concat([held, chunk]);
    for (let nl = held.indexOf(0x0a); nl !== -1; nl = held.indexOf(0x0a)) {
      lines.push(held.subarray(0, nl).toString('utf8'));
      held = held.subarray(nl + 1);
    }
  });
  return { raw, shim: { send: (bytes) => raw.send(bytes), lines, close: () => raw.close() } };
}

/**
 * The fuzz world on a WardenHarness: the two recording servers with their rules, a client
 * key, an admin connection; `ensureCore` starts the daemon again if a run killed it, so one
 * crash does not fail every later run (and shrinking still replays the crash).
 */
export async function harnessDriver(warden: WardenHarness): Promise<FuzzDriver & { ensureCore(): Promise<void>; close(): void }> {
  await warden.startDaemon();
  const recordFiles = await setupWorld((args) => warden.ok(args), warden.dataDir, RECORDING_SERVER);
  const key = await warden.clientKey('fuzzer');
  const driver = {
    dataDir: warden.dataDir,
    recordFiles,
    admin: await AdminClient.connect(warden.dataDir),
    openShim: async (server: string) => rawLineShim(warden, key, server).shim,
    cli: (args: string[]) => warden.cli(args),
    corePid: () => {
      const pid = warden.daemon?.pid;
      return pid !== undefined && warden.daemon?.exitCode === null && alive(pid) ? pid : undefined;
    },
    async ensureCore() {
      if (driver.corePid() !== undefined) return;
      await warden.cli(['stop']);
      await warden.startDaemon();
      driver.admin.close();
      driver.admin = await AdminClient.connect(warden.dataDir);
    },
    close: () => driver.admin.close(),
  };
  return driver;
}
