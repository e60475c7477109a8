import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, WARDEN_BIN, WardenHarness } from '../helpers/warden-harness.js';
import { childrenOf, toolText as text } from '../helpers/processes.js';

const MEMORY = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');


interface Found {
  tools: Array<{ name: string; server: string; description: string; inputSchema: { properties?: Record<string, unknown> } }>;
}

/** A client that counts the tools/list_changed notifications it gets. */
class Session {
  changed = 0;
  readonly client = new Client({ name: 'search-test', version: '1.0.0' }, { capabilities: {} });

  async open(warden: WardenHarness, key: string): Promise<this> {
    this.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.changed++;
    });
    await this.client.connect(new StdioClientTransport({ command: process.execPath, args: [WARDEN_BIN, 'stdio'], env: warden.baseEnv({ WARDEN_CLIENT_KEY: key }), stderr: 'pipe' }));
    return this;
  }

  async names(): Promise<string[]> {
    return (await this.client.listTools()).tools.map((tool) => tool.name);
  }

  async find(query: string, limit?: number): Promise<Found> {
    const result = await this.client.callTool({ name: 'warden_find_tools', arguments: { query, ...(limit === undefined ? {} : { limit }) } });
    expect(result.isError).toBeFalsy();
    return JSON.parse(text(result)) as Found;
  }

  /** Waits until `count` list_changed notifications came (they follow the result on the same stream). */
  async changes(count: number): Promise<number> {
    for (let i = 0; i < 100 && this.changed < count; i++) await new Promise((r) => setTimeout(r, 20));
    return this.changed;
  }
}

