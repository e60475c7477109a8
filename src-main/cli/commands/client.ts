import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { isoTime, table } from '../format.js';

/** `warden client add | list | revoke`. */
export const clientCommand: Command = async (argv, context) => {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, 'warden client add NAME [--json]');
      const name = onePositional(positionals, 'a client name', 'warden client add NAME');
      const { client, key } = await (await context.control()).call('client.add', { name });
      if (values.json) return context.out(JSON.stringify({ ...client, key }));
      context.out(key);
      process.stderr.write(`This is the only time the key for "${client.name}" is shown. Give it to the client as WARDEN_CLIENT_KEY.\n`);
      return;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden client list [--json]');
      const { clients } = await (await context.control({ start: false })).call('client.list', {});
      if (values.json) return context.out(JSON.stringify(clients));
      if (clients.length === 0) return context.out('no client keys yet; create one with: warden client add NAME');
      context.out(
        table(
          ['NAME', 'KEY', 'CREATED', 'LAST SEEN', 'STATE'],
          clients.map((c) => [c.name, `${c.prefix}…`, isoTime(c.createdAt), isoTime(c.lastSeenAt), c.revoked ? 'revoked' : 'active']),
        ),
      );
      return;
    }
    case 'revoke': {
      const { positionals } = parse(rest, {}, 'warden client revoke NAME');
      const name = onePositional(positionals, 'a client name', 'warden client revoke NAME');
      await (await context.control()).call('client.revoke', { name });
      context.out(`revoked client "${name}"; its sessions are refused from their next message`);
      return;
    }
    default:
      throw new UsageError('usage: warden client add | list | revoke');
  }
};
