import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposedName } from '../../src-main/core/gateway/exposed-names.js';
import { FAULT_SERVER, ROOT, WARDEN_BIN, WardenHarness } from '../helpers/warden-harness.js';
import { childrenOf, toolText as text } from '../helpers/processes.js';

const MEMORY = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');
const FILESYSTEM = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
const NAMES = join(ROOT, 'test', 'fixtures', 'names-server.mjs');
const LONG = 'this_tool_name_is_deliberately_long_so_that_it_passes_the_limit';

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}


describe('the aggregated session (warden stdio without --server)', () => {
  const warden = new WardenHarness();
  const files = mkdtempSync(join(tmpdir(), 'warden-aggregate-files-'));
  let key: string;
  let corePid: number;

  const open = async (capabilities: Record<string, unknown> = {}): Promise<Client> => {
    const client = new Client({ name: 'aggregate-test', version: '1.0.0' }, { capabilities });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [WARDEN_BIN, 'stdio'], env: warden.baseEnv({ WARDEN_CLIENT_KEY: key }), stderr: 'pipe' }),
    );
    return client;
  };

  beforeAll(async () => {
    writeFileSync(join(files, 'hello.txt'), 'hello from the filesystem server');
    await warden.startDaemon();
    await warden.addEverything('everything');
    await warden.ok(['server', 'add', 'memory', '--command', process.execPath, '--arg', MEMORY, '--env', `MEMORY_FILE_PATH=${join(warden.dataDir, 'memory.jsonl')}`, '--default-action', 'allow']);
    await warden.ok(['server', 'add', 'files', '--command', process.execPath, '--arg', FILESYSTEM, '--arg', files, '--default-action', 'allow']);
    await warden.ok(['server', 'add', 'names', '--command', process.execPath, '--arg', NAMES, '--default-action', 'allow']);
    await warden.ok(['server', 'add', 'faulty', '--command', process.execPath, '--arg', FAULT_SERVER, '--default-action', 'allow']);
    await warden.ok(['server', 'add', 'broken', '--command', process.execPath, '--arg', join(files, 'no-such-script.mjs'), '--default-action', 'allow']);
    // The same tool name on two servers: denied on one, allowed on the other.
    await warden.ok(['rule', 'add', '--server', 'everything', '--tool', 'echo', '--action', 'deny']);
    key = await warden.clientKey('claude');
    corePid = (JSON.parse(await warden.ok(['status', '--json'])) as { pid: number }).pid;
  }, 90_000);

  afterAll(async () => {
    await warden.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('lists every server\'s tools as server__tool, leaves out a server that fails to start, and calls each', async () => {
    const client = await open({ sampling: {} });
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(['memory__create_entities', 'files__read_text_file', 'faulty__echo', 'everything__get-sum', 'names__echo']));
      // The denied tool is hidden; the same name on another server is not.
      expect(names).not.toContain('everything__echo');
      expect(names.some((name) => name.startsWith('broken__'))).toBe(false);
      for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

      expect(text(await client.callTool({ name: 'faulty__echo', arguments: { text: 'hi' } }))).toBe('echo: hi');
      expect(text(await client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } }))).toMatch(/5/);
      expect(text(await client.callTool({ name: 'files__read_text_file', arguments: { path: join(files, 'hello.txt') } }))).toBe('hello from the filesystem server');
      await client.callTool({ name: 'memory__create_entities', arguments: { entities: [{ name: 'warden', entityType: 'tool', observations: ['aggregates'] }] } });
      expect(text(await client.callTool({ name: 'memory__read_graph', arguments: {} }))).toContain('aggregates');

      const denied = await client.callTool({ name: 'everything__echo', arguments: { message: 'x' } });
      expect(denied.isError).toBe(true);
      expect(text(denied)).toMatch(/^Blocked by MCP Warden: rule \d+ \(everything \/ echo = deny\)/);
    } finally {
      await client.close();
    }
  }, 90_000);

  it('maps a name over 64 characters, or with a dot, to a stable short form and back', async () => {
    const client = await open();
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      const long = exposedName('names', LONG);
      const dotted = exposedName('names', 'dotted.name');
      expect(long.length).toBeLessThanOrEqual(64);
      expect(names).toEqual(expect.arrayContaining([long, dotted]));
      expect(text(await client.callTool({ name: long, arguments: {} }))).toBe(`I am ${LONG}`);
      expect(text(await client.callTool({ name: dotted, arguments: {} }))).toBe('I am dotted.name');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('routes a server\'s sampling request to the client and its answer back', async () => {
    const client = await open({ sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled by the client' } }));
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('everything__trigger-sampling-request');
      const result = await client.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'say something', maxTokens: 10 } });
      expect(JSON.stringify(result)).toContain('sampled by the client');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('logs each call with the real server and tool', async () => {
    const rows = (await warden.ok(['log', '--json', '--limit', '200'])).trim().split('\n').map((line) => JSON.parse(line) as { server: string; target: string; decision: string });
    expect(rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ server: 'faulty', target: 'echo', decision: 'allow' }),
      expect.objectContaining({ server: 'everything', target: 'echo', decision: 'deny' }),
      expect.objectContaining({ server: 'names', target: LONG }),
    ]));
    expect(await warden.ok(['log', 'verify'])).toMatch(/^the audit log verifies/);
  });

  it('answers tools/list from the last known lists without starting anything, and starts one server on its first call', async () => {
    const client = await open();
    try {
      const before = childrenOf(corePid);
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('faulty__echo');
      // Servers with no prompts or resources (fault-server) are not started to list those either.
      expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^everything__/)]));
      await client.listResources();
      expect(childrenOf(corePid).filter((pid) => !before.includes(pid))).toEqual([]);
      await client.callTool({ name: 'faulty__echo', arguments: { text: 'lazy' } });
      const started = childrenOf(corePid).filter((pid) => !before.includes(pid));
      expect(started.map(commandOf)).toEqual([expect.stringContaining('fault-server.mjs')]);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('answers a call to a server that cannot start with a sentence naming it, and keeps the session', async () => {
    const client = await open();
    try {
      await expect(client.callTool({ name: 'broken__anything', arguments: {} })).rejects.toThrow(/server "broken" could not be started/);
      expect(text(await client.callTool({ name: 'faulty__echo', arguments: { text: 'still here' } }))).toBe('echo: still here');
    } finally {
      await client.close();
    }
  }, 60_000);
});
