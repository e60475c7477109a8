import type { ApprovalAnswer } from '../../../src-shared/control-api.js';
import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { table } from '../format.js';
import { watchApprovals } from './approvals-watch.js';

/** `warden approvals list | allow ID [--session|--always] | deny ID [--always] | watch`. */
export const approvalsCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  switch (verb) {
    case undefined:
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden approvals list [--json]');
      const { approvals } = await (await context.control()).call('approvals.list', {});
      if (values.json) return context.out(JSON.stringify(approvals));
      if (approvals.length === 0) return context.out('no calls are waiting for approval');
      const seconds = (deadline: number): string => `${Math.max(0, Math.round((deadline - Date.now()) / 1000))} s`;
      return context.out(table(['ID', 'CLIENT', 'SERVER', 'TOOL', 'LEFT', 'WHY', 'ARGUMENTS'], approvals.map((a) => [a.id, a.client, a.server, a.tool, seconds(a.deadline), a.reason, a.arguments.slice(0, 120)])));
    }
    case 'allow':
    case 'deny': {
      const usage = verb === 'allow' ? 'warden approvals allow ID [--session|--always]' : 'warden approvals deny ID [--always]';
      const { values, positionals } = parse(rest, { session: { type: 'boolean' }, always: { type: 'boolean' } }, usage);
      const id = onePositional(positionals, 'an approval id', usage);
      const flags = values;
      if (verb === 'deny' && flags.session) throw new UsageError(`--session is for allow; usage: ${usage}`);
      if (flags.session && flags.always) throw new UsageError(`choose --session or --always, not both; usage: ${usage}`);
      const answer: ApprovalAnswer =
        verb === 'deny' ? (flags.always ? 'deny-always' : 'deny') : flags.always ? 'allow-always' : flags.session ? 'allow-session' : 'allow-once';
      await (await context.control()).call('approvals.answer', { id, answer });
      return context.out(`${id}: ${answer}`);
    }
    case 'watch':
      return watchApprovals(rest, context);
    default:
      throw new UsageError('usage: warden approvals list | allow ID [--session|--always] | deny ID [--always] | watch');
  }
};
