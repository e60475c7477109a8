import { APP_IDS } from '../integrations/client-apps.js';
import type { Integrations } from '../integrations/integrations.js';
import type { ControlHandlers } from './control-connection.js';

type IntegrationMethods = 'clients.status' | 'clients.import' | 'clients.connect' | 'clients.disconnect' | 'clients.backups' | 'clients.removeBackups';

/** The control methods that import from and point client configs at Warden. */
export function createIntegrationHandlers(integrations: Integrations): Pick<ControlHandlers, IntegrationMethods> {
  return {
    'clients.status': ({ callerEnv }) => ({ clients: APP_IDS.flatMap((app) => integrations.status(app, callerEnv)) }),
    'clients.import': ({ app, configPath, keepEnv, defaultAction, callerEnv }) =>
      integrations.import(app, { keepEnv, defaultAction, callerEnv, ...(configPath === undefined ? {} : { configPath }) }),
    'clients.connect': ({ app, configPath, dryRun, servers, aggregate, transport, callerEnv }) =>
      integrations.connect(app, { dryRun, servers, aggregate, transport, callerEnv, ...(configPath === undefined ? {} : { configPath }) }),
    'clients.disconnect': ({ app, configPath, restoreSecrets, dryRun, callerEnv }) =>
      integrations.disconnect(app, { restoreSecrets, dryRun, callerEnv, ...(configPath === undefined ? {} : { configPath }) }),
    'clients.backups': ({ app }) => ({ backups: integrations.backups(app) }),
    'clients.removeBackups': ({ app }) => ({ removed: integrations.removeBackups(app) }),
  };
}
