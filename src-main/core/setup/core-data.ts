import type Database from 'better-sqlite3';
import { AuditLog } from '../audit/audit-log.js';
import { lostLogProblem, readHeadFile } from '../audit/audit-head-file.js';
import { ClientKeys } from '../clients/client-keys.js';
import { CallStore } from '../db/call-store.js';
import { ClientStore } from '../db/client-store.js';
import { backupsPath, databasePath, headFilePath } from '../db/data-files.js';
import { openDatabase } from '../db/database.js';
import { MIGRATIONS } from '../db/migrations.js';
import { SecretStore } from '../db/secret-store.js';
import { ServerStore } from '../db/server-store.js';
import { SettingsStore } from '../db/settings-store.js';
import { DamagedDatabaseError } from '../errors/database-error.js';
import { VaultError } from '../errors/vault-error.js';
import type { Cipher } from '../vault/cipher.js';
import { Vault } from '../vault/vault.js';

/** The core's stored state, open and checked. */
export interface CoreData {
  db: Database.Database;
  settings: SettingsStore;
  servers: ServerStore;
  calls: CallStore;
  vault: Vault;
  audit: AuditLog;
  clients: ClientKeys;
}

export interface CoreDataOptions {
  dataDir: string;
  cipher: Cipher;
  /** The cipher the vault used before, when moving to `cipher`. */
  previousCipher?: Cipher;
  now: () => number;
  note(line: string): void;
}

/**
 * Opens the database and the vault of `dataDir`. A head file says a log existed: a missing,
 * empty or shorter database is a loss (DamagedDatabaseError), not a fresh start. A vault sealed
 * with the previous cipher is opened with it and re-encrypted. On failure nothing stays open.
 */
export async function openCoreData(options: CoreDataOptions): Promise<CoreData> {
  const { dataDir, now } = options;
  const headFile = readHeadFile(headFilePath(dataDir));
  const db = openDatabase(databasePath(dataDir), MIGRATIONS, { mustExist: headFile.state !== 'absent', backupDir: backupsPath(dataDir), now });
  const settings = new SettingsStore(db);
  const calls = new CallStore(db);
  let vault = new Vault(new SecretStore(db), settings, options.cipher);
  let auditKey: Buffer;
  try {
    try {
      await vault.open();
    } catch (error) {
      if (!options.previousCipher || !(error instanceof VaultError)) throw error;
      vault = new Vault(new SecretStore(db), settings, options.previousCipher);
      await vault.open();
      await vault.rekey(options.cipher, (work) => db.transaction(work)());
      options.note(`moved the vault from ${options.previousCipher.description} to ${options.cipher.description}`);
    }
    auditKey = await vault.internalKey('audit-hmac');
    const lost = lostLogProblem(new AuditLog(calls, settings, auditKey), headFile);
    if (lost) throw new DamagedDatabaseError(databasePath(dataDir), lost);
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    db,
    settings,
    servers: new ServerStore(db),
    calls,
    vault,
    audit: new AuditLog(calls, settings, auditKey),
    clients: new ClientKeys(new ClientStore(db), now),
  };
}
