import { UsageError } from '../cli-error.js';
import { onePositional, parse, type Command } from '../context.js';
import { pairs } from './server.js';

const USAGE = 'warden probe URL [--transport http|sse|auto] [--header K=V]... [--json]';

/** `warden probe URL`: connect to a remote MCP server as Warden would and say what it serves. */
export const probeCommand: Command = async (argv, context) => {
  const { values, positionals } = parse(argv, { transport: { type: 'string' }, header: { type: 'string', multiple: true }, json: { type: 'boolean' } }, USAGE);
  const url = onePositional(positionals, 'a URL', USAGE);
  const transport = values.transport ?? 'auto';
  if (!['http', 'sse', 'auto'].includes(transport)) throw new UsageError('--transport is http, sse or auto');
  const result = await (await context.control()).call('probe', { url, transport: transport as 'auto', headers: pairs(values.header ?? [], '--header') });
  if (values.json) return context.out(JSON.stringify(result));
  context.out(`${result.name} ${result.version} over ${result.transport === 'http' ? 'Streamable HTTP' : 'HTTP+SSE'}; ${result.tools.length} tool(s):`);
  for (const tool of result.tools) context.out(`  ${tool.name}${tool.description ? ` — ${tool.description.split('\n')[0]?.slice(0, 100)}` : ''}`);
};
