import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startShell, type ElectronModule, type Shell } from '../../../src-main/electron/shell.js';
import { RawShim } from '../../helpers/raw-shim.js';
import { FAULT_SERVER, ROOT, WardenHarness, alive, waitForApproval } from '../../helpers/warden-harness.js';

const fake = createRequire(import.meta.url)('../../fixtures/fake-electron.cjs');
// The stand-in's home folder (a temp dir it made when loaded) goes with this file.
afterAll(() => rmSync(fake.app.getPath('home'), { recursive: true, force: true }));
const electron = fake as unknown as ElectronModule;

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}


describe('startShell() with fakes of Electron', () => {
  let shell: Shell | undefined;
  let warden: WardenHarness;
  const start = (argv: string[] = []) =>
    startShell(electron, { distDir: join(ROOT, 'dist'), argv, env: { WARDEN_HOME: warden.dataDir }, platform: 'linux', appPath: ROOT, note: () => undefined });

  afterEach(async () => {
    await shell?.quit();
    shell = undefined;
    // The shell ran the core in this process: nothing to stop, only the data dir to remove.
    rmSync(warden.dataDir, { recursive: true, force: true });
    fake.app.lockHeld = true;
    fake.safeStorage.backend = 'gnome_libsecret';
    fake.__calls.windows.length = 0;
    fake.__calls.trays.length = 0;
    fake.__calls.notifications.length = 0;
  });

  it('quits at once when another instance holds the lock', async () => {
    warden = new WardenHarness();
    fake.app.lockHeld = false;
    const quits = fake.__calls.quits;
    expect(await start()).toBeUndefined();
    expect(fake.__calls.quits).toBe(quits + 1);
    expect(existsSync(join(warden.dataDir, 'warden.sock'))).toBe(false);
  });

  it('starts the core with the keychain, the tray and the hardened window', async () => {
    warden = new WardenHarness();
    shell = await start();
    expect(shell).toBeDefined();
    expect(existsSync(join(warden.dataDir, 'warden.sock'))).toBe(true);
    expect(fake.protocol.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(Object.keys(fake.protocol.handlers)).toEqual(['app']);
    const [window] = fake.__calls.windows;
    expect(window.loaded).toEqual(['app://warden/index.html#/overview']);
    expect(existsSync(window.options.webPreferences.preload)).toBe(true);
    expect(fake.__calls.trays[0].menu.items.map((i: { label?: string }) => i.label)).toContain('Pause all tool calls');
    expect(JSON.parse(await warden.ok(['status', '--json'])).vault).toEqual({ description: 'OS keychain', warning: null });
  });

  it('starts in the tray only with --background', async () => {
    warden = new WardenHarness();
    shell = await start(['--background']);
    expect(fake.__calls.windows).toHaveLength(0);
    expect(fake.__calls.trays).toHaveLength(1);
  });

  it('opens the approval window and a notification for a new ask, and lists it in the tray', async () => {
    warden = new WardenHarness();
    shell = await start(['--background']);
    await warden.ok(['server', 'add', 'faulty', '--command', process.execPath, '--arg', FAULT_SERVER]);
    const key = await warden.clientKey('claude');
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']);
    await raw.initialize();
    raw.sendJson({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } });
    const pending = await waitForApproval(warden);
    await until(() => fake.__calls.windows.some((w: { options: { alwaysOnTop?: boolean } }) => w.options.alwaysOnTop), 'the approval window');
    const approvalWindow = fake.__calls.windows.find((w: { options: { alwaysOnTop?: boolean } }) => w.options.alwaysOnTop);
    expect(approvalWindow.loaded).toEqual(['app://warden/index.html#/approvals']);
    expect(fake.__calls.notifications).toEqual([{ title: 'MCP Warden: approval needed', body: 'claude wants to call echo on faulty' }]);
    await until(() => fake.__calls.trays[0].menu.items[1]?.label === 'echo — claude → faulty', 'the tray to list the call');
    expect(shell!.state().pending.map((a) => a.id)).toEqual([pending.id]);
    await warden.ok(['approvals', 'deny', pending.id]);
    await raw.waitFor((line) => line.id === 5);
    await raw.close();
  });

  it('moves a data dir the headless daemon used over to the keychain', async () => {
    warden = new WardenHarness();
    await warden.ok(['secret', 'set', 'TOKEN'], 'from-the-daemon');
    await warden.ok(['stop']);
    shell = await start(['--background']);
    expect(JSON.parse(await warden.ok(['secret', 'list', '--json']))[0].name).toBe('TOKEN');
    const db = readFileSync(join(warden.dataDir, 'warden.db-wal'));
    expect(db.includes(Buffer.from('FAKE-KEYCHAIN:'))).toBe(true);
  });

  it('warns in the tray when Linux secrets are not protected by a keyring', async () => {
    warden = new WardenHarness();
    fake.safeStorage.backend = 'basic_text';
    shell = await start(['--background']);
    expect(shell!.state().vaultWarning).toMatch(/not protected by a keyring/);
    expect(fake.__calls.trays[0].menu.items[0].label).toBe('⚠ Secrets are not protected by a keyring');
    expect(JSON.parse(await warden.ok(['status', '--json'])).vault.warning).toMatch(/not protected by a keyring/);
  });

  it('stops the core and every upstream when quitting', async () => {
    warden = new WardenHarness();
    shell = await start(['--background']);
    await warden.ok(['server', 'add', 'faulty', '--command', process.execPath, '--arg', FAULT_SERVER, '--default-action', 'allow']);
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: await warden.clientKey('claude') }), ['--server', 'faulty']);
    await raw.initialize();
    const reply = await raw.request(2, 'tools/call', { name: 'pid', arguments: {} });
    const pid = Number((reply.result as { content: Array<{ text: string }> }).content[0]!.text);
    expect(alive(pid)).toBe(true);
    const exits = fake.__calls.exits.length;
    await shell!.quit();
    shell = undefined;
    await until(() => !alive(pid), 'the upstream to stop');
    expect(existsSync(join(warden.dataDir, 'warden.sock'))).toBe(false);
    expect(fake.__calls.exits.slice(exits)).toEqual([0]);
    // The shim outlives the core (G9) and ends with its client's input.
    expect(await raw.close()).toBe(0);
  });

  it('opens only an unlock window for a passphrase-sealed vault, and starts the core once it opens', async () => {
    warden = new WardenHarness();
    await warden.ok(['secret', 'set', 'TOKEN'], 'behind-a-passphrase');
    await warden.cli(['vault', 'passphrase'], 'a long enough passphrase');
    await warden.ok(['stop']);
    const starting = start();
    await until(() => fake.__calls.windows.length === 1, 'the unlock window');
    const window = fake.__calls.windows[0];
    expect(window.loaded).toEqual(['app://warden/index.html#/unlock']);
    expect(existsSync(join(warden.dataDir, 'warden.sock'))).toBe(false);
    const ask = (id: number, method: string, params: object): void =>
      void fake.ipcMain.emit('warden:control', { sender: window.webContents, senderFrame: { url: 'app://warden/index.html#/unlock', parent: null } }, JSON.stringify({ id, method, params }));
    const reply = async (id: number): Promise<{ result?: unknown; error?: { message: string } }> => {
      let found: { id: number } | undefined;
      await until(() => (found = window.webContents.sent.map(([, text]: [string, string]) => JSON.parse(text)).find((m: { id: number }) => m.id === id)) !== undefined, `reply ${id}`);
      return found as never;
    };
    ask(1, 'secret.list', {});
    expect((await reply(1)).error?.message).toBe('the vault is locked: enter its passphrase first');
    ask(2, 'vault.unlock', { passphrase: 'not the right passphrase' });
    expect((await reply(2)).error?.message).toBe('the passphrase does not open this vault; check it and try again');
    ask(3, 'vault.unlock', { passphrase: 'a long enough passphrase' });
    expect((await reply(3)).result).toEqual({ unlocked: true });
    shell = await starting;
    expect(existsSync(join(warden.dataDir, 'warden.sock'))).toBe(true);
    ask(4, 'secret.list', {});
    expect((await reply(4)).result).toMatchObject({ secrets: [{ name: 'TOKEN' }] });
    expect(fake.__calls.trays).toHaveLength(1);
  });
});
