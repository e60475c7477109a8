/**
 * Session ids of calls that came over the local HTTP endpoint start with this (`http-<uuid>`;
 * `http-auth` for refused credentials), so a row says how the call came without a column.
 */
export const HTTP_SESSION_PREFIX = 'http-';

/** True when a call row's session id says it came over the HTTP endpoint. */
export function cameOverHttp(session: string): boolean {
  return session.startsWith(HTTP_SESSION_PREFIX);
}
