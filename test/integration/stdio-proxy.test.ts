import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawShim } from '../helpers/raw-shim.js';
import { DAEMON_CANARY, WardenHarness, directEverything, waitForApproval } from '../helpers/warden-harness.js';

const SECRET = 'tok-3f9a1c-only-in-the-vault';

describe('stdio proxy: client → shim → core → server-everything', () => {
  const warden = new WardenHarness();
  let client: Client;
  let direct: Client;
  let key: string;

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addEverything('everything', ['API_TOKEN=${secret:API_TOKEN}']);
    await warden.ok(['secret', 'set', 'API_TOKEN'], SECRET + '\n');
    key = await warden.clientKey('claude-desktop');
    client = await warden.connect('everything', key, { sampling: {} });
    direct = await directEverything({ sampling: {} });
  });

  afterAll(async () => {
    await client?.close();
    await direct?.close();
    await warden.stop();
  });

  it('negotiates initialize and reports the upstream server itself', () => {
    expect(client.getServerVersion()?.name).toBe(direct.getServerVersion()?.name);
    expect(client.getServerCapabilities()).toEqual(direct.getServerCapabilities());
  });

  it('lists exactly the tools the server lists directly', async () => {
    const [through, straight] = await Promise.all([client.listTools(), direct.listTools()]);
    expect(through.tools).toEqual(straight.tools);
    expect(through.tools.map((t) => t.name)).toContain('echo');
  });

  it('calls echo and returns its result unchanged', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hello through warden' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: hello through warden' }]);
  });

  it('relays large, varied messages both ways byte for byte, many in flight at once', async () => {
    // The shim reuses one buffer per direction; any early reuse would garble these.
    const payload = (seed: number): string =>
      Array.from({ length: 40_000 }, (_, i) => String.fromCharCode(33 + ((i * 7 + seed * 13) % 90))).join('') + '✓é€😀'.repeat(seed + 1);
    const messages = Array.from({ length: 12 }, (_, i) => payload(i).repeat(1 + (i % 3)));
    const results = await Promise.all(messages.map((message) => client.callTool({ name: 'echo', arguments: { message } })));
    results.forEach((result, i) => expect((result.content as Array<{ text: string }>)[0]!.text).toBe(`Echo: ${messages[i]}`));
  });

  it('reads a resource', async () => {
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const first = resources[0]!;
    const read = await client.readResource({ uri: first.uri });
    expect(read.contents[0]?.uri).toBe(first.uri);
  });

  it('gets a prompt with arguments', async () => {
    const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Lisbon' } });
    expect(JSON.stringify(prompt.messages)).toContain('Lisbon');
  });

  it('relays progress notifications for a long-running tool, in order, before the result', async () => {
    // Checked on the wire: the SDK client runs notification handlers a microtask after a
    // response that arrives in the same read, so it can drop the last one itself.
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'everything']);
    await raw.initialize();
    raw.sendJson({
      jsonrpc: '2.0',
      id: 'op',
      method: 'tools/call',
      params: { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 }, _meta: { progressToken: 'p1' } },
    });
    await raw.waitFor((line) => line.id === 'op');
    const relevant = raw.lines.filter((line) => line.id === 'op' || line.method === 'notifications/progress');
    expect(relevant.map((line) => (line.id === 'op' ? 'result' : (line.params as { progress: number }).progress))).toEqual([1, 2, 3, 'result']);
    expect((relevant[0]!.params as { progressToken: string }).progressToken).toBe('p1');
    await raw.close();
  });

  it('carries a sampling request from the server to the client and the answer back', async () => {
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: `sampled: ${JSON.stringify(request.params.messages[0]?.content)}` },
    }));
    const result = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'pick a colour' } });
    const text = JSON.stringify(result.content);
    expect(text).toContain('sampled');
    expect(text).toContain('pick a colour');
  });

  it('forwards cancellation and logs the call as cancelled', async () => {
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 5 } },
      CallToolResultSchema,
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort('changed my mind'), 200);
    await expect(call).rejects.toThrow();
    const log = JSON.parse(`[${(await warden.ok(['log', '--json'])).trim().split('\n').join(',')}]`) as Array<{
      target: string;
      outcome: string;
      arguments: string;
    }>;
    const row = log.reverse().find((r) => r.target === 'trigger-long-running-operation' && r.arguments.includes('"duration":5'));
    expect(row?.outcome).toBe('cancelled');
    // The session goes on after a cancellation.
    const after = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
    expect(after.content).toEqual([{ type: 'text', text: 'Echo: still here' }]);
  });

  it('gives the upstream the injected secret and none of the daemon-only variables', async () => {
    const result = await client.callTool({ name: 'get-env', arguments: {} });
    const env = JSON.parse((result.content as Array<{ text: string }>)[0]!.text) as Record<string, string>;
    expect(env.API_TOKEN).toBe(SECRET);
    expect(env[DAEMON_CANARY]).toBeUndefined();
    expect(env.WARDEN_HOME).toBeUndefined();
    expect(Object.keys(env).every((name) => ['PATH', 'HOME', 'LANG', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TMPDIR', 'TMP', 'TEMP', 'API_TOKEN'].includes(name))).toBe(true);
  });

  it('holds a call whose arguments carry a secret value for approval, naming the secret but never its value', async () => {
    const call = client.callTool({ name: 'echo', arguments: { message: `leak ${SECRET} here` } });
    const pending = await waitForApproval(warden);
    expect(pending.reason).toBe('the arguments contain the value of secret API_TOKEN');
    expect(pending.arguments).toContain('«secret:API_TOKEN»');
    expect(pending.arguments).not.toContain(SECRET);
    await warden.ok(['approvals', 'deny', pending.id]);
    const result = await call;
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0]!.text).toBe(`Blocked by MCP Warden: the user denied this call (approval ${pending.id})`);
    const log = await warden.ok(['log', '--json', '--limit', '200']);
    expect(log).not.toContain(SECRET);
    expect(log).toContain('«secret:API_TOKEN»');
  });
});
