import { isIP } from 'node:net';

/** Loopback names and addresses, where plain http is acceptable. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Decides whether a URL may be opened in the system browser. Only https, and http to a
 * loopback host, with no credentials in it; every other scheme (file:, javascript:, data:,
 * smb:, custom handlers) is refused. Returns the normalized URL to open, or a refusal sentence.
 * The caller opens it without a shell: no command line is ever built from it (CVE-2025-6514).
 */
export function checkExternalUrl(raw: string): { ok: true; url: string } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'the link is not a valid URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'the link carries a user name or password' };
  if (url.protocol === 'https:') return { ok: true, url: url.href };
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return { ok: true, url: url.href };
  if (url.protocol === 'http:') return { ok: false, reason: 'plain http is allowed only to this computer (localhost)' };
  return { ok: false, reason: `links with the ${url.protocol} scheme are never opened` };
}
