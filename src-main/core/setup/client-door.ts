import type { Socket } from 'node:net';
import type { AuditLog } from '../audit/audit-log.js';
import { logRefusedHello } from '../audit/refused-hello.js';
import type { ClientKeys } from '../clients/client-keys.js';
import type { HelloLimiter } from '../clients/hello-limiter.js';
import type { ServerStore } from '../db/server-store.js';
import type { SessionHub } from '../gateway/session-hub.js';
import { tokenMatches } from '../ipc/admin-token.js';
import { socketTransport, type ControlTransport } from '../ipc/control-connection.js';
import type { Hello } from '../ipc/hello.js';

export interface ClientDoorDeps {
  clients: ClientKeys;
  audit: AuditLog;
  servers: ServerStore;
  hub: SessionHub;
  limiter: HelloLimiter;
  adminToken: string;
  serveControl(transport: ControlTransport): void;
  note(line: string): void;
  now: () => number;
}

/** Ends a connection with one refusal line. */
export function refuseConnection(socket: Socket, error: string): void {
  socket.end(JSON.stringify({ warden: 1, ok: false, error }) + '\n');
}

/**
 * The local socket's door: an admin hello with the right token gets the control API; a client
 * hello with a valid key gets a session (one server, or the aggregated session when it names
 * none). Wrong tokens and keys are refused slowly (failures only) and logged, folded.
 */
export function createClientDoor(deps: ClientDoorDeps): (hello: Hello, socket: Socket, rest: Buffer) => void {
  const { note } = deps;
  return (hello, socket, rest) => {
    if (hello.type === 'admin') {
      if (!tokenMatches(hello.token, deps.adminToken)) {
        note('refused a control connection with a wrong admin token');
        deps.limiter.refuseLater(socket, () =>
          refuseConnection(socket, 'the admin token is wrong; the CLI reads it from the data dir (is WARDEN_HOME the same as the running core?)'),
        );
        return;
      }
      socket.write('{"warden":1,"ok":true}\n');
      deps.serveControl(socketTransport(socket));
      if (rest.length > 0) socket.emit('data', rest);
      return;
    }
    const check = deps.clients.verify(hello.key);
    const asked = hello.server === undefined ? '(aggregated)' : hello.server.slice(0, 64);
    if (!check.ok) {
      note(`refused a shim for server "${asked}": ${check.reason}`);
      logRefusedHello(deps.audit, { session: '-', server: asked, reason: check.reason, now: deps.now() }, note);
      deps.limiter.refuseLater(socket, () => refuseConnection(socket, check.reason));
      return;
    }
    if (hello.server !== undefined) {
      const target = deps.servers.get(hello.server);
      if (!target) {
        refuseConnection(socket, `Warden has no server named "${hello.server.slice(0, 64)}"; see: warden server list`);
        return;
      }
      if (!target.enabled) {
        refuseConnection(socket, `server "${target.name}" is disabled; enable it in the window or with: warden server enable ${target.name}`);
        return;
      }
    }
    socket.write('{"warden":1,"ok":true}\n');
    deps.hub.attach(check.client, hello.server, socket, rest, hello.parentPid);
  };
}
