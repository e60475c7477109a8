import type * as ElectronNamespace from 'electron';
import { spawn } from 'node:child_process';
import { join, sep } from 'node:path';
import type { ControlMethod, ControlRequest, ControlResults, PendingApproval } from '../../src-shared/control-api.js';
import { ControlCalls } from '../../src-shared/control-calls.js';
import { startCore, type Core } from '../core/daemon.js';
import { lockPath } from '../core/paths.js';
import { checkExternalUrl } from '../core/security/url-guard.js';
import { acquireLock } from '../core/single-instance.js';
import { KeyFileCipher } from '../core/vault/key-file-cipher.js';
import type { Cipher } from '../core/vault/cipher.js';
import { passphraseCipher, readVaultMode, type VaultMode } from '../core/vault/vault-mode.js';
import { WardenError } from '../core/errors/warden-error.js';
import { rendererResponse } from './app-protocol.js';
import { IpcBridge, type OpenControl } from './ipc-bridge.js';
import { LoginItem } from './login-item.js';
import { SafeStorageCipher } from './safe-storage-cipher.js';
import { trayIcon, trayMenuTemplate, trayTooltip, type TrayState } from './tray-menu.js';
import { APP_ORIGIN, hardenContents, newSecureWindow, type WindowKind } from './window-security.js';

/** The parts of Electron the shell uses; tests pass fakes of these. */
export type ElectronModule = Pick<
  typeof ElectronNamespace,
  'app' | 'BrowserWindow' | 'Tray' | 'Menu' | 'nativeImage' | 'ipcMain' | 'safeStorage' | 'protocol' | 'shell' | 'Notification'
>;

export interface ShellOptions {
  /** The build output: dist/ (holds renderer/, electron/, cli/). */
  distDir: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Where the app folder is in development (`electron .`), for the shim to start the app. */
  appPath: string | undefined;
  note?: (text: string) => void;
}

export interface Shell {
  core: Core;
  state(): TrayState;
  /** Quits as the tray's Quit does: stops the core (every upstream) first. */
  quit(): Promise<void>;
}

type BrowserWindow = ElectronNamespace.BrowserWindow;

/**
 * The desktop app: one instance; the Warden core in the main process; a tray showing the
 * state and the waiting calls; the window and a small always-on-top approval window, both
 * hardened and served from app://warden; start at login. Quitting stops the core and every
 * upstream before the app exits.
 */
