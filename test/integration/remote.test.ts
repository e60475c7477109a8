import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WardenHarness, startFixtureServer } from '../helpers/warden-harness.js';

const TOKEN = 'remote-bearer-9d2e71c4';

async function startRemote(mode: 'http' | 'sse'): Promise<{ url: string; child: ChildProcess }> {
  const { port, child } = await startFixtureServer('remote-server.mjs', [mode, TOKEN]);
  return { url: `http://127.0.0.1:${port}/mcp`, child };
}

describe('remote upstreams through the real shim', () => {
  const warden = new WardenHarness();
  const remotes: ChildProcess[] = [];
  const clients: Client[] = [];
  let httpUrl: string;
  let sseUrl: string;
  let key: string;

  beforeAll(async () => {
    await warden.startDaemon();
    const http = await startRemote('http');
    const sse = await startRemote('sse');
    remotes.push(http.child, sse.child);
    httpUrl = http.url;
    sseUrl = sse.url;
    await warden.ok(['secret', 'set', 'REMOTE_TOKEN'], TOKEN);
    key = await warden.clientKey('claude');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    for (const child of remotes) child.kill();
    await warden.stop();
  });

  const connect = async (server: string): Promise<Client> => {
    const client = await warden.connect(server, key);
    clients.push(client);
    return client;
  };

  it('reaches a Streamable HTTP server with a header filled from the vault', async () => {
    await warden.ok(['server', 'add', 'remote-http', '--url', httpUrl, '--header', 'Authorization=Bearer ${secret:REMOTE_TOKEN}', '--default-action', 'allow']);
    const client = await connect('remote-http');
    expect(client.getServerVersion()).toMatchObject({ name: 'remote-http', version: '2.1.0' });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'ask-client', 'headers-seen']);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'over http' } });
    expect(result.content).toEqual([{ type: 'text', text: 'remote echo: over http' }]);
  });

  it('carries server-to-client requests and notifications over the HTTP stream, both ways', async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { CreateMessageRequestSchema, LoggingMessageNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const client = new Client({ name: 'sampler', version: '1' }, { capabilities: { sampling: {} } });
    const notes: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (note) => void notes.push(String(note.params.data)));
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'blue' } }));
    await client.connect(warden.shimTransport('remote-http', key));
    clients.push(client);
    const result = await client.callTool({ name: 'ask-client', arguments: { question: 'favourite colour?' } });
    expect(result.content).toEqual([{ type: 'text', text: 'the client said: blue' }]);
    expect(notes).toEqual(['asking: favourite colour?']);
  });

  it('falls back to legacy SSE for a server that refuses Streamable HTTP (auto)', async () => {
    await warden.ok(['server', 'add', 'remote-sse', '--url', sseUrl, '--header', 'Authorization=Bearer ${secret:REMOTE_TOKEN}', '--default-action', 'allow']);
    const client = await connect('remote-sse');
    expect(client.getServerVersion()?.name).toBe('remote-sse');
    expect((await client.callTool({ name: 'echo', arguments: { text: 'over sse' } })).content).toEqual([{ type: 'text', text: 'remote echo: over sse' }]);
    const log = readFileSync(join(warden.dataDir, 'logs', 'server-remote-sse.log'), 'utf8');
    expect(log).toContain('trying the legacy SSE transport');
  });

  it('answers with the HTTP refusal when the server rejects the credentials, and keeps the session', async () => {
    await warden.ok(['server', 'add', 'remote-wrong', '--url', httpUrl, '--header', 'Authorization=Bearer not-the-token', '--transport', 'http', '--default-action', 'allow']);
    const { RawShim } = await import('../helpers/raw-shim.js');
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'remote-wrong']);
    const reply = await raw.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
    expect((reply.error as { message: string }).message).toMatch(/upstream "remote-wrong" refused the request \(HTTP 401\)/);
    const again = await raw.request(2, 'ping', {});
    expect(again.error ?? again.result).toBeDefined();
    await raw.close();
  });

  it('probes a remote server as Warden would', async () => {
    const out = await warden.ok(['probe', httpUrl, '--header', 'Authorization=Bearer ${secret:REMOTE_TOKEN}']);
    expect(out).toContain('remote-http 2.1.0 over Streamable HTTP; 3 tool(s):');
    expect(out).toContain('  echo — Echoes the text back.');
    const sse = await warden.ok(['probe', sseUrl, '--header', `Authorization=Bearer ${TOKEN}`]);
    expect(sse).toContain('remote-sse 2.1.0 over HTTP+SSE');
    const refused = await warden.cli(['probe', httpUrl]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^warden: could not talk MCP with http:\/\/127\.0\.0\.1:\d+\/mcp/);
  });

  it('never writes the header secret to a log or the database in plain text', () => {
    const files = readdirSync(warden.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const entry of files) expect(readFileSync(join(entry.parentPath, entry.name)).includes(Buffer.from(TOKEN)), entry.name).toBe(false);
  });
});
