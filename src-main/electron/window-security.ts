import type { BrowserWindowConstructorOptions, WebContents } from 'electron';
import type * as Electron from 'electron';
import { checkExternalUrl } from '../core/security/url-guard.js';

/** Pages are served by the app itself, never from the network or file://. */
export const APP_ORIGIN = 'app://warden';

/** Content-Security-Policy of every page the app serves. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The two kinds of window: the main one, and the small always-on-top approval window. */
export type WindowKind = 'main' | 'approval';

const SIZES: Record<WindowKind, BrowserWindowConstructorOptions> = {
  main: { width: 1100, height: 760, minWidth: 800, minHeight: 600, title: 'MCP Warden' },
  approval: {
    width: 460,
    height: 560,
    alwaysOnTop: true,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    title: 'MCP Warden — approval needed',
  },
};

/**
 * Creates every window of the app, with its security settings written out here, in one
 * place a reviewer (and Electronegativity) can read: context isolation, the sandbox, no Node in
 * any frame or worker, web security on, no webviews.
 */
export function newSecureWindow(BrowserWindow: typeof Electron.BrowserWindow, kind: WindowKind, preload: string): Electron.BrowserWindow {
  return new BrowserWindow({
    ...SIZES[kind],
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would open links in new windows.
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

/** True for URLs of the app's own pages. */
export function isOwnUrl(url: string): boolean {
  return url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
}

/**
 * Refuses navigation away from the app's pages and every new window; a link the user follows
 * is opened in the system browser only when the URL guard allows it. Also refuses every
 * permission request (camera, notifications from the page, …) and webviews.
 */
export function hardenContents(contents: WebContents, openExternal: (url: string) => Promise<void>, note: (text: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (isOwnUrl(url)) return;
    event.preventDefault();
    note(`refused a navigation of the window to ${url.slice(0, 120)}`);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const checked = checkExternalUrl(url);
    if (checked.ok) void openExternal(checked.url);
    else note(`refused to open ${url.slice(0, 120)}: ${checked.reason}`);
    return { action: 'deny' };
  });
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}
