import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { table } from '../format.js';

const ADD = 'warden guard add --server S --tool PATTERN --pattern REGEX [--name N] [--mode block|flag]';
const PRESET = 'warden guard preset --server S --tool PATTERN [--mode flag|block]';

function mode(value: string | undefined, fallback: 'flag' | 'block'): 'flag' | 'block' {
  if (value === undefined) return fallback;
  if (value !== 'flag' && value !== 'block') throw new UsageError('--mode is flag (log only) or block');
  return value;
}

/** `warden guard add | preset | list | remove`: deny patterns over string arguments. */
export const guardCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'add': {
      const { values } = parse(rest, { server: { type: 'string', default: '*' }, tool: { type: 'string', default: '*' }, pattern: { type: 'string' }, name: { type: 'string' }, mode: { type: 'string' } }, ADD);
      if (values.pattern === undefined) throw new UsageError(`--pattern is required; usage: ${ADD}`);
      const { guard } = await (await context.control()).call('guard.add', {
        server: values.server,
        tool: values.tool,
        pattern: values.pattern,
        mode: mode(values.mode, 'block'),
        ...(values.name === undefined ? {} : { name: values.name }),
      });
      return context.out(`added guard ${guard.id} (${guard.mode}) on ${guard.server} / ${guard.tool}`);
    }
    case 'preset': {
      const { values } = parse(rest, { server: { type: 'string', default: '*' }, tool: { type: 'string', default: '*' }, mode: { type: 'string' } }, PRESET);
      const { added } = await (await context.control()).call('guard.preset', { server: values.server, tool: values.tool, mode: mode(values.mode, 'flag') });
      return context.out(added.map((g) => `added guard ${g.id} (${g.mode}): ${g.name}`).join('\n'));
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden guard list [--json]');
      const { guards } = await (await context.control({ start: false })).call('guard.list', {});
      if (values.json) return context.out(JSON.stringify(guards));
      if (guards.length === 0) return context.out('no argument guards; add the ready set with: warden guard preset --server S --tool T');
      return context.out(table(['ID', 'SERVER', 'TOOL', 'MODE', 'NAME', 'PATTERN'], guards.map((g) => [String(g.id), g.server, g.tool, g.mode, g.name, g.pattern])));
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, 'warden guard remove ID');
      const id = Number(onePositional(positionals, 'a guard id', 'warden guard remove ID'));
      if (!Number.isInteger(id) || id < 1) throw new UsageError('a guard id is a whole number; see: warden guard list');
      await (await context.control()).call('guard.remove', { id });
      return context.out(`removed guard ${id}`);
    }
    default:
      throw new UsageError('usage: warden guard add | preset | list | remove');
  }
};
