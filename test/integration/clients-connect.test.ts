import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_PORT } from '../../src-shared/http-endpoint.js';
import { EVERYTHING, WardenHarness } from '../helpers/warden-harness.js';

interface Entry {
  type?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

const TOKEN = 'ghp_C0nnectT3stT0ken0123456789abcdefghi';

async function launch(entry: Entry): Promise<Client> {
  const client = new Client({ name: 'claude-ai', version: '0.1' }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command: entry.command as string, args: entry.args ?? [], env: entry.env ?? {}, stderr: 'pipe' }));
  return client;
}

describe('connecting a client by hand-added server, aggregated, or over HTTP', () => {
  const warden = new WardenHarness();
  let path: string;
  let original: string;
  const read = (file = path): { mcpServers: Record<string, Entry> } => JSON.parse(readFileSync(file, 'utf8'));

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addFaultServer('handmade');
    path = join(warden.dataDir, 'claude_desktop_config.json');
    original = JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], env: { API_TOKEN: TOKEN } } }, other: true }, null, 2);
    writeFileSync(path, original);
    await warden.ok(['claude', 'import', '--config', path, '--default-action', 'allow']);
  });

  afterAll(async () => {
    await warden.stop();
  });

  it('puts a server added by hand into the config with --server, and it works through Warden', async () => {
    const out = await warden.ok(['clients', 'connect', 'claude', '--config', path, '--server', 'handmade']);
    expect(out).toContain('pointed "handmade" at Warden server "handmade"');
    const entry = read().mcpServers.handmade as Entry;
    expect(entry.args?.slice(-2)).toEqual(['--server', 'handmade']);
    const client = await launch(entry);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'by hand' } })).content).toEqual([{ type: 'text', text: 'echo: by hand' }]);
    await client.close();
    expect(await warden.ok(['claude', 'status'])).toMatch(/connected\s+2\/2/);
    const unknown = await warden.cli(['clients', 'connect', 'claude', '--config', path, '--server', 'nope']);
    expect(unknown.stderr).toContain('Warden has no server named "nope"; see: warden server list');
  });

  it('replaces the per-server entries with one aggregated entry, which reaches every server', async () => {
    const out = await warden.ok(['clients', 'connect', 'claude', '--config', path, '--aggregate']);
    expect(out).toContain('pointed "warden" at Warden: one aggregated session over every server');
    expect(out).toContain('removed "everything" (served through "warden" now)');
    const servers = read().mcpServers;
    expect(Object.keys(servers)).toEqual(['warden']);
    expect(servers.warden?.args).not.toContain('--server');
    const client = await launch(servers.warden as Entry);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['everything__get-env', 'handmade__echo']));
    await client.close();
    expect(await warden.ok(['claude', 'status'])).toMatch(/connected\s+3\/3/);
  });

  it('restores the file as it was on disconnect, the hand-added entry gone and the aggregated one removed', async () => {
    const out = await warden.ok(['clients', 'disconnect', 'claude', '--config', path, '--restore-secrets']);
    expect(out).toContain('restored "warden"');
    expect(read()).toEqual(JSON.parse(original));
    expect(out).toContain('revoked the client key "claude-desktop"');
  });

  it('refuses --http for Claude Desktop, which launches only stdio servers', async () => {
    const result = await warden.cli(['clients', 'connect', 'claude', '--config', path, '--http']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Claude Desktop launches only stdio servers, so its entries start Warden\'s shim; connect it without --http');
    expect(read()).toEqual(JSON.parse(original));
  });

  it.each([
    ['claude-code', '.claude.json', 'mcpServers', { type: 'http' }],
    ['cursor', 'mcp.json', 'mcpServers', {}],
    ['vscode', 'vscode-mcp.json', 'servers', { type: 'http' }],
  ])('writes %s its own URL entry with the client key as a bearer token', async (app, file, key, typed) => {
    const config = join(warden.dataDir, file);
    writeFileSync(config, JSON.stringify({ [key]: {} }));
    const out = await warden.ok(['clients', 'connect', app, '--config', config, '--server', 'handmade', '--http']);
    expect(out).toContain("the entries hold the client key as a bearer token (Authorization: Bearer wk_…): keep the file private");
    const entry = (JSON.parse(readFileSync(config, 'utf8')) as Record<string, Record<string, Entry>>)[key]!.handmade as Entry;
    expect(entry).toEqual({ ...typed, url: `http://127.0.0.1:${DEFAULT_HTTP_PORT}/mcp/handmade`, headers: { Authorization: expect.stringMatching(/^Bearer wk_/) } });
    expect(statSync(config).mode & 0o077).toBe(0);
    // The bearer key is a real client key: the shim accepts it.
    const bearer = entry.headers!.Authorization!.slice('Bearer '.length);
    const client = await warden.connect('handmade', bearer);
    expect((await client.callTool({ name: 'echo', arguments: { text: app } })).content).toEqual([{ type: 'text', text: `echo: ${app}` }]);
    await client.close();
    const aggregated = await warden.ok(['clients', 'connect', app, '--config', config, '--aggregate', '--http']);
    expect(aggregated).toContain('removed "handmade"');
    const after = (JSON.parse(readFileSync(config, 'utf8')) as Record<string, Record<string, Entry>>)[key]!;
    expect(after).toEqual({ warden: { ...typed, url: `http://127.0.0.1:${DEFAULT_HTTP_PORT}/mcp`, headers: { Authorization: entry.headers!.Authorization } } });
  });
});
