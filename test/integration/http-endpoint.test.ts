import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord, StatusInfo } from '../../src-shared/control-api.js';
import { connectHttp, INITIALIZE, mcpHeaders, rawHttp } from '../helpers/http-client.js';
import { WardenHarness } from '../helpers/warden-harness.js';
import { toolText as text } from '../helpers/processes.js';


describe('the MCP HTTP endpoint (warden daemon --http-port 0)', () => {
  const warden = new WardenHarness();
  let url: string;
  let key: string;
  let otherKey: string;
  const open: Client[] = [];

  const connect = async (path: string, capabilities: Record<string, unknown> = {}, as = key) => {
    const connection = await connectHttp(`${url}${path}`, as, capabilities);
    open.push(connection.client);
    return connection;
  };
  const log = async (): Promise<Array<CallRecord>> =>
    (await warden.ok(['log', '--json'])).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as CallRecord);

  beforeAll(async () => {
    await warden.startDaemon({}, ['--http-port', '0']);
    await warden.addEverything('everything');
    key = await warden.clientKey('editor');
    otherKey = await warden.clientKey('other');
    await warden.ok(['rule', 'add', '--client', 'editor', '--server', 'everything', '--tool', 'get-sum', '--action', 'deny']);
    url = (JSON.parse(await warden.ok(['status', '--json'])) as StatusInfo).httpUrl as string;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(open.map((client) => client.close().catch(() => undefined)));
    await warden.stop();
  });

  it('reports a free port it picked as httpUrl in warden status', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(Number(new URL(url).port)).toBeGreaterThan(0);
    expect(await warden.ok(['status'])).toContain(`MCP endpoint for HTTP clients: ${url}`);
  });

  it('serves one server at /mcp/<server> with its own tool names, and logs the call with the HTTP session id', async () => {
    const { client, transport } = await connect('/everything');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('echo');
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'over http' } }))).toBe('Echo: over http');
    const row = (await log()).find((call) => call.target === 'echo' && call.arguments?.includes('over http'));
    expect(row?.session).toBe(`http-${transport.sessionId}`);
    expect(row?.client).toBe('editor');
    expect(await warden.ok(['log'])).toMatch(/editor \(HTTP\) → everything {2}tools\/call echo/);
  });

  it('refuses a call a deny rule covers, as on the shim path, and writes the refusal with the HTTP session id', async () => {
    const { client, transport } = await connect('/everything');
    const result = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('Blocked by MCP Warden');
    const row = (await log()).find((call) => call.target === 'get-sum' && call.session === `http-${transport.sessionId}`);
    expect(row?.decision).toBe('deny');
    expect(row?.outcome).toBe('denied');
  });

  it('serves the aggregated session at /mcp with server__tool names', async () => {
    const { client, transport } = await connect('');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('everything__echo');
    expect(names).not.toContain('everything__get-sum');
    expect(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'aggregated' } }))).toBe('Echo: aggregated');
    const row = (await log()).find((call) => call.target === 'echo' && call.arguments?.includes('aggregated'));
    expect(row?.session).toBe(`http-${transport.sessionId}`);
    expect(row?.server).toBe('everything');
  });

  it('carries a sampling request from the server to the HTTP client and its answer back', async () => {
    const { client } = await connect('/everything', { sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: `sampled: ${JSON.stringify(request.params.messages[0]?.content)}` },
    }));
    const result = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'pick a colour' } });
    expect(JSON.stringify(result.content)).toContain('sampled');
    expect(JSON.stringify(result.content)).toContain('pick a colour');
  });

  it('delivers progress notifications of a call on its own request', async () => {
    const { client } = await connect('/everything');
    const seen: number[] = [];
    await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, {
      onprogress: (progress) => void seen.push(progress.progress),
    });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('answers a missing or wrong client key with 401, WWW-Authenticate: Bearer and one sentence', async () => {
    const missing = await rawHttp(url, { headers: mcpHeaders(undefined), body: INITIALIZE });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(JSON.parse(missing.body).error.message).toContain('Authorization: Bearer');
    const wrong = await rawHttp(url, { headers: mcpHeaders(`wk_${'A'.repeat(43)}`), body: INITIALIZE });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.message).toContain('not known to Warden');
    const refusal = (await log()).find((call) => call.method === 'warden/hello' && call.session === 'http-auth');
    expect(refusal?.outcome).toBe('refused');
  });

  it('answers 403 to a Host that is not this computer (DNS rebinding) and to a foreign Origin, with no CORS headers', async () => {
    const port = new URL(url).port;
    const rebound = await rawHttp(url, { headers: { ...mcpHeaders(key), Host: `evil.example:${port}` }, body: INITIALIZE });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.message).toContain('dns-rebinding');
    const wrongPort = await rawHttp(url, { headers: { ...mcpHeaders(key), Host: '127.0.0.1:1' }, body: INITIALIZE });
    expect(wrongPort.status).toBe(403);
    const foreign = await rawHttp(url, { headers: mcpHeaders(key, { Origin: 'https://evil.example' }), body: INITIALIZE });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.message).toContain('origin');
    const preflight = await rawHttp(url, { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.status).toBe(401);
  });

  it('answers 404 with a sentence for a server Warden does not have and for a path it does not serve', async () => {
    const unknown = await rawHttp(`${url}/nope`, { headers: mcpHeaders(key), body: INITIALIZE });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.message).toBe('Warden has no server named "nope"; see: warden server list');
    const elsewhere = await rawHttp(url.replace(/\/mcp$/, '/other'), { headers: mcpHeaders(key), body: INITIALIZE });
    expect(elsewhere.status).toBe(404);
  });

  it('refuses a body over maxMessageBytes with 413 and a sentence naming the setting', async () => {
    await warden.ok(['settings', 'set', 'maxMessageBytes', String(64 * 1024)]);
    try {
      const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { pad: 'x'.repeat(70 * 1024) } });
      const answer = await rawHttp(url, { headers: mcpHeaders(key), body: big });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.message).toContain('maxMessageBytes');
    } finally {
      await warden.ok(['settings', 'set', 'maxMessageBytes', String(4 * 1024 * 1024)]);
    }
  });

  it('does not let another client key use (or see) a session', async () => {
    const { transport } = await connect('/everything');
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    const headers = { 'Mcp-Session-Id': transport.sessionId as string, 'Mcp-Protocol-Version': '2025-06-18' };
    const stolen = await rawHttp(`${url}/everything`, { headers: mcpHeaders(otherKey, headers), body: list });
    expect(stolen.status).toBe(404);
    const elsewhere = await rawHttp(url, { headers: mcpHeaders(key, headers), body: list });
    expect(elsewhere.status).toBe(404);
  });

  it('refuses a session over maxHttpSessionsPerKey with 429 and a sentence, and a DELETE frees the place', async () => {
    const capped = await warden.clientKey('capped');
    await warden.ok(['settings', 'set', 'maxHttpSessionsPerKey', '2']);
    try {
      await connect('/everything', {}, capped);
      const second = await connect('/everything', {}, capped);
      const third = await rawHttp(`${url}/everything`, { headers: mcpHeaders(capped), body: INITIALIZE });
      expect(third.status).toBe(429);
      expect(JSON.parse(third.body).error.message).toContain('maxHttpSessionsPerKey');
      await second.transport.terminateSession();
      const again = await rawHttp(`${url}/everything`, { headers: mcpHeaders(capped), body: INITIALIZE });
      expect(again.status).toBe(200);
      expect(again.headers['mcp-session-id']).toBeTruthy();
    } finally {
      await warden.ok(['settings', 'set', 'maxHttpSessionsPerKey', '16']);
    }
  });
});