describe('search mode of the aggregated session (warden client add NAME --tools search)', () => {
  const warden = new WardenHarness();
  let key: string;
  let corePid: number;

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addEverything('everything');
    await warden.ok(['server', 'add', 'memory', '--command', process.execPath, '--arg', MEMORY, '--env', `MEMORY_FILE_PATH=${join(warden.dataDir, 'memory.jsonl')}`, '--default-action', 'allow']);
    await warden.addFaultServer('faulty');
    key = (await warden.ok(['client', 'add', 'searcher', '--tools', 'search'])).trim();
    // Denied for this client only: it must be neither found nor callable.
    await warden.ok(['rule', 'add', '--client', 'searcher', '--server', 'memory', '--tool', 'delete_entities', '--action', 'deny']);
    corePid = (JSON.parse(await warden.ok(['status', '--json'])) as { pid: number }).pid;
    // The first search lists every server once (starting it); their own start-up list_changed
    // notifications come then, not in the tests below.
    const first = await new Session().open(warden, key);
    await first.find('echo');
    await first.client.close();
  }, 90_000);

  afterAll(async () => {
    await warden.stop();
  });

  it('lists only the find and call tools, finds a tool by what it does, adds it to the list with list_changed, and calls it', async () => {
    const session = await new Session().open(warden, key);
    try {
      expect(await session.names()).toEqual(['warden_find_tools', 'warden_call_tool']);
      const found = await session.find('create entities in the knowledge graph', 3);
      expect(found.tools.length).toBeLessThanOrEqual(3);
      expect(found.tools[0]).toMatchObject({ name: 'memory__create_entities', server: 'memory', description: expect.stringContaining('knowledge graph') });
      expect(Object.keys(found.tools[0]?.inputSchema.properties ?? {})).toContain('entities');
      expect(await session.changes(1)).toBe(1);
      expect(await session.names()).toEqual(expect.arrayContaining(['warden_find_tools', 'warden_call_tool', 'memory__create_entities']));

      const created = await session.client.callTool({
        name: 'warden_call_tool',
        arguments: { name: 'memory__create_entities', arguments: { entities: [{ name: 'searchable', entityType: 'test', observations: ['found by search'] }] } },
      });
      expect(created.isError).toBeFalsy();
      // The found tool is also callable by its own name.
      expect(text(await session.client.callTool({ name: 'memory__read_graph', arguments: {} }))).toContain('found by search');
      // A second find of the same tools adds nothing, so no list_changed.
      await session.find('create entities in the knowledge graph', 3);
      expect(await session.changes(2)).toBe(1);
    } finally {
      await session.client.close();
    }
  }, 60_000);

  it('logs a call made through the call tool as the real server and tool', async () => {
    const rows = (await warden.ok(['log', '--json', '--limit', '200'])).trim().split('\n').map((line) => JSON.parse(line) as { client: string; server: string; target: string; decision: string; method: string });
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ client: 'searcher', server: 'memory', target: 'create_entities', decision: 'allow', method: 'tools/call' })]));
    expect(rows.some((row) => row.target === 'warden_call_tool' || row.target === 'warden_find_tools')).toBe(false);
  });

  it('neither finds nor calls a tool the client\'s rules deny, and names the rule', async () => {
    const session = await new Session().open(warden, key);
    try {
      const found = await session.find('delete entities relations', 20);
      expect(found.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['memory__delete_relations']));
      expect(found.tools.map((tool) => tool.name)).not.toContain('memory__delete_entities');
      const refused = await session.client.callTool({ name: 'warden_call_tool', arguments: { name: 'memory__delete_entities', arguments: { entityNames: ['searchable'] } } });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/^Blocked by MCP Warden: rule \d+ \(client searcher, memory \/ delete_entities = deny\)/);
      const rows = (await warden.ok(['log', '--json', '--limit', '50'])).trim().split('\n').map((line) => JSON.parse(line) as { server: string; target: string; decision: string });
      expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ server: 'memory', target: 'delete_entities', decision: 'deny' })]));
      expect(text(await session.client.callTool({ name: 'memory__read_graph', arguments: {} }))).toContain('searchable');
    } finally {
      await session.client.close();
    }
  }, 60_000);

  it('searches the known lists without starting any server', async () => {
    const session = await new Session().open(warden, key);
    try {
      const before = childrenOf(corePid);
      const found = await session.find('add two numbers sum');
      expect(found.tools[0]?.name).toBe('everything__get-sum');
      expect((await session.find('echo text back')).tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['faulty__echo']));
      expect(childrenOf(corePid).filter((pid) => !before.includes(pid))).toEqual([]);
      expect(text(await session.client.callTool({ name: 'warden_call_tool', arguments: { name: 'faulty__echo', arguments: { text: 'via search' } } }))).toBe('echo: via search');
    } finally {
      await session.client.close();
    }
  }, 60_000);

  it('applies the real tool\'s rate limit to calls through the call tool', async () => {
    await warden.ok(['limit', 'add', '--client', 'searcher', '--server', 'everything', '--tool', 'get-sum', '--max', '1', '--per', '60s']);
    const session = await new Session().open(warden, key);
    try {
      const call = () => session.client.callTool({ name: 'warden_call_tool', arguments: { name: 'everything__get-sum', arguments: { a: 2, b: 3 } } });
      expect(text(await call())).toMatch(/5/);
      const limited = await call();
      expect(limited.isError).toBe(true);
      expect(text(limited)).toMatch(/Rate limit/);
    } finally {
      await session.client.close();
    }
  }, 60_000);

  it('answers bad input to the discovery tools with one sentence', async () => {
    const session = await new Session().open(warden, key);
    try {
      const empty = await session.client.callTool({ name: 'warden_find_tools', arguments: { query: '   ' } });
      expect(empty.isError).toBe(true);
      expect(text(empty)).toBe('warden_find_tools was not run: query: the query is empty; say in a few words what the tool should do');
      const nested = await session.client.callTool({ name: 'warden_call_tool', arguments: { name: 'warden_call_tool', arguments: {} } });
      expect(nested.isError).toBe(true);
      expect(text(nested)).toMatch(/calls tools of servers; call warden_call_tool directly/);
      const bad = await warden.cli(['client', 'add', 'other', '--tools', 'some']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/--tools is all \(every tool of every server\) or search/);
    } finally {
      await session.client.close();
    }
  }, 60_000);

  it('switches a running session when the client\'s mode is changed, with list_changed', async () => {
    const session = await new Session().open(warden, key);
    try {
      expect(await session.names()).toHaveLength(2);
      expect(await warden.ok(['client', 'set', 'searcher', '--tools', 'all'])).toMatch(/now sees every tool/);
      expect(await session.changes(1)).toBe(1);
      const names = await session.names();
      expect(names).toEqual(expect.arrayContaining(['everything__get-sum', 'memory__read_graph', 'faulty__echo']));
      expect(names).not.toContain('memory__delete_entities');
      expect(names).not.toContain('warden_find_tools');
      const stale = await session.client.callTool({ name: 'warden_find_tools', arguments: { query: 'echo' } });
      expect(stale).toMatchObject({ isError: true, content: [{ text: 'warden_find_tools is not offered: this client now sees every tool by its own name; list the tools again' }] });
      const listed = JSON.parse(await warden.ok(['client', 'list', '--json'])) as Array<{ name: string; tools: string }>;
      expect(listed).toEqual([expect.objectContaining({ name: 'searcher', tools: 'all' })]);
    } finally {
      await session.client.close();
    }
  }, 60_000);
});
