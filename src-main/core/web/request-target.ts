/** The longest request target the local web servers read; longer ones are refused. */
export const MAX_TARGET_LENGTH = 8192;

/** A request target that parsed, or the sentence that says why it did not. */
export type RequestTarget =
  | { ok: true; pathname: string; decodedPath: string; searchParams: URLSearchParams }
  | { ok: false; message: string };

const BASE = 'http://127.0.0.1';

/**
 * Reads an HTTP request target (`req.url`) without ever throwing. Only origin-form targets
 * (`/path?query`) are accepted: absolute-form (`http://x/`), authority-form, asterisk-form
 * (`*`), protocol-relative (`//host`), control characters, over-long targets and paths whose
 * percent-escapes do not decode to UTF-8 each get one sentence for a 400 answer.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget {
  const target = raw ?? '/';
  if (target.length > MAX_TARGET_LENGTH) return { ok: false, message: `The address is longer than ${MAX_TARGET_LENGTH} characters.` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(target)) return { ok: false, message: 'The address contains control characters.' };
  if (!target.startsWith('/') || target.startsWith('//')) {
    return { ok: false, message: 'The address must be a path starting with a single "/".' };
  }
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return { ok: false, message: 'The address is not a valid URL path.' };
  }
  if (url.origin !== BASE) return { ok: false, message: 'The address must be a path on this server.' };
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, message: 'The address has a percent-escape that is not valid UTF-8.' };
  }
  if (decodedPath.includes('\u0000')) return { ok: false, message: 'The address contains a NUL character.' };
  return { ok: true, pathname: url.pathname, decodedPath, searchParams: url.searchParams };
}
