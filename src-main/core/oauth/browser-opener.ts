import { spawn } from 'node:child_process';
import { checkExternalUrl } from '../security/url-guard.js';

/** Opens a URL in the user's browser; the desktop shell passes Electron's shell.openExternal. */
export type BrowserOpener = (url: string) => Promise<void>;

/**
 * The headless opener: $BROWSER when set (its first entry; "%s" replaced by the URL, else the
 * URL appended), else the platform's opener. The URL is checked by the guard first and passed
 * as one argument to a process started without a shell: no command line is built from it.
 */
export function systemBrowserOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BrowserOpener {
  return async (url) => {
    const checked = checkExternalUrl(url);
    if (!checked.ok) throw new Error(`refused to open the sign-in page: ${checked.reason}`);
    const [command, ...args] = commandFor(checked.url, env, platform);
    const child = spawn(command as string, args, { detached: true, stdio: 'ignore', shell: false, windowsHide: true });
    child.on('error', () => undefined);
    child.unref();
  };
}

function commandFor(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const browser = env.BROWSER?.split(platform === 'win32' ? ';' : ':').find((entry) => entry.trim() !== '');
  if (browser) {
    const parts = browser.trim().split(/\s+/);
    return parts.some((part) => part.includes('%s')) ? parts.map((part) => part.replace('%s', url)) : [...parts, url];
  }
  if (platform === 'darwin') return ['open', url];
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler', url];
  return ['xdg-open', url];
}
