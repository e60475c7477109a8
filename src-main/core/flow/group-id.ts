import type { GroupIdentity } from './flow-group.js';

/**
 * The group of a session that is one conversation by itself: an aggregated session (its legs
 * share it), or an HTTP session (its MCP session id).
 */
export function sessionGroup(client: string, sessionId: string): GroupIdentity {
  return { id: `session:${sessionId}`, client, kind: 'session', parentPid: null };
}

/**
 * The group of a per-server shim connection: every shim one client process launched (same
 * client key, same parent pid from the hello) is one conversation. A hello without a usable
 * parent pid (an older shim; anything but a positive integer) falls into the client's one
 * catch-all group: it fails closed — more calls share legs, none escapes them.
 */
export function processGroup(client: string, parentPid: unknown): GroupIdentity {
  if (typeof parentPid === 'number' && Number.isSafeInteger(parentPid) && parentPid > 0 && parentPid <= 0xffffffff) {
    return { id: `process:${parentPid}:${client}`, client, kind: 'process', parentPid };
  }
  return { id: `client:${client}`, client, kind: 'client', parentPid: null };
}
