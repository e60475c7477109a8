import type { AuditLog } from '../audit/audit-log.js';
import type { ClientKeys } from '../clients/client-keys.js';
import type { ServerStore } from '../db/server-store.js';
import type { SettingsStore } from '../db/settings-store.js';
import type { SessionHub } from '../gateway/session-hub.js';
import { BearerAuth } from './bearer-auth.js';
import { startHttpEndpoint, type HttpEndpoint } from './http-server.js';

export interface HttpFrontDoorDeps {
  /** The port to listen on (the `httpPort` setting unless `warden daemon --http-port` said). */
  port: number;
  clients: ClientKeys;
  servers: ServerStore;
  hub: SessionHub;
  audit: AuditLog;
  settings: SettingsStore;
  now(): number;
  note(text: string): void;
}

/**
 * The core's HTTP front door wired to its stores: client keys as bearer tokens, sessions
 * from the same SessionHub as the socket's, limits from the settings (read at each request,
 * so a change applies at once; the port applies at the next start). Never rejects for a
 * port it cannot have: {@link HttpEndpoint.status} says so.
 */
export function startHttpFrontDoor(deps: HttpFrontDoorDeps): Promise<HttpEndpoint> {
  const { clients, servers, hub, settings } = deps;
  return startHttpEndpoint({
    port: deps.port,
    auth: new BearerAuth({ verify: (key) => clients.verify(key), audit: deps.audit, now: deps.now, note: deps.note }),
    openSession: (client, server, downstream, id) => hub.open(client, server, downstream, id),
    server: (name) => servers.get(name),
    isRevoked: (client) => clients.isRevoked(client),
    maxBodyBytes: () => settings.get('maxMessageBytes'),
    maxSessionsPerKey: () => settings.get('maxHttpSessionsPerKey'),
    now: deps.now,
    note: deps.note,
  });
}
