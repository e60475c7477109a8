import type { ControlClient } from './control-client.js';
import { closest } from './suggest.js';

const NOT_FOUND = /^(server|secret|client) "([^"]{1,200})" does not exist$/;

/**
 * When the core answered that a named server, secret or client does not exist, the message
 * with "did you mean" for the nearest existing name (asked of the same connection); without a
 * near name, or when the lookup fails, the message as it was.
 */
export async function withNotFoundHint(message: string, control: ControlClient | undefined): Promise<string> {
  const match = NOT_FOUND.exec(message);
  if (!match || !control) return message;
  const [, kind, typed] = match as unknown as [string, 'server' | 'secret' | 'client', string];
  try {
    const names =
      kind === 'server'
        ? (await control.call('server.list', {})).servers.map((s) => s.name)
        : kind === 'secret'
          ? (await control.call('secret.list', {})).secrets.map((s) => s.name)
          : (await control.call('client.list', {})).clients.map((c) => c.name);
    const near = closest(typed, names);
    return near === undefined ? message : `${message}; did you mean "${near}"?`;
  } catch {
    return message;
  }
}
