import { SECRET_NAME } from '../../../src-shared/names.js';
import { InvalidInputError } from '../errors/warden-error.js';
import type { Vault } from '../vault/vault.js';
import { credentialReason } from './credential-shapes.js';

/** The vault as splitting and adopting use it (a dry run passes one that stores nothing). */
export type ValueVault = Pick<Vault, 'has' | 'resolve' | 'set'>;

/** One value an import or a reconnect moved into the vault, and why (never the value). */
export interface VaultedValue {
  env: string;
  secret: string;
  why: string;
}

/** What became of an entry's env (or headers): templates to store, and which went where. */
export interface SplitValues {
  values: Record<string, string>;
  vaulted: VaultedValue[];
  kept: string[];
}

/** Most values one entry may bring; a config is outside data. */
const MAX_VALUES = 256;
const MAX_VALUE_BYTES = 64 * 1024;

/**
 * Why a value must go into the vault, or undefined when it may stay plain. Besides what
 * looks like a credential, a value holding `${secret:…}` is vaulted as it is: kept plain, Warden
 * would expand `${secret:OTHER}` from a rewritten config and hand that secret to the server.
 */
export function vaultReason(name: string, value: string): string | undefined {
  if (value.includes('${secret:')) return 'its value holds a ${secret:…} reference, kept literal in the vault';
  return credentialReason(name, value);
}

/**
 * A free secret name for `key` of `server`: the key itself when it already starts with the
 * server's (or the entry's) name (`GITHUB_PERSONAL_ACCESS_TOKEN` for server github), else
 * `SERVER_KEY`; suffixed _2, _3… when taken.
 */
export function secretNameFor(server: string, entry: string, key: string, taken: (name: string) => boolean): string {
  const norm = (text: string): string => text.toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  const upperKey = norm(key);
  const owners = [norm(server), norm(entry), norm(server.replace(/-\d+$/, ''))].filter(Boolean);
  const prefixed = owners.some((owner) => upperKey === owner || upperKey.startsWith(`${owner}_`));
  let base = prefixed ? upperKey : `${norm(server)}_${upperKey}`;
  if (!/^[A-Z_]/.test(base)) base = `S_${base}`;
  base = base.slice(0, 120);
  let name = base;
  for (let n = 2; taken(name); n++) name = `${base}_${n}`;
  if (!SECRET_NAME.test(name)) throw new InvalidInputError(`cannot make a secret name from "${key}"`);
  return name;
}

/**
 * Splits an imported entry's env (or headers): credentials into the vault, as `${secret:NAME}`
 * templates; plain settings, empty values and the names in `keep` stay as they are.
 * @throws InvalidInputError when the entry has too many values or one is too large.
 */
export async function splitValues(
  raw: Record<string, unknown>,
  names: { server: string; entry: string; keep: readonly string[] },
  vault: ValueVault,
  now: number,
): Promise<SplitValues> {
  const entries = Object.entries(raw);
  if (entries.length > MAX_VALUES) throw new InvalidInputError(`the entry "${names.entry}" has ${entries.length} values; Warden takes at most ${MAX_VALUES}`);
  const result: SplitValues = { values: {}, vaulted: [], kept: [] };
  for (const [key, value] of entries) {
    const text = String(value);
    if (Buffer.byteLength(text) > MAX_VALUE_BYTES) throw new InvalidInputError(`the value of ${key} in "${names.entry}" is larger than 64 KiB`);
    const why = names.keep.includes(key) || text === '' ? undefined : vaultReason(key, text);
    if (why === undefined) {
      result.values[key] = text;
      result.kept.push(key);
      continue;
    }
    const secret = secretNameFor(names.server, names.entry, key, (name) => vault.has(name));
    await vault.set(secret, text, now);
    result.values[key] = `\${secret:${secret}}`;
    result.vaulted.push({ env: key, secret, why });
  }
  return result;
}

/** What taking a rewritten entry's values did: values stored anew, and the server's new templates. */
export interface AdoptedValues {
  /** Keys whose new value replaced a vault secret's. */
  updated: Array<{ env: string; secret: string }>;
  /** Keys new or changed outside the vault: moved in (vaulted) or kept plain. */
  vaulted: VaultedValue[];
  kept: string[];
  /** The server's env (or headers) templates after the change; undefined when unchanged. */
  values: Record<string, string> | undefined;
}

/**
 * Takes the values a user wrote into an entry that Warden had connected (a new token pasted
 * over Warden's entry): a changed value of a `${secret:NAME}` goes into that secret; a new or
 * changed plain one is split like an import. Values equal to what Warden holds change nothing.
 */
export async function adoptValues(
  current: Record<string, unknown>,
  templates: Record<string, string>,
  names: { server: string; entry: string },
  vault: ValueVault,
  now: number,
): Promise<AdoptedValues> {
  const entries = Object.entries(current);
  if (entries.length > MAX_VALUES) throw new InvalidInputError(`the entry "${names.entry}" has ${entries.length} values; Warden takes at most ${MAX_VALUES}`);
  const result: AdoptedValues = { updated: [], vaulted: [], kept: [], values: undefined };
  const next = { ...templates };
  for (const [key, value] of entries) {
    const text = String(value);
    if (Buffer.byteLength(text) > MAX_VALUE_BYTES) throw new InvalidInputError(`the value of ${key} in "${names.entry}" is larger than 64 KiB`);
    const template = templates[key];
    if (template !== undefined && resolvesTo(vault, template, text)) continue;
    const only = template === undefined ? undefined : /^\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(template)?.[1];
    if (only !== undefined) {
      await vault.set(only, text, now);
      result.updated.push({ env: key, secret: only });
      continue;
    }
    const why = text === '' ? undefined : vaultReason(key, text);
    if (why === undefined) {
      next[key] = text;
      result.kept.push(key);
    } else {
      const secret = secretNameFor(names.server, names.entry, key, (name) => vault.has(name));
      await vault.set(secret, text, now);
      next[key] = `\${secret:${secret}}`;
      result.vaulted.push({ env: key, secret, why });
    }
  }
  if (result.kept.length > 0 || result.vaulted.length > 0) result.values = next;
  return result;
}

function resolvesTo(vault: ValueVault, template: string, value: string): boolean {
  try {
    return vault.resolve(template) === value;
  } catch {
    return false;
  }
}
