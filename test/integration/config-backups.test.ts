import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigBackup } from '../../src-shared/control-api.js';
import { FAULT_SERVER, WardenHarness } from '../helpers/warden-harness.js';

const SECRET = 'ghp-backup-secret-5d1e77';

describe('G7: client config backups', () => {
  const warden = new WardenHarness();
  let path = '';
  let original = '';
  let backup = '';

  beforeAll(async () => {
    await warden.startDaemon();
    path = join(warden.dataDir, 'claude_desktop_config.json');
    original = JSON.stringify({ mcpServers: { notes: { command: process.execPath, args: [FAULT_SERVER], env: { NOTES_KEY: SECRET } } } }, null, 2);
    writeFileSync(path, original);
    chmodSync(path, 0o644);
    await warden.ok(['claude', 'import', '--config', path, '--default-action', 'allow']);
  }, 30_000);
  afterAll(() => warden.stop());

  it('writes the backup 0600 and says after connect where it is, that it holds the old secrets, and how to remove it', async () => {
    const out = await warden.ok(['claude', 'connect', '--config', path]);
    backup = /backup of the original: (.+)/.exec(out)?.[1] as string;
    expect(readFileSync(backup, 'utf8')).toBe(original);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    // The rewritten config holds a client key now, so connect narrows it to its owner too.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(out).toContain('with any secrets the import moved into the vault (mode 0600)');
    expect(out).toContain('remove it with: warden clients backups --remove');
    expect(out).not.toContain(SECRET);
  });

  it('lists the backups with their mode', async () => {
    const listed = JSON.parse(await warden.ok(['clients', 'backups', '--json'])) as ConfigBackup[];
    expect(listed).toEqual([expect.objectContaining({ app: 'claude', configPath: path, path: backup, mode: 0o600, bytes: Buffer.byteLength(original) })]);
    const table = await warden.ok(['clients', 'backups']);
    expect(table).toContain(backup);
    expect(table).toContain('0600');
  });

  it('refuses a client name without --remove, with the usage', async () => {
    const result = await warden.cli(['clients', 'backups', 'claude']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('usage: warden clients backups');
  });

  it('removes only the named client\'s backups, and nothing else in the folder', async () => {
    expect(await warden.ok(['clients', 'backups', '--remove', 'cursor'])).toContain('no client config backups to remove');
    expect(existsSync(backup)).toBe(true);
    const out = await warden.ok(['clients', 'backups', '--remove', 'claude']);
    expect(out).toContain(`removed ${backup}`);
    expect(existsSync(backup)).toBe(false);
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(warden.dataDir).some((name) => name.includes('.warden-backup-'))).toBe(false);
    expect(JSON.parse(await warden.ok(['clients', 'backups', '--json']))).toEqual([]);
  });
});
