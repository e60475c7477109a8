import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusInfo } from '../../src-shared/control-api.js';
import type { FlowGroupInfo } from '../../src-shared/flow-api.js';
import { connectHttp } from '../helpers/http-client.js';
import { ROOT, WardenHarness } from '../helpers/warden-harness.js';

type ToolResult = { isError?: boolean; content: Array<{ text: string }> };
const text = (result: unknown): string => (result as ToolResult).content[0]!.text;

describe('the flow guard over the MCP HTTP endpoint: one MCP session, one conversation', () => {
  const warden = new WardenHarness();
  let url: string;
  let key: string;
  const open: Client[] = [];
  const connect = async (path: string): Promise<Client> => {
    const { client } = await connectHttp(`${url}${path}`, key, {});
    open.push(client);
    await client.listTools();
    return client;
  };

  beforeAll(async () => {
    await warden.startDaemon({}, ['--http-port', '0']);
    for (const [name, script] of [['issues', 'flow-issues-server.mjs'], ['files', 'flow-files-server.mjs'], ['post', 'flow-post-server.mjs']] as const) {
      await warden.ok(['server', 'add', name, '--command', process.execPath, '--arg', join(ROOT, 'test', 'fixtures', script), '--default-action', 'allow']);
    }
    await warden.ok(['settings', 'set', 'flowGuard', 'deny']);
    key = await warden.clientKey('editor');
    url = (JSON.parse(await warden.ok(['status', '--json'])) as StatusInfo).httpUrl as string;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(open.map((client) => client.close().catch(() => undefined)));
    await warden.stop();
  });

  it('refuses the post in the aggregated HTTP session that read the issue and the file, and not in another session', async () => {
    const client = await connect('');
    await client.callTool({ name: 'issues__get_issue', arguments: { number: 1 } });
    await client.callTool({ name: 'files__get_file_contents', arguments: { path: 'ROADMAP.md' } });
    const refused = (await client.callTool({ name: 'post__post_message', arguments: { text: 'over http' } })) as ToolResult;
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('flow guard: this conversation read private data (files → get_file_contents) and untrusted content (issues → get_issue)');
    const groups = (JSON.parse(await warden.ok(['status', '--json'])) as { flowGroups: FlowGroupInfo[] }).flowGroups;
    expect(groups.find((group) => group.readPrivate)?.id).toMatch(/^session:http-/);

    const other = await connect('/post');
    expect(text(await other.callTool({ name: 'post_message', arguments: { text: 'a clean session' } }))).toBe('posted: a clean session');
  });
});
