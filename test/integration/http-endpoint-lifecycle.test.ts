import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusInfo } from '../../src-shared/control-api.js';
import { connectHttp, mcpHeaders, rawHttp } from '../helpers/http-client.js';
import { WardenHarness } from '../helpers/warden-harness.js';

const status = async (warden: WardenHarness): Promise<StatusInfo> => JSON.parse(await warden.ok(['status', '--json'])) as StatusInfo;

/** Polls until `check` holds (or fails after 10 s); returns its last value. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('HTTP sessions end with their key and their server', () => {
  const warden = new WardenHarness();
  let url: string;

  beforeAll(async () => {
    await warden.startDaemon({}, ['--http-port', '0']);
    await warden.addEverything('everything');
    url = (await status(warden)).httpUrl as string;
  }, 60_000);

  afterAll(() => warden.stop());

  it('ends the sessions of a revoked key: its next request gets 401 and the session is gone', async () => {
    const key = await warden.clientKey('soon-revoked');
    const { client, transport } = await connectHttp(`${url}/everything`, key);
    await client.callTool({ name: 'echo', arguments: { message: 'before' } });
    expect((await status(warden)).sessions).toBe(1);
    await warden.ok(['client', 'revoke', 'soon-revoked']);
    await expect(client.callTool({ name: 'echo', arguments: { message: 'after' } })).rejects.toThrow(/client key for .{1,3}soon-revoked.{1,3} was revoked/);
    expect((await eventually(() => status(warden), (s) => s.sessions === 0)).sessions).toBe(0);
    const fresh = await warden.clientKey('fresh');
    const reuse = await rawHttp(`${url}/everything`, {
      headers: mcpHeaders(fresh, { 'Mcp-Session-Id': transport.sessionId as string }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(reuse.status).toBe(404);
    await client.close();
  });

  it('ends a server\'s HTTP sessions when the server is removed, and the client learns its session is gone', async () => {
    await warden.addEverything('doomed');
    const key = await warden.clientKey('doomed-user');
    const { client, transport } = await connectHttp(`${url}/doomed`, key);
    await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    await warden.ok(['server', 'remove', 'doomed']);
    await eventually(() => status(warden), (s) => s.sessions === 0);
    const after = await rawHttp(`${url}/doomed`, {
      headers: mcpHeaders(key, { 'Mcp-Session-Id': transport.sessionId as string }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
    expect(JSON.parse(after.body).error.message).toContain('no server named "doomed"');
    await client.close().catch(() => undefined);
  });
});

describe('a taken HTTP port', () => {
  const warden = new WardenHarness();
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
    await warden.startDaemon({}, ['--http-port', String(port)]);
  }, 60_000);

  afterAll(async () => {
    await warden.stop();
    await new Promise((resolve) => blocker.close(resolve));
  });

  it('leaves the core running, and warden status says in one sentence that the port is taken', async () => {
    const info = await status(warden);
    expect(info.httpUrl).toBeNull();
    expect(info.httpProblem).toBe(
      `the MCP HTTP endpoint is off: port ${port} on 127.0.0.1 is taken by another program; free it, or pick another with: warden settings set httpPort N (or warden daemon --http-port N)`,
    );
    expect(await warden.ok(['status'])).toContain(`port ${port} on 127.0.0.1 is taken`);
    await warden.addEverything('everything');
    const client = await warden.connect('everything', await warden.clientKey('shim-still-works'));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('keeps the documented default port in the httpPort setting (the flag overrides it for one run)', async () => {
    const settings = JSON.parse(await warden.ok(['settings', 'get', '--json'])) as { httpPort: number; maxHttpSessionsPerKey: number };
    expect(settings.httpPort).toBe(7390);
    expect(settings.maxHttpSessionsPerKey).toBe(16);
  });

  it('refuses a --http-port that is not a port number with a sentence', async () => {
    const result = await warden.cli(['daemon', '--http-port', 'lots']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--http-port takes a port number');
  });
});
