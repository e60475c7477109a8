import { ACTIONS, describeRule, type Action, type Rule, type TargetKind } from '../../../src-shared/policy-types.js';
import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { table } from '../format.js';

const ADD = 'warden rule add --client C --server S --tool PATTERN --action allow|ask|deny  (or --resource URI / --prompt NAME)';
const EXPLAIN = 'warden rule explain --client C --server S --tool T  (or --resource URI / --prompt NAME)';
const PRESET = 'warden rule preset full|readonly|limited --client C --server S [--tools a,b]';

/** Reads which of --tool / --resource / --prompt was given. */
function target(values: { tool?: string; resource?: string; prompt?: string }, usage: string): { kind: TargetKind; target: string } {
  const given = (['tool', 'resource', 'prompt'] as const).filter((k) => values[k] !== undefined);
  if (given.length !== 1) throw new UsageError(`give exactly one of --tool, --resource, --prompt; usage: ${usage}`);
  const kind = given[0] as TargetKind;
  return { kind, target: values[kind] as string };
}

function action(value: string | undefined, usage: string): Action {
  if (value === undefined || !(ACTIONS as readonly string[]).includes(value)) throw new UsageError(`--action is one of allow, ask, deny; usage: ${usage}`);
  return value as Action;
}

export function ruleRows(rules: Rule[]): string {
  return table(
    ['ID', 'CLIENT', 'SERVER', 'KIND', 'TARGET', 'ACTION'],
    rules.map((r) => [String(r.id), r.client, r.server, r.kind, r.target, r.action]),
  );
}

const targetOptions = { tool: { type: 'string' }, resource: { type: 'string' }, prompt: { type: 'string' } } as const;

/** `warden rule add | list | remove | explain | preset`. */
export const ruleCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'add': {
      const { values } = parse(rest, { client: { type: 'string', default: '*' }, server: { type: 'string' }, ...targetOptions, action: { type: 'string' }, json: { type: 'boolean' } }, ADD);
      if (values.server === undefined) throw new UsageError(`--server is required (use * for every server); usage: ${ADD}`);
      const { rule } = await (await context.control()).call('rule.add', {
        client: values.client,
        server: values.server,
        ...target(values, ADD),
        action: action(values.action, ADD),
      });
      return context.out(values.json ? JSON.stringify(rule) : `added ${describeRule(rule)}`);
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden rule list [--json]');
      const { rules } = await (await context.control({ start: false })).call('rule.list', {});
      if (values.json) return context.out(JSON.stringify(rules));
      return context.out(rules.length === 0 ? 'no rules yet; every call gets its server\'s default action (new servers: ask)' : ruleRows(rules));
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, 'warden rule remove ID');
      const id = Number(onePositional(positionals, 'a rule id', 'warden rule remove ID'));
      if (!Number.isInteger(id) || id < 1) throw new UsageError('a rule id is a whole number; see: warden rule list');
      await (await context.control()).call('rule.remove', { id });
      return context.out(`removed rule ${id}`);
    }
    case 'explain': {
      const { values } = parse(rest, { client: { type: 'string' }, server: { type: 'string' }, ...targetOptions, json: { type: 'boolean' } }, EXPLAIN);
      if (values.client === undefined || values.server === undefined) throw new UsageError(`--client and --server are required; usage: ${EXPLAIN}`);
      const explained = await (await context.control({ start: false })).call('rule.explain', { client: values.client, server: values.server, ...target(values, EXPLAIN) });
      if (values.json) return context.out(JSON.stringify(explained));
      return context.out(`${explained.action.toUpperCase()}: ${explained.reason}\n\n${explained.order}`);
    }
    case 'preset': {
      const { values, positionals } = parse(rest, { client: { type: 'string' }, server: { type: 'string' }, tools: { type: 'string' } }, PRESET);
      const preset = onePositional(positionals, 'a preset name', PRESET);
      if (!['full', 'readonly', 'limited'].includes(preset)) throw new UsageError(`the preset is one of full, readonly, limited; usage: ${PRESET}`);
      if (values.client === undefined || values.server === undefined) throw new UsageError(`--client and --server are required; usage: ${PRESET}`);
      const tools = values.tools?.split(',').map((t) => t.trim()).filter(Boolean) ?? [];
      const { added } = await (await context.control()).call('rule.preset', { preset: preset as 'full', client: values.client, server: values.server, tools });
      return context.out(added.map((rule) => `added ${describeRule(rule)}`).join('\n'));
    }
    default:
      throw new UsageError('usage: warden rule add | list | remove | explain | preset');
  }
};
