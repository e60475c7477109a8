import { listBackups } from '../../core/db/backups.js';
import { backupsPath } from '../../core/db/data-files.js';
import { resetDatabase, restoreDatabase, type RestoreResult } from '../../core/db/restore.js';
import { WardenError } from '../../core/errors/warden-error.js';
import { lockPath } from '../../core/paths.js';
import { acquireLock } from '../../core/single-instance.js';
import { CliError, UsageError } from '../cli-error.js';
import { parse, type Command, type CommandContext } from '../context.js';
import { isoTime, table } from '../format.js';

const USAGE = 'warden db backup | backups [--json] | restore FILE|--latest | reset';

/**
 * `warden db`: backups of the database. `backup` asks the running core (which holds the
 * database open); `backups`, `restore` and `reset` work on the data dir directly, so they
 * still work when the core refuses to start, and `restore`/`reset` take the data-dir lock
 * (refusing while a core runs).
 */
export const dbCommand: Command = async (argv, context) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'backup': {
      parse(rest, {}, 'warden db backup');
      const { backup } = await (await context.control()).call('db.backup', {});
      return context.out(`backed up the database to ${backup.path} (${kib(backup.bytes)})`);
    }
    case 'backups': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden db backups [--json]');
      const backups = listBackups(backupsPath(context.dataDir));
      if (values.json) return context.out(JSON.stringify(backups));
      if (backups.length === 0) return context.out(`no backups yet in ${backupsPath(context.dataDir)}; take one with: warden db backup`);
      return context.out(table(['TAKEN', 'KIND', 'SIZE', 'FILE'], backups.map((b) => [isoTime(b.createdAt), b.kind, kib(b.bytes), b.name])));
    }
    case 'restore': {
      const { values, positionals } = parse(rest, { latest: { type: 'boolean' } }, 'warden db restore FILE|--latest');
      if ((values.latest ? 1 : 0) + positionals.length !== 1) throw new UsageError('name one backup, or --latest; usage: warden db restore FILE|--latest (list them with: warden db backups)');
      const result = offline(context, () => restoreDatabase(context.dataDir, values.latest ? 'latest' : (positionals[0] as string), Date.now()));
      return context.out(`restored the database from ${result.restored}${aside(result)}; Warden starts with it next time`);
    }
    case 'reset': {
      parse(rest, {}, 'warden db reset');
      const result = offline(context, () => resetDatabase(context.dataDir, Date.now()));
      return context.out(`Warden starts with an empty database next time${aside(result)}`);
    }
    default:
      throw new UsageError(`unknown "db ${sub ?? ''}"; usage: ${USAGE}`);
  }
};

/** Runs `work` on the data dir under its lock: never while a core has the database open. */
function offline(context: CommandContext, work: () => RestoreResult): RestoreResult {
  let release: () => void;
  try {
    release = acquireLock(lockPath(context.dataDir));
  } catch (error) {
    if (error instanceof WardenError && error.code === 'conflict') throw new CliError(`${error.message}; stop it first with: warden stop`);
    throw error;
  }
  try {
    return work();
  } finally {
    release();
  }
}

function aside(result: RestoreResult): string {
  return result.keptAside.length === 0 ? '' : `; the replaced files are kept as ${result.keptAside.join(', ')}`;
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}
