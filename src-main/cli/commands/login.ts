import { onePositional, parse, type Command } from '../context.js';
import { isoTime } from '../format.js';

/** `warden login NAME`: sign in to a remote server in the browser (waits for it). */
export const loginCommand: Command = async (argv, context) => {
  const name = onePositional(parse(argv, {}, 'warden login NAME').positionals, 'a server name', 'warden login NAME');
  process.stderr.write(`signing in to "${name}" (when it asks for a person, its sign-in page opens in your browser; finish there)…\n`);
  const { expiresAt } = await (await context.control()).call('oauth.login', { name });
  context.out(`signed in to "${name}"${expiresAt === null ? '' : ` (the access token expires at ${isoTime(expiresAt)}; Warden refreshes it)`}`);
};

/** `warden logout NAME`: forget (and where offered, revoke) a remote server's tokens. */
export const logoutCommand: Command = async (argv, context) => {
  const name = onePositional(parse(argv, {}, 'warden logout NAME').positionals, 'a server name', 'warden logout NAME');
  await (await context.control()).call('oauth.logout', { name });
  context.out(`signed out of "${name}"; its tokens are forgotten`);
};
