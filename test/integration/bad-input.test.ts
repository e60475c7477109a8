import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawShim } from '../helpers/raw-shim.js';
import { WardenHarness } from '../helpers/warden-harness.js';

type Line = Record<string, unknown>;
const errorOf = (line: Line): { code: number; message: string } => line.error as { code: number; message: string };
const textOf = (line: Line): string => JSON.stringify((line.result as { content?: unknown })?.content);

describe('bad input and faults through the real shim', () => {
  const warden = new WardenHarness();
  let key: string;

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addFaultServer('faulty');
    await warden.addEverything('everything');
    key = await warden.clientKey('tester');
  });

  afterAll(async () => {
    await warden.stop();
  });

  const shim = (server = 'faulty', clientKey = key): RawShim =>
    new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: clientKey }), ['--server', server]);

  it('answers malformed JSON with -32700 and keeps the session', async () => {
    const raw = shim();
    await raw.initialize();
    raw.send('{"jsonrpc":"2.0","id":7,"method":\n');
    const parseError = await raw.waitFor((line) => (line.error as { code?: number })?.code === -32700);
    expect(parseError.id).toBeNull();
    const echo = await raw.request(8, 'tools/call', { name: 'echo', arguments: { text: 'after garbage' } });
    expect(textOf(echo)).toContain('echo: after garbage');
    await raw.close();
  });

  it('refuses an oversized line with an error that keeps its id, and goes on', async () => {
    const raw = shim();
    await raw.initialize();
    const huge = 'x'.repeat(5 * 1024 * 1024);
    raw.send(`{"jsonrpc":"2.0","id":41,"method":"tools/call","params":{"name":"echo","arguments":{"text":"${huge}"}}}\n`);
    const refused = await raw.waitFor((line) => line.id === 41);
    expect(errorOf(refused).code).toBe(-32600);
    expect(errorOf(refused).message).toMatch(/over Warden's limit of 4194304 bytes/);
    const echo = await raw.request(42, 'tools/call', { name: 'echo', arguments: { text: 'small' } });
    expect(textOf(echo)).toContain('echo: small');
    await raw.close();
  });

  it('refuses a message with duplicate keys instead of guessing which one counts', async () => {
    const raw = shim();
    await raw.initialize();
    raw.send('{"jsonrpc":"2.0","id":51,"method":"tools/call","params":{"name":"echo","name":"crash","arguments":{"text":"x"}}}\n');
    const refused = await raw.waitFor((line) => line.id === 51);
    expect(errorOf(refused).message).toMatch(/key "name" appears twice/);
    // Escaped spellings of the same key are the same key.
    raw.send('{"jsonrpc":"2.0","id":52,"method":"tools/call","params":{"name":"echo","n\\u0061me":"crash","arguments":{"text":"x"}}}\n');
    expect(errorOf(await raw.waitFor((line) => line.id === 52)).message).toMatch(/appears twice/);
    const echo = await raw.request(53, 'tools/call', { name: 'echo', arguments: { text: 'still alive' } });
    expect(textOf(echo)).toContain('still alive');
    await raw.close();
  });

  it('refuses a wrong key with a clear sentence, answering the first request', async () => {
    const raw = shim('faulty', 'wk_' + 'A'.repeat(43));
    raw.sendJson({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    const refused = await raw.waitFor((line) => line.id === 1);
    expect(errorOf(refused).message).toMatch(/client key is not known to Warden/);
    expect(await raw.exited).toBe(1);
    expect(raw.stderr).toMatch(/warden: the client key is not known/);
  });

  it('refuses an unknown server name', async () => {
    const raw = shim('no-such-server');
    raw.sendJson({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    const refused = await raw.waitFor((line) => line.id === 1);
    expect(errorOf(refused).message).toMatch(/no server named "no-such-server"/);
    expect(await raw.exited).toBe(1);
  });

  it('refuses a revoked key from the next message of an open session', async () => {
    const doomed = await warden.clientKey('doomed');
    const raw = shim('faulty', doomed);
    await raw.initialize();
    const before = await raw.request(2, 'tools/call', { name: 'echo', arguments: { text: 'allowed' } });
    expect(textOf(before)).toContain('allowed');
    await warden.ok(['client', 'revoke', 'doomed']);
    const after = await raw.request(3, 'tools/call', { name: 'echo', arguments: { text: 'refused' } });
    expect(errorOf(after).message).toMatch(/was revoked/);
    await raw.exited;
    const again = shim('faulty', doomed);
    again.sendJson({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    expect(errorOf(await again.waitFor((line) => line.id === 1)).message).toMatch(/was revoked/);
  });

  it('fails a call whose upstream exits mid-call, then serves the next call from a fresh process', async () => {
    const raw = shim();
    await raw.initialize();
    const crashed = await raw.request(61, 'tools/call', { name: 'crash', arguments: {} });
    expect(errorOf(crashed).message).toMatch(/upstream "faulty" exited with code 3/);
    const echo = await raw.request(62, 'tools/call', { name: 'echo', arguments: { text: 'reborn' } });
    expect(textOf(echo)).toContain('echo: reborn');
    await raw.close();
  });

  it('skips non-JSON lines an upstream prints on stdout and logs them', async () => {
    await warden.addFaultServer('noisy', ['FAULT_STARTUP_NOISE=1']);
    const raw = shim('noisy');
    await raw.initialize();
    const noise = await raw.request(71, 'tools/call', { name: 'noise', arguments: {} });
    expect(textOf(noise)).toContain('noisy but fine');
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(`${warden.dataDir}/logs/server-noisy.log`, 'utf8');
    expect(log).toContain('debug output that is not JSON-RPC');
    await raw.close();
  });

  it('records a tool that reports isError as an error in the log', async () => {
    const raw = shim();
    await raw.initialize();
    const failed = await raw.request(81, 'tools/call', { name: 'fail', arguments: {} });
    expect((failed.result as { isError?: boolean }).isError).toBe(true);
    await raw.close();
    const rows = (await warden.ok(['log', '--json', '--limit', '500'])).trim().split('\n').map((l) => JSON.parse(l) as { target: string; outcome: string; error: string });
    const row = rows.find((r) => r.target === 'fail');
    expect(row?.outcome).toBe('error');
    expect(row?.error).toBe('the tool failed on purpose');
  });
});
