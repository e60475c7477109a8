import { EventEmitter } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir.js';
import { checkExternalUrl } from '../../../src-main/core/security/url-guard.js';
import { rendererResponse } from '../../../src-main/electron/app-protocol.js';
import { IpcBridge, isTrustedSender } from '../../../src-main/electron/ipc-bridge.js';
import { LoginItem } from '../../../src-main/electron/login-item.js';
import { BASIC_TEXT_WARNING, SafeStorageCipher } from '../../../src-main/electron/safe-storage-cipher.js';
import { trayIcon, trayMenuTemplate, trayTooltip, type TrayState } from '../../../src-main/electron/tray-menu.js';
import { CSP, hardenContents, newSecureWindow } from '../../../src-main/electron/window-security.js';
import { ROOT } from '../../helpers/warden-harness.js';

const fake = createRequire(import.meta.url)('../../fixtures/fake-electron.cjs');
// The stand-in's home folder (a temp dir it made when loaded) goes with this file.
afterAll(() => rmSync(fake.app.getPath('home'), { recursive: true, force: true }));

const approval = (tool: string) => ({ id: `ap_${tool}`, client: 'claude', server: 'github', tool, arguments: '{}', reason: 'r', createdAt: 0, deadline: 1 });
const state = (over: Partial<TrayState> = {}): TrayState => ({ paused: false, pending: [], startAtLogin: false, vaultWarning: null, ...over });
const noop = { openApproval: () => undefined, setPaused: () => undefined, openWindow: () => undefined, setStartAtLogin: () => undefined, quit: () => undefined };

describe('tray menu', () => {
  it('shows the idle state', () => {
    const labels = trayMenuTemplate(state(), noop).map((i) => i.label ?? i.type);
    expect(labels).toEqual(['Pause all tool calls', 'Open Warden', 'separator', 'Start at login', 'Quit MCP Warden']);
    expect(trayIcon(state())).toBe('running');
    expect(trayTooltip(state())).toBe('MCP Warden: running');
  });

  it('offers Resume while paused', () => {
    const labels = trayMenuTemplate(state({ paused: true }), noop).map((i) => i.label);
    expect(labels[0]).toBe('Resume tool calls');
    expect(trayIcon(state({ paused: true }))).toBe('paused');
  });

  it('lists 3 pending approvals first, each opening the approval window', () => {
    const opened: string[] = [];
    const items = trayMenuTemplate(state({ pending: ['a', 'b', 'c'].map(approval) }), { ...noop, openApproval: (id) => opened.push(id) });
    expect(items.slice(0, 4).map((i) => i.label)).toEqual(['3 call(s) waiting for approval', 'a — claude → github', 'b — claude → github', 'c — claude → github']);
    (items[2]!.click as () => void)();
    expect(opened).toEqual(['ap_b']);
    expect(trayIcon(state({ pending: [approval('a')] }))).toBe('pending');
    expect(trayTooltip(state({ pending: ['a', 'b', 'c'].map(approval) }))).toBe('MCP Warden: 3 call(s) waiting for you');
  });

  it('warns when secrets are not protected by a keyring', () => {
    const items = trayMenuTemplate(state({ vaultWarning: BASIC_TEXT_WARNING }), noop);
    expect(items[0]!.label).toBe('⚠ Secrets are not protected by a keyring');
    expect(trayTooltip(state({ vaultWarning: BASIC_TEXT_WARNING }))).toContain('not protected by a keyring');
  });
});

