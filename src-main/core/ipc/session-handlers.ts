import type { ParsedControlRequest } from '../../../src-shared/control-api.js';
import type { SessionResults } from '../../../src-shared/session-api.js';
import { NotFoundError } from '../errors/warden-error.js';
import type { SessionHub } from '../gateway/session-hub.js';

export interface SessionHandlerDeps {
  hub: Pick<SessionHub, 'toolsModes' | 'setToolsMode' | 'aggregated'>;
  /** Every client (revoked ones too: a mode set for a name outlives its key). */
  clients: { list(): ReadonlyArray<{ name: string }> };
}

type SessionMethod = keyof SessionResults;

/**
 * The control methods of aggregated sessions: each client's tools mode (a change reaches its
 * running sessions at once) and the state of every running session's servers.
 */
export function createSessionHandlers({ hub, clients }: SessionHandlerDeps): { [M in SessionMethod]: (params: ParsedControlRequest<M>) => SessionResults[M] } {
  const names = (): string[] => clients.list().map((client) => client.name);
  return {
    'client.setTools': ({ name, tools }) => {
      if (!names().includes(name)) throw new NotFoundError('client', name);
      hub.setToolsMode(name, tools);
      return { name, tools };
    },
    'client.toolsModes': () => ({ clients: names().map((name) => ({ name, tools: hub.toolsModes.get(name) })) }),
    'sessions.aggregated': () => ({ sessions: hub.aggregated() }),
  };
}
