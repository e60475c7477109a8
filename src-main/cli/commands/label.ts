import { FLOW_LABELS, type FlowGroupInfo, type FlowLabel, type LabelEntry } from '../../../src-shared/flow-api.js';
import { UsageError } from '../cli-error.js';
import { parse, type Command, type CommandContext } from '../context.js';
import { isoTime, table } from '../format.js';

const SET = 'warden label set --server S [--tool T] private|untrusted|external...';
const REMOVE = 'warden label remove --server S [--tool T] private|untrusted|external...';
const CLEAR = 'warden label clear --server S [--tool T]';
const LIST = 'warden label list [--server S] [--json]';
const USAGE = `usage: ${SET} | ${REMOVE} | ${CLEAR} | ${LIST}`;

function labelsFrom(positionals: string[], usage: string): FlowLabel[] {
  if (positionals.length === 0) throw new UsageError(`name at least one label; usage: ${usage}`);
  const unknown = positionals.find((name) => !(FLOW_LABELS as readonly string[]).includes(name));
  if (unknown !== undefined) throw new UsageError(`"${unknown}" is not a label; the labels are ${FLOW_LABELS.join(', ')}`);
  return [...new Set(positionals)] as FlowLabel[];
}

function target(server: string | undefined, tool: string | undefined, usage: string): { server: string; tool?: string } {
  if (server === undefined) throw new UsageError(`--server is required; usage: ${usage}`);
  return tool === undefined ? { server } : { server, tool };
}

/** One entry's labels as text: "private (you, on the tool)  untrusted (hint: openWorldHint)". */
export function describeLabels(entry: LabelEntry): string {
  const given = entry.labels.map(({ label, source, hint }) =>
    `${label} (${source === 'hint' ? `hint: ${hint}` : source === 'user-tool' ? 'you, on the tool' : 'you, on the server'})`,
  );
  const removed = entry.removed.map((label) => `not ${label} (you)`);
  return [...given, ...removed].join('  ') || 'none';
}

/** `warden label set | remove | clear | list`: the flow guard's labels per server and tool. */
export const labelCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  const options = { server: { type: 'string' }, tool: { type: 'string' } } as const;
  switch (verb) {
    case 'set':
    case 'remove': {
      const usage = verb === 'set' ? SET : REMOVE;
      const { values, positionals } = parse(rest, options, usage);
      const where = target(values.server, values.tool, usage);
      const { entry } = await (await context.control()).call(verb === 'set' ? 'label.set' : 'label.remove', { ...where, labels: labelsFrom(positionals, usage) });
      return context.out(`${entry.server}${entry.tool === null ? ' (the server)' : ` / ${entry.tool}`}: ${describeLabels(entry)}`);
    }
    case 'clear': {
      const { values, positionals } = parse(rest, options, CLEAR);
      if (positionals.length > 0) throw new UsageError(`clear takes no labels; usage: ${CLEAR}`);
      const { cleared } = await (await context.control()).call('label.clear', target(values.server, values.tool, CLEAR));
      return context.out(`forgot ${cleared} label setting(s); the tools' own hints count again`);
    }
    case 'list': {
      const { values } = parse(rest, { server: { type: 'string' }, json: { type: 'boolean' } }, LIST);
      const { entries } = await (await context.control()).call('label.list', values.server === undefined ? {} : { server: values.server });
      if (values.json) return context.out(JSON.stringify(entries));
      if (entries.length === 0) return context.out('no labels yet: tools get labels from their hints once a client lists them, or from: warden label set');
      return context.out(table(['SERVER', 'TOOL', 'LABELS (WHERE FROM)'], entries.map((entry) => [entry.server, entry.tool ?? '(server)', describeLabels(entry)])));
    }
    default:
      throw new UsageError(USAGE);
  }
};

/** The flow guard's groups for `warden status`: each conversation with its legs. */
export function printFlowGroups(context: CommandContext, groups: FlowGroupInfo[]): void {
  if (groups.length === 0) return;
  context.out('');
  context.out(`${groups.length} conversation(s) the flow guard follows:`);
  for (const group of groups) {
    const who = group.kind === 'session' ? `${group.client}, one session` : group.kind === 'process' ? `${group.client}, process ${group.parentPid}` : `${group.client}, shims that named no process`;
    const state = group.released ? 'flow guard released by you' : group.readPrivate && group.readUntrusted ? 'read private data and untrusted content: external calls are held' : 'not holding';
    context.out(`  ${group.id} (${who}; ${group.connections} connection(s); ${state})`);
    if (group.legs.length === 0) context.out('    no legs yet');
    else context.out(table(['    LEG', 'LABELS', 'CALLS', 'LAST'], group.legs.map((leg) => [`    ${leg.server} → ${leg.tool}`, leg.labels.join(', '), String(leg.calls), isoTime(leg.lastAt)])));
    if (group.moreLegs > 0) context.out(`    and ${group.moreLegs} more call(s) to legs not kept`);
  }
}
