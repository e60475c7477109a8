import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { table } from '../format.js';
import { describeWindow, parseWindow } from '../../core/policy/rate-limiter.js';

const ADD = 'warden limit add [--client C] [--server S] [--tool PATTERN] --max N --per 60s';

/** `warden limit add | list | remove`: at most N calls in any window (a sliding window, per client). */
export const limitCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'add': {
      const { values } = parse(rest, { client: { type: 'string', default: '*' }, server: { type: 'string', default: '*' }, tool: { type: 'string', default: '*' }, max: { type: 'string' }, per: { type: 'string' }, json: { type: 'boolean' } }, ADD);
      const max = Number(values.max);
      if (!Number.isInteger(max) || max < 1) throw new UsageError(`--max takes a whole number of calls, at least 1; usage: ${ADD}`);
      const perMs = values.per === undefined ? undefined : parseWindow(values.per);
      if (perMs === undefined) throw new UsageError(`--per takes a window such as 60s, 5m or 1h; usage: ${ADD}`);
      const { limit } = await (await context.control()).call('limit.add', { client: values.client, server: values.server, target: values.tool, max, perMs });
      return context.out(values.json ? JSON.stringify(limit) : `added limit ${limit.id}: at most ${limit.max} call(s) in any ${describeWindow(limit.perMs)}, for each client matching "${limit.client}" on ${limit.server} / ${limit.target}`);
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden limit list [--json]');
      const { limits } = await (await context.control({ start: false })).call('limit.list', {});
      if (values.json) return context.out(JSON.stringify(limits));
      if (limits.length === 0) return context.out('no limits of your own; the default per-client limit applies (warden settings get)');
      context.out(table(['ID', 'CLIENT', 'SERVER', 'TOOL', 'MAX', 'PER'], limits.map((l) => [String(l.id), l.client, l.server, l.target, String(l.max), describeWindow(l.perMs)])));
      return context.out('each limit: at most MAX calls in any window of PER, counted for each client on its own; a call over it is refused');
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, 'warden limit remove ID');
      const id = Number(onePositional(positionals, 'a limit id', 'warden limit remove ID'));
      if (!Number.isInteger(id) || id < 1) throw new UsageError('a limit id is a whole number; see: warden limit list');
      await (await context.control()).call('limit.remove', { id });
      return context.out(`removed limit ${id}`);
    }
    default:
      throw new UsageError('usage: warden limit add | list | remove');
  }
};
