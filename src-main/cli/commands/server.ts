import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { table } from '../format.js';

const ADD_USAGE = 'warden server add NAME --command C [--arg A]... [--env K=V]... [--cwd DIR]';

/** `warden server add | list | remove`. */
export const serverCommand: Command = async (argv, context) => {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(
        rest,
        {
          command: { type: 'string' },
          arg: { type: 'string', multiple: true },
          env: { type: 'string', multiple: true },
          cwd: { type: 'string' },
          url: { type: 'string' },
          header: { type: 'string', multiple: true },
          json: { type: 'boolean' },
        },
        ADD_USAGE,
      );
      const name = onePositional(positionals, 'a server name', ADD_USAGE);
      if (values.url !== undefined) {
        throw new UsageError('remote (--url) servers are not supported by this version of Warden yet; add a local server with --command');
      }
      if (values.command === undefined) throw new UsageError(`--command is required; usage: ${ADD_USAGE}`);
      const env: Record<string, string> = {};
      for (const pair of values.env ?? []) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env takes NAME=VALUE, got "${pair.split('=')[0]}"`);
        env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const control = await context.control();
      const { server } = await control.call('server.add', {
        name,
        command: values.command,
        args: values.arg ?? [],
        env,
        ...(values.cwd === undefined ? {} : { cwd: values.cwd }),
      });
      if (values.json) return context.out(JSON.stringify(server));
      context.out(`added server "${server.name}"`);
      if (server.missingSecrets.length > 0) {
        context.out(`note: it uses secrets that are not set yet: ${server.missingSecrets.join(', ')} (warden secret set NAME)`);
      }
      return;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden server list [--json]');
      const { servers } = await (await context.control()).call('server.list', {});
      if (values.json) return context.out(JSON.stringify(servers));
      if (servers.length === 0) return context.out('no servers yet; add one with: warden server add NAME --command C');
      context.out(
        table(
          ['NAME', 'SESSIONS', 'SECRETS', 'COMMAND'],
          servers.map((s) => [
            s.name,
            String(s.sessions),
            s.missingSecrets.length > 0 ? `missing: ${s.missingSecrets.join(',')}` : 'ok',
            [s.command, ...s.args].join(' '),
          ]),
        ),
      );
      return;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, 'warden server remove NAME');
      const name = onePositional(positionals, 'a server name', 'warden server remove NAME');
      await (await context.control()).call('server.remove', { name });
      context.out(`removed server "${name}"`);
      return;
    }
    default:
      throw new UsageError('usage: warden server add | list | remove');
  }
};
