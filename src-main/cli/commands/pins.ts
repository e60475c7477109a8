import { UsageError } from '../cli-error.js';
import { parse, type Command } from '../context.js';
import { isoTime, table } from '../format.js';

/** `warden pins list | diff SERVER TOOL | approve SERVER TOOL`. */
export const pinsCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  const serverTool = (usage: string): { server: string; tool: string } => {
    const { positionals } = parse(rest, {}, usage);
    if (positionals.length !== 2) throw new UsageError(`expected a server and a tool; usage: ${usage}`);
    return { server: positionals[0] as string, tool: positionals[1] as string };
  };
  switch (verb) {
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'warden pins list [--json]');
      const { pins } = await (await context.control({ start: false })).call('pins.list', {});
      if (values.json) return context.out(JSON.stringify(pins));
      if (pins.length === 0) return context.out('no tools pinned yet; Warden pins each tool the first time a client lists it');
      return context.out(
        table(
          ['SERVER', 'TOOL', 'STATE', 'APPROVED', 'SHADOWS'],
          pins.map((p) => [p.server, p.tool, p.pendingHash ? 'CHANGED — held' : 'ok', isoTime(p.approvedAt), p.shadowedBy.join(', ') || '-']),
        ),
      );
    }
    case 'diff': {
      const { server, tool } = serverTool('warden pins diff SERVER TOOL');
      const { diff } = await (await context.control({ start: false })).call('pins.diff', { server, tool });
      return context.out(`--- approved\n+++ now served by ${server}\n${diff}`);
    }
    case 'approve': {
      const { server, tool } = serverTool('warden pins approve SERVER TOOL');
      await (await context.control()).call('pins.approve', { server, tool });
      return context.out(`approved the new definition of ${server}/${tool}`);
    }
    default:
      throw new UsageError('usage: warden pins list | diff SERVER TOOL | approve SERVER TOOL');
  }
};
