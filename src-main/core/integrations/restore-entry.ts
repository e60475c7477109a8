import type { ClientLink } from '../db/link-store.js';
import type { ServerRow } from '../db/server-store.js';
import type { Vault } from '../vault/vault.js';
import type { Entry } from './entry-shapes.js';
import { serverValues, valueField } from './import-entry.js';

/** An entry as `disconnect` writes it back, and the names of the values that come from the vault. */
export interface RestoredEntry {
  /** The entry to write; undefined removes it (a server added by hand had no entry before). */
  entry: Entry | undefined;
  secrets: string[];
}

const SECRET_REFERENCE = /\$\{secret:[A-Za-z_][A-Za-z0-9_]*\}/;

/**
 * The entry a link had before Warden, with its values as the server holds them now (so a
 * token taken in since goes back, not the old one); secret templates resolved from the vault.
 * A link whose `original` is `{}` was added by hand and restores to no entry at all.
 * @throws SecretMissingError when a secret the entry needs is no longer in the vault.
 */
export function restoredEntry(link: ClientLink, server: ServerRow | undefined, vault: Vault): RestoredEntry {
  if (Object.keys(link.original).length === 0) return { entry: undefined, secrets: [] };
  const entry: Entry = { ...link.original };
  const field = valueField(entry);
  const original = entry[field];
  const originalValues = typeof original === 'object' && original !== null && !Array.isArray(original) ? (original as Record<string, string>) : undefined;
  const values = (server ? serverValues(server, field) : undefined) ?? originalValues;
  if (values === undefined || (originalValues === undefined && Object.keys(values).length === 0)) return { entry, secrets: [] };
  const secrets = Object.entries(values).filter(([, v]) => SECRET_REFERENCE.test(v)).map(([k]) => k);
  entry[field] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secrets.includes(k) ? vault.resolve(v) : v]));
  return { entry, secrets };
}
