import type { ServerStore } from '../db/server-store.js';
import { NotFoundError, WardenError } from '../errors/warden-error.js';
import type { OAuthManager } from '../oauth/oauth-manager.js';
import type { ControlHandlers } from './control-connection.js';

/** `warden login NAME` / `warden logout NAME`. */
export function createOAuthHandlers(servers: ServerStore, oauth: OAuthManager): Pick<ControlHandlers, 'oauth.login' | 'oauth.logout'> {
  const remote = (name: string): string => {
    const server = servers.get(name);
    if (!server) throw new NotFoundError('server', name);
    if (server.kind !== 'remote') throw new WardenError('invalid_request', `"${name}" is a local server; only remote servers sign in`);
    return server.config.url;
  };
  return {
    'oauth.login': async ({ name }) => {
      const url = remote(name);
      try {
        const status = await oauth.login(name, url);
        return { name, expiresAt: status.expiresAt };
      } catch (error) {
        if (error instanceof WardenError) throw error;
        throw new WardenError('unavailable', `signing in to "${name}" failed: ${(error as Error).message}`, { cause: error });
      }
    },
    'oauth.logout': async ({ name }) => {
      await oauth.logout(name, remote(name));
      return { name };
    },
  };
}
