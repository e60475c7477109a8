import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { isoTime, table } from '../format.js';
import { readSecretValue } from '../read-secret.js';

/** `warden secret set | list | remove`; values come from stdin, never from an argument. */
export const secretCommand: Command = async (argv, context) => {
  const [action, ...rest] = argv;
  switch (action) {
    case 'set': {
      const usage = 'warden secret set NAME  (the value on stdin)';
      const { positionals } = parse(rest, {}, usage);
      const name = onePositional(positionals, 'a secret name', usage);
      const value = await readSecretValue(`value for ${name}: `);
      if (value === '') throw new UsageError(`no value was given on stdin; usage: ${usage}`);
      const { replaced } = await (await context.control()).call('secret.set', { name, value });
      context.out(`${replaced ? 'replaced' : 'stored'} secret ${name}`);
      return;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden secret list [--json]');
      const { secrets } = await (await context.control({ start: false })).call('secret.list', {});
      if (values.json) return context.out(JSON.stringify(secrets));
      if (secrets.length === 0) return context.out('no secrets yet; store one with: warden secret set NAME');
      context.out(table(['NAME', 'UPDATED', 'USED BY'], secrets.map((s) => [s.name, isoTime(s.updatedAt), s.usedBy.join(', ') || '-'])));
      return;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, 'warden secret remove NAME');
      const name = onePositional(positionals, 'a secret name', 'warden secret remove NAME');
      await (await context.control()).call('secret.remove', { name });
      context.out(`removed secret ${name}`);
      return;
    }
    default:
      throw new UsageError('usage: warden secret set | list | remove');
  }
};
