import type { ControlMethod } from '../../../src-shared/control-api.js';
import type { ServerStore } from '../db/server-store.js';
import { NotFoundError } from '../errors/warden-error.js';
import type { FlowGuard } from '../flow/flow-guard.js';
import type { FlowLabels } from '../flow/flow-labels.js';
import type { ControlHandlers } from './control-connection.js';

export interface FlowDeps {
  servers: ServerStore;
  labels: FlowLabels;
  guard: FlowGuard;
}

type FlowMethods = Extract<ControlMethod, `label.${string}` | 'flow.groups'>;

/**
 * The control methods of the flow guard: labels per server and tool, and the live groups with
 * their legs. Setting a label needs the server to exist (a typo would silently label nothing);
 * the tool may be one not listed yet. Removing and clearing work on any name, so what a removed
 * server left behind can still be taken away.
 */
export function createFlowHandlers(deps: FlowDeps): Pick<ControlHandlers, FlowMethods> {
  const { servers, labels, guard } = deps;
  const requireServer = (name: string): void => {
    if (!servers.get(name)) throw new NotFoundError('server', name);
  };
  return {
    'label.set': ({ server, tool, labels: names }) => {
      requireServer(server);
      return { entry: labels.mark(server, tool, names, true) };
    },
    'label.remove': ({ server, tool, labels: names }) => ({ entry: labels.mark(server, tool, names, false) }),
    'label.clear': ({ server, tool }) => ({ server, tool: tool ?? null, cleared: labels.clear(server, tool) }),
    'label.list': ({ server }) => ({ entries: labels.list(server) }),
    'flow.groups': () => ({ groups: guard.list() }),
  };
}
