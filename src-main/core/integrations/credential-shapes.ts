/**
 * Deciding which values of an imported entry are credentials (they go into the vault) and
 * which are plain settings (they stay as plain env). When in doubt a value counts as a
 * credential: a setting kept in the vault still works, a token left in plain text leaks.
 */

/** Name parts that mark a credential on their own (`GITHUB_PAT`, `X-Api-Key`, `Authorization`). */
const SECRET_WORDS = new Set([
  'TOKEN', 'TOKENS', 'KEY', 'APIKEY', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PASS', 'PWD', 'PASSPHRASE',
  'AUTH', 'AUTHORIZATION', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'PAT', 'COOKIE', 'SESSION', 'BEARER', 'JWT',
  'PRIVATE', 'SIGNATURE', 'DSN', 'CONNECTIONSTRING',
]);

/** Name parts that mark a credential inside a longer part (`ACCESSTOKEN`, `CLIENTSECRET`). */
const SECRET_INFIXES = ['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'APIKEY', 'CREDENTIAL'];

/** Token shapes published by their issuers, and generic bearer forms. */
const VALUE_SHAPES: Array<{ what: string; pattern: RegExp }> = [
  { what: 'a GitHub token', pattern: /^(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})$/ },
  { what: 'a GitLab token', pattern: /^glpat-[A-Za-z0-9_-]{16,}$/ },
  { what: 'an API key (sk-…)', pattern: /^sk-[A-Za-z0-9_-]{16,}$/ },
  { what: 'a Slack token', pattern: /^xox[abprse]-[A-Za-z0-9-]{10,}$/ },
  { what: 'an AWS access key', pattern: /^(AKIA|ASIA)[A-Z0-9]{16}$/ },
  { what: 'a Google API key', pattern: /^AIza[A-Za-z0-9_-]{30,}$/ },
  { what: 'an npm token', pattern: /^npm_[A-Za-z0-9]{30,}$/ },
  { what: 'a Hugging Face token', pattern: /^hf_[A-Za-z0-9]{30,}$/ },
  { what: 'a Stripe key', pattern: /^[rsp]k_(live|test)_[A-Za-z0-9]{16,}$/ },
  { what: 'a JWT', pattern: /^eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/ },
  { what: 'a bearer or basic credential', pattern: /^(Bearer|Basic|Token)\s+\S{8,}$/i },
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'a URL with a password', pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i },
];

/** Longest value the entropy test reads; longer values are credentials (keys, certificates). */
const MAX_SCANNED = 4096;

/**
 * Why a variable (or header) looks like a credential, in a few words, or undefined when it
 * looks like a plain setting. Judged by its name first, then by its value: a known token
 * shape, or a long string without spaces that is not a path, a URL or a number and is varied
 * enough to be random. Never returns any part of the value.
 */
export function credentialReason(name: string, value: string): string | undefined {
  const byName = nameReason(name);
  if (byName) return byName;
  if (value.length > MAX_SCANNED) return 'its value is long enough to be a key';
  for (const shape of VALUE_SHAPES) if (shape.pattern.test(value)) return `its value looks like ${shape.what}`;
  if (looksRandom(value)) return 'its value looks like a random key';
  return undefined;
}

function nameReason(name: string): string | undefined {
  // Split on separators and camelCase humps: "xApiKey" → X, API, KEY.
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const joined = parts.join('');
  if (parts.some((part) => SECRET_WORDS.has(part)) || SECRET_INFIXES.some((infix) => joined.includes(infix))) {
    return `its name (${name}) says it is a credential`;
  }
  return undefined;
}

/**
 * A long unbroken string of mixed letters and digits with high per-character entropy; paths,
 * URLs, e-mail addresses, numbers and dotted versions are settings.
 */
function looksRandom(value: string): boolean {
  if (value.length < 20 || /\s/.test(value)) return false;
  if (/^(\/|~|\.{1,2}\/|[A-Za-z]:[\\/]|\\\\)/.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false;
  if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(value) || /^[\d.,:_-]+$/.test(value)) return false;
  if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) return false;
  return entropyBitsPerChar(value) >= 3.2;
}

function entropyBitsPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
