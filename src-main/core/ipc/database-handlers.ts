import type { AuditLog } from '../audit/audit-log.js';
import type { Upkeep } from '../audit/audit-upkeep.js';
import { sqliteReason } from '../errors/database-error.js';
import { WardenError } from '../errors/warden-error.js';
import type { ControlHandlers } from './control-connection.js';

export interface DatabaseDeps {
  audit: AuditLog;
  upkeep: Pick<Upkeep, 'backupNow'>;
}

/** `warden log verify` and `warden db backup`: the audit chain and the database's copies. */
export function createDatabaseHandlers(deps: DatabaseDeps): Pick<ControlHandlers, 'log.verify' | 'db.backup'> {
  return {
    'log.verify': () => {
      const report = deps.audit.verify();
      const first = report.problems[0];
      return { ...report, brokenId: first?.id ?? null, problem: first?.problem ?? null };
    },
    'db.backup': async () => {
      try {
        const info = await deps.upkeep.backupNow();
        return { backup: { name: info.name, path: info.path, kind: info.kind, createdAt: info.createdAt, bytes: info.bytes } };
      } catch (error) {
        const reason = sqliteReason(error) ?? ((error as { code?: unknown }).code === 'ENOSPC' ? 'the disk is full' : undefined);
        throw new WardenError('unavailable', `the backup failed${reason ? ` (${reason})` : ''}; nothing was replaced, and the earlier backups are kept`, { cause: error });
      }
    },
  };
}
