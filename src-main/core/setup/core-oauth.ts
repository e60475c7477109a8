import { CallbackServer } from '../oauth/callback-server.js';
import { systemBrowserOpener, type BrowserOpener } from '../oauth/browser-opener.js';
import { OAuthManager } from '../oauth/oauth-manager.js';
import { resolveOAuthSettings } from '../oauth/oauth-settings.js';
import { OAuthStore } from '../oauth/oauth-store.js';
import type { CoreData } from './core-data.js';

/** Sign-in for remote servers: the loopback callback server and the token manager. */
export interface CoreOAuth {
  oauth: OAuthManager;
  callbacks: CallbackServer;
}

/** Starts the OAuth callback listener and the manager that keeps tokens sealed in the vault. */
export async function setupOAuth(data: CoreData, note: (line: string) => void, now: () => number, openBrowser?: BrowserOpener): Promise<CoreOAuth> {
  const { db, vault, servers, settings } = data;
  const callbacks = new CallbackServer(note);
  await callbacks.start();
  const oauth = new OAuthManager(new OAuthStore(db, vault), callbacks, openBrowser ?? systemBrowserOpener(), note, now, (name) => {
    const server = servers.get(name);
    return resolveOAuthSettings(server?.kind === 'remote' ? server.config.oauth : undefined, (template) => vault.resolve(template), settings.get('oauthClientMetadataUrl'));
  });
  return { oauth, callbacks };
}