describe('windows', () => {
  it('makes the approval window small, always on top, sandboxed, isolated and without Node', () => {
    const { options } = newSecureWindow(fake.BrowserWindow, 'approval', '/p/preload.cjs') as unknown as { options: Record<string, unknown> };
    expect(options).toMatchObject({ alwaysOnTop: true, width: 460, height: 560, show: false });
    expect(options.webPreferences).toMatchObject({ preload: '/p/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInSubFrames: false, webSecurity: true, webviewTag: false });
    const main = newSecureWindow(fake.BrowserWindow, 'main', '/p') as unknown as { options: { webPreferences: Record<string, unknown>; alwaysOnTop?: boolean } };
    expect(main.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(main.options.alwaysOnTop).toBeUndefined();
  });

  it('serves pages with a strict CSP and nothing outside the window folder', async () => {
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toContain('unsafe-eval');
    const dir = join(ROOT, 'dist', 'renderer');
    const page = rendererResponse('app://warden/index.html', dir);
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(await page.text()).toContain('<div id="root">');
    expect(await rendererResponse('app://warden/../../package.json', dir).text()).not.toContain('"name": "mcp-warden"');
    expect((await rendererResponse('app://warden/%2e%2e/%2e%2e/package.json', dir).text())).not.toContain('"name": "mcp-warden"');
    expect(rendererResponse('app://evil/index.html', dir).status).toBe(404);
  });

  it('refuses navigation and new windows, opening only safe links outside, and every permission', async () => {
    const contents = new fake.BrowserWindow({}).webContents;
    const opened: string[] = [];
    const notes: string[] = [];
    hardenContents(contents, async (url) => void opened.push(url), (n) => notes.push(n));
    let prevented = 0;
    contents.emit('will-navigate', { preventDefault: () => prevented++ }, 'https://evil.example/');
    contents.emit('will-navigate', { preventDefault: () => prevented++ }, 'app://warden/index.html#/logs');
    expect(prevented).toBe(1);
    expect(contents.windowOpenHandler({ url: 'https://docs.example/help' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://docs.example/help']);
    expect(notes.join('\n')).toMatch(/refused to open javascript:alert\(1\): links with the javascript: scheme are never opened/);
    let granted: boolean | undefined;
    contents.permissionHandler(contents, 'media', (answer: boolean) => (granted = answer));
    expect(granted).toBe(false);
  });
});

describe('IPC sender check', () => {
  const own = { id: 7 };
  const event = (over: { id?: number; url?: string; parent?: unknown }) =>
    ({ sender: { id: over.id ?? own.id }, senderFrame: { url: over.url ?? 'app://warden/index.html', parent: over.parent ?? null } }) as never;

  it('accepts our own window showing our page, and refuses a foreign frame, page or window', () => {
    const windows = new Set([own.id]);
    expect(isTrustedSender(event({}), windows)).toBe(true);
    expect(isTrustedSender(event({ parent: {} }), windows)).toBe(false);
    expect(isTrustedSender(event({ url: 'https://evil.example/' }), windows)).toBe(false);
    expect(isTrustedSender(event({ id: 99 }), windows)).toBe(false);
  });

  it('drops a message from an untrusted frame without reaching the core, and notes it', () => {
    const notes: string[] = [];
    const received: string[] = [];
    const ipcMain = new EventEmitter();
    const bridge = new IpcBridge(ipcMain as never, () => ({ receive: (t: string) => received.push(t), close: () => undefined }), (n) => notes.push(n));
    const window = new fake.BrowserWindow({});
    bridge.admit(window.webContents);
    const from = (url: string, parent: unknown = null) => ({ sender: window.webContents, senderFrame: { url, parent } });
    ipcMain.emit('warden:control', from('https://evil.example/'), '{"id":1,"method":"secret.list"}');
    ipcMain.emit('warden:control', from('app://warden/index.html', {}), '{"id":2,"method":"secret.list"}');
    expect(received).toEqual([]);
    expect(notes).toHaveLength(2);
    ipcMain.emit('warden:control', from('app://warden/index.html'), '{"id":3,"method":"status"}');
    expect(received).toEqual(['{"id":3,"method":"status"}']);
  });
});

describe('checkExternalUrl()', () => {
  it.each([
    ['https://auth.example.com/authorize?x=1', true],
    ['http://127.0.0.1:8123/callback', true],
    ['http://localhost/x', true],
    ['http://[::1]:80/', true],
    ['http://auth.example.com/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>', false],
    ['smb://server/share', false],
    ['https://user:pass@auth.example.com/', false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => {
    expect(checkExternalUrl(url).ok).toBe(ok);
  });

  it('passes shell metacharacters through as an encoded URL, never as a command', () => {
    const checked = checkExternalUrl('https://a.example/$(touch /tmp/pwned);`id`');
    expect(checked).toEqual({ ok: true, url: 'https://a.example/$(touch%20/tmp/pwned);%60id%60' });
  });
});

describe('SafeStorageCipher', () => {
  it('warns on Linux with the basic_text backend only', () => {
    expect(new SafeStorageCipher({ ...fake.safeStorage, getSelectedStorageBackend: () => 'basic_text' }, 'linux').warning).toBe(BASIC_TEXT_WARNING);
    expect(new SafeStorageCipher({ ...fake.safeStorage, getSelectedStorageBackend: () => 'gnome_libsecret' }, 'linux').warning).toBeUndefined();
    expect(new SafeStorageCipher({ ...fake.safeStorage, getSelectedStorageBackend: () => 'basic_text' }, 'darwin').warning).toBeUndefined();
  });

  it('round-trips through the async API and refuses a ciphertext moved to another row', async () => {
    const cipher = new SafeStorageCipher(fake.safeStorage, 'linux');
    const sealed = await cipher.encrypt(Buffer.from('s3cret'), 'secret:A');
    expect((await cipher.decrypt(sealed, 'secret:A')).toString()).toBe('s3cret');
    await expect(cipher.decrypt(sealed, 'secret:B')).rejects.toThrow(/does not belong where it was found/);
  });
});

describe('LoginItem', () => {
  it('writes and removes an XDG autostart entry on Linux', () => {
    const configHome = tempDir('warden-xdg-');
    const item = new LoginItem(fake.app, { platform: 'linux', configHome, command: ['/opt/MCP Warden/mcp-warden'] });
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(item.isEnabled()).toBe(true);
    expect(readFileSync(join(configHome, 'autostart', 'mcp-warden.desktop'), 'utf8')).toContain('Exec="/opt/MCP Warden/mcp-warden" --background');
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
  });

  it('uses Electron on macOS and Windows', () => {
    const item = new LoginItem(fake.app, { platform: 'darwin', configHome: '/unused', command: [] });
    item.setEnabled(true);
    expect(fake.app.openAtLogin).toBe(true);
    expect(item.isEnabled()).toBe(true);
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
  });
});
