import { TOOLS_MODES, type ToolsMode } from '../../../src-shared/session-api.js';
import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { isoTime, table } from '../format.js';

const ADD_USAGE = 'warden client add NAME [--tools all|search] [--json]';
const SET_USAGE = 'warden client set NAME --tools all|search';

/** The value of `--tools`, checked here so a mistake is one sentence before anything is made. */
function toolsMode(value: string | undefined, usage: string): ToolsMode | undefined {
  if (value === undefined) return undefined;
  if (!(TOOLS_MODES as readonly string[]).includes(value)) throw new UsageError(`--tools is all (every tool of every server) or search (a find tool and a call tool); usage: ${usage}`);
  return value as ToolsMode;
}

/** `warden client add | set | list | revoke`. */
export const clientCommand: Command = async (argv, context) => {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, tools: { type: 'string' } }, ADD_USAGE);
      const name = onePositional(positionals, 'a client name', ADD_USAGE);
      const tools = toolsMode(values.tools, ADD_USAGE);
      const control = await context.control();
      const { client, key } = await control.call('client.add', { name });
      if (tools !== undefined) await control.call('client.setTools', { name, tools });
      if (values.json) return context.out(JSON.stringify({ ...client, key, tools: tools ?? 'all' }));
      context.out(key);
      process.stderr.write(`This is the only time the key for "${client.name}" is shown. Give it to the client as WARDEN_CLIENT_KEY.\n`);
      return;
    }
    case 'set': {
      const { values, positionals } = parse(rest, { tools: { type: 'string' } }, SET_USAGE);
      const name = onePositional(positionals, 'a client name', SET_USAGE);
      const tools = toolsMode(values.tools, SET_USAGE);
      if (tools === undefined) throw new UsageError(`say what to set; usage: ${SET_USAGE}`);
      await (await context.control()).call('client.setTools', { name, tools });
      context.out(
        tools === 'search'
          ? `client "${name}" now sees a find tool and a call tool instead of every tool (its running aggregated sessions too)`
          : `client "${name}" now sees every tool of every server (its running aggregated sessions too)`,
      );
      return;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden client list [--json]');
      const control = await context.control();
      const { clients } = await control.call('client.list', {});
      const modes = new Map((await control.call('client.toolsModes', {})).clients.map((entry) => [entry.name, entry.tools]));
      const rows = clients.map((c) => ({ ...c, tools: modes.get(c.name) ?? 'all' }));
      if (values.json) return context.out(JSON.stringify(rows));
      if (rows.length === 0) return context.out('no client keys yet; create one with: warden client add NAME');
      context.out(
        table(
          ['NAME', 'KEY', 'CREATED', 'LAST SEEN', 'STATE', 'TOOLS'],
          rows.map((c) => [c.name, `${c.prefix}…`, isoTime(c.createdAt), isoTime(c.lastSeenAt), c.revoked ? 'revoked' : 'active', c.tools]),
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
      throw new UsageError('usage: warden client add NAME [--tools all|search] | set NAME --tools all|search | list | revoke NAME');
  }
};