export async function startShell(electron: ElectronModule, options: ShellOptions): Promise<Shell | undefined> {
  const { app, BrowserWindow, Tray, Menu, nativeImage, ipcMain, safeStorage, protocol, shell, Notification } = electron;
  const note = options.note ?? ((text: string) => void process.stderr.write(`${text}\n`));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  const background = options.argv.includes('--background');
  let mainWindow: BrowserWindow | undefined;
  let approvalWindow: BrowserWindow | undefined;
  app.on('second-instance', () => showMain());
  // A tray app keeps running when its windows close.
  app.on('window-all-closed', () => undefined);

  await app.whenReady();
  const rendererDir = join(options.distDir, 'renderer');
  protocol.handle('app', (request) => rendererResponse(request.url, rendererDir));

  const dataDir = options.env.WARDEN_HOME ?? app.getPath('userData');
  const release = acquireLock(lockPath(dataDir));
  const keyFile = KeyFileCipher.load(join(dataDir, 'vault.key'), options.env.WARDEN_VAULT_KEY);
  const keychain = safeStorage.isEncryptionAvailable() ? new SafeStorageCipher(safeStorage, options.platform) : undefined;
  const coreOptions = (cipher: Cipher, previousCipher?: Cipher) => ({
    dataDir,
    cipher,
    ...(previousCipher ? { previousCipher } : {}),
    spawn,
    echo: note,
    shim: {
      command: process.execPath,
      // Packaged, the shim is unpacked beside the asar (electron-builder.yml, asarUnpack).
      args: [join(options.distDir, 'cli', 'stdio.mjs').replace(`app.asar${sep}`, `app.asar.unpacked${sep}`)],
      // NODE_OPTIONS blanked: a client's environment must not inject code into the shim.
      env: { ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '', WARDEN_HOME: dataDir, ...(options.appPath ? { WARDEN_APP: options.appPath } : {}) },
    },
  });
  const preload = join(options.distDir, 'electron', 'preload.cjs');
  const openExternal = async (url: string): Promise<void> => {
    const checked = checkExternalUrl(url);
    if (!checked.ok) {
      note(`refused to open ${url.slice(0, 120)}: ${checked.reason}`);
      return;
    }
    await shell.openExternal(checked.url);
  };
  const mode = readVaultMode(dataDir);
  let core: Core;
  let bridge: IpcBridge;
  try {
    if (mode) {
      // Sealed with a passphrase: nothing runs until the user unlocks it in the window.
      const locked = await unlock(mode, (cipher) => startCore(coreOptions(cipher)));
      bridge = locked.bridge;
      core = await locked.core;
    } else {
      // A data dir the headless daemon used is moved over to the keychain on first start.
      core = await startCore(coreOptions(keychain ?? keyFile, keychain ? keyFile : undefined));
      bridge = new IpcBridge(ipcMain, core.openControl, note);
    }
  } catch (error) {
    release();
    throw error;
  }

  /**
   * Opens the unlock window and answers only `vault.unlock` until a passphrase opens the
   * vault; then the same windows talk to the started core.
   */
  async function unlock(vaultMode: VaultMode, start: (cipher: Cipher) => Promise<Core>): Promise<{ bridge: IpcBridge; core: Promise<Core> }> {
    let opened: (core: Core) => void = () => undefined;
    const started = new Promise<Core>((resolve) => {
      opened = resolve;
    });
    const lockedEndpoint: OpenControl = (send) => ({
      receive: (text) => {
        const request = JSON.parse(text) as { id?: unknown; method?: unknown; params?: { passphrase?: unknown } };
        const reply = (body: object): void => send(JSON.stringify({ id: request.id ?? null, ...body }));
        if (request.method !== 'vault.unlock' || typeof request.params?.passphrase !== 'string') {
          reply({ error: { code: 'unavailable', message: 'the vault is locked: enter its passphrase first' } });
          return;
        }
        void passphraseCipher(request.params.passphrase, vaultMode)
          .then(start)
          .then(
            (running) => {
              reply({ result: { unlocked: true } });
              bridgeForUnlock.switchTo(running.openControl);
              opened(running);
            },
            (error: Error) => reply({ error: { code: 'unauthorized', message: error instanceof WardenError ? error.message : 'the vault could not be opened' } }),
          );
      },
      close: () => undefined,
    });
    const bridgeForUnlock = new IpcBridge(ipcMain, lockedEndpoint, note);
    const window = newSecureWindow(BrowserWindow, 'main', preload);
    hardenContents(window.webContents, openExternal, note);
    bridgeForUnlock.admit(window.webContents);
    window.once('ready-to-show', () => window.show());
    void window.loadURL(`${APP_ORIGIN}/index.html#/unlock`);
    mainWindow = window;
    return { bridge: bridgeForUnlock, core: started };
  }

  const control = localClient(core);
  const login = new LoginItem(app, {
    platform: options.platform,
    configHome: options.env.XDG_CONFIG_HOME ?? join(app.getPath('home'), '.config'),
    command: options.appPath ? [process.execPath, options.appPath] : [process.execPath],
  });

  const open = (existing: BrowserWindow | undefined, kind: WindowKind, hash: string): BrowserWindow => {
    if (existing && !existing.isDestroyed()) {
      void existing.loadURL(`${APP_ORIGIN}/index.html#/${hash}`);
      existing.show();
      existing.focus();
      return existing;
    }
    const window = newSecureWindow(BrowserWindow, kind, preload);
    hardenContents(window.webContents, openExternal, note);
    bridge.admit(window.webContents);
    window.once('ready-to-show', () => window.show());
    void window.loadURL(`${APP_ORIGIN}/index.html#/${hash}`);
    return window;
  };
  const showMain = (): void => {
    mainWindow = open(mainWindow, 'main', 'overview');
  };
  const showApprovals = (): void => {
    approvalWindow = open(approvalWindow, 'approval', 'approvals');
  };

  const state: TrayState = {
    paused: false,
    pending: [],
    startAtLogin: login.isEnabled(),
    vaultWarning: (await control.call('status', {})).vault.warning,
  };
  const icons = {
    running: nativeImage.createFromPath(join(options.distDir, 'electron', 'tray-running.png')),
    paused: nativeImage.createFromPath(join(options.distDir, 'electron', 'tray-paused.png')),
    pending: nativeImage.createFromPath(join(options.distDir, 'electron', 'tray-pending.png')),
  };
  const tray = new Tray(icons.running);
  let quitting: Promise<void> | undefined;
  const timers: { pauseWatch?: NodeJS.Timeout } = {};
  const quit = (): Promise<void> => {
    quitting ??= (async () => {
      clearInterval(timers.pauseWatch);
      await core.close();
      release();
      app.exit(0);
    })();
    return quitting;
  };
  const render = (): void => {
    tray.setImage(icons[trayIcon(state)]);
    tray.setToolTip(trayTooltip(state));
    tray.setContextMenu(
      Menu.buildFromTemplate(
        trayMenuTemplate(state, {
          openApproval: () => showApprovals(),
          setPaused: (paused) => void control.call('settings.set', { paused }).then(refreshQuietly),
          openWindow: showMain,
          setStartAtLogin: (enabled) => {
            login.setEnabled(enabled);
            state.startAtLogin = login.isEnabled();
            render();
          },
          quit: () => void quit(),
        }),
      ),
    );
  };
  const refresh = async (): Promise<void> => {
    if (quitting) return;
    const [{ approvals }, { settings }] = await Promise.all([control.call('approvals.list', {}), control.call('settings.get', {})]);
    if (quitting) return;
    state.pending = approvals;
    state.paused = settings.paused;
    render();
  };
  tray.on('click', showMain);
  const refreshQuietly = (): void => void refresh().catch((error: Error) => note(`the tray could not refresh: ${error.message}`));
  control.on('approval', ({ event, approval }) => {
    refreshQuietly();
    if (event !== 'added') return;
    showApprovals();
    notify(Notification, approval);
  });
  await control.call('approvals.follow', {});
  await refresh();
  // The kill switch can also be toggled from the CLI or the window.
  timers.pauseWatch = setInterval(refreshQuietly, 2000);
  timers.pauseWatch.unref?.();

  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    void quit();
  });
  void core.stopRequested.then(() => quit());
  if (!background && !mode) showMain();
  return { core, state: () => ({ ...state }), quit };
}

/** An OS notification too, where the platform shows one; the approval window is where to answer. */
function notify(Notification: ElectronModule['Notification'], approval: PendingApproval): void {
  if (!Notification.isSupported()) return;
  new Notification({ title: 'MCP Warden: approval needed', body: `${approval.client} wants to call ${approval.tool} on ${approval.server}` }).show();
}

/** The shell's own typed client over an in-process control connection. */
function localClient(core: Core): {
  call<M extends ControlMethod>(method: M, params: ControlRequest<M>): Promise<ControlResults[M]>;
  on(event: 'approval', listener: (data: { event: 'added' | 'settled'; approval: PendingApproval }) => void): void;
} {
  // The channel and the calls refer to each other: the holder breaks the cycle.
  const link: { channel?: { receive(text: string): void } } = {};
  const calls = new ControlCalls((text) => link.channel?.receive(text));
  link.channel = core.openControl((text) => calls.receive(text));
  return {
    call: (method, params) => calls.call(method, params) as Promise<ControlResults[typeof method]>,
    on: (event, listener) =>
      void calls.onEvent((name, data) => {
        if (name === event) listener(data as { event: 'added' | 'settled'; approval: PendingApproval });
      }),
  };
}
