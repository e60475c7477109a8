import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { RawShim } from '../helpers/raw-shim.js';
import { WARDEN_BIN, WardenHarness, alive } from '../helpers/warden-harness.js';


async function gone(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

async function upstreamPid(raw: RawShim, id: number): Promise<number> {
  const reply = await raw.request(id, 'tools/call', { name: 'pid', arguments: {} });
  return Number((reply.result as { content: Array<{ text: string }> }).content[0]!.text);
}

describe('process lifecycle', () => {
  let warden: WardenHarness;

  afterEach(async () => {
    await warden.stop();
  });

  it('starts the core when a shim finds none running, and every one of several concurrent shims works', async () => {
    warden = new WardenHarness();
    // Configure, then stop the core the CLI started, so the shims find no core.
    await warden.addFaultServer('faulty');
    const key = await warden.clientKey('claude-desktop');
    await warden.ok(['stop']);
    expect((await warden.cli(['status'])).code).toBe(1);

    const shims = Array.from({ length: 4 }, () => new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']));
    // Claude Desktop sometimes kills one copy during initialize; the others must not notice.
    shims[3]!.child.kill('SIGKILL');
    await Promise.all(shims.slice(0, 3).map((raw) => raw.initialize()));
    const replies = await Promise.all(shims.slice(0, 3).map((raw, i) => raw.request(100 + i, 'tools/call', { name: 'echo', arguments: { text: `shim ${i}` } })));
    replies.forEach((reply, i) => expect(JSON.stringify(reply.result)).toContain(`echo: shim ${i}`));
    await Promise.all(shims.slice(0, 3).map((raw) => raw.close()));
    expect((await warden.cli(['status'])).stdout).toMatch(/is running/);
  });

  it('stops a session\'s upstream when the client closes stdin, and every upstream on shutdown', async () => {
    warden = new WardenHarness();
    await warden.startDaemon();
    await warden.addFaultServer('faulty');
    const key = await warden.clientKey('tester');
    const env = warden.baseEnv({ WARDEN_CLIENT_KEY: key });

    const first = new RawShim(env, ['--server', 'faulty']);
    await first.initialize();
    const firstPid = await upstreamPid(first, 1);
    expect(await first.close()).toBe(0);
    expect(await gone(firstPid)).toBe(true);

    const second = new RawShim(env, ['--server', 'faulty']);
    await second.initialize();
    const secondPid = await upstreamPid(second, 2);
    expect(alive(secondPid)).toBe(true);
    await warden.ok(['stop']);
    expect(await gone(secondPid)).toBe(true);
    // The shim outlives the core (G9) and ends with its client's input.
    expect(await second.close()).toBe(0);
  });

  it('fails the shim with one clear line when the core cannot start', async () => {
    warden = new WardenHarness();
    await warden.addFaultServer('faulty');
    const key = await warden.clientKey('tester');
    await warden.ok(['stop']);
    // The core inherits the shim's environment; a malformed vault key stops it from starting.
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key, WARDEN_VAULT_KEY: 'not-a-key' }), ['--server', 'faulty']);
    raw.sendJson({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    const refused = await raw.waitFor((line) => line.id === 1);
    expect((refused.error as { message: string }).message).toMatch(/could not start; see .*warden\.log/);
    expect(await raw.exited).toBe(1);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${warden.dataDir}/logs/warden.log`, 'utf8')).toMatch(/WARDEN_VAULT_KEY must be 32 bytes/);
  });

  it('writes exactly one complete audit row per call, failed ones included', async () => {
    warden = new WardenHarness();
    await warden.startDaemon();
    await warden.addFaultServer('faulty');
    const key = await warden.clientKey('counted');
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']);
    await raw.initialize();
    const calls: Array<[string, Record<string, unknown>]> = [
      ['echo', { text: 'a' }],
      ['fail', {}],
      ['echo', { text: 'b' }],
      ['no-such-tool', {}],
      ['crash', {}],
      ['echo', { text: 'c' }],
      ['echo', { wrong: 'shape' }],
      ['noise', {}],
    ];
    for (const [i, [name, args]] of calls.entries()) await raw.request(500 + i, 'tools/call', { name, arguments: args });
    await raw.close();
    const rows = (await warden.ok(['log', '--json', '--limit', '1000']))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { client: string; outcome: string; target: string })
      .filter((row) => row.client === 'counted');
    expect(rows.map((row) => row.target)).toEqual(calls.map(([name]) => name));
    expect(rows.every((row) => row.outcome !== 'pending')).toBe(true);
    expect(rows.map((row) => row.outcome)).toEqual(['ok', 'error', 'ok', 'error', 'error', 'ok', 'error', 'ok']);
  });

  it('fails a call naming a secret that is not set, without starting the server on an empty value', async () => {
    warden = new WardenHarness();
    await warden.startDaemon();
    await warden.addFaultServer('needs-secret', ['TOKEN=${secret:MISSING_TOKEN}']);
    const key = await warden.clientKey('tester');
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'needs-secret']);
    const refused = await raw.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
    expect((refused.error as { message: string }).message).toBe('secret MISSING_TOKEN is not set (warden secret set MISSING_TOKEN)');
    await warden.ok(['secret', 'set', 'MISSING_TOKEN'], 'now-it-is-set');
    const retried = await raw.request(2, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
    expect(retried.result).toBeDefined();
    await raw.close();
  });

  it('refuses shims for a disabled server and reports a crashed one with its last log lines', async () => {
    warden = new WardenHarness();
    await warden.startDaemon();
    await warden.addFaultServer('faulty');
    const key = await warden.clientKey('tester');
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']);
    await raw.initialize();
    await raw.request(1, 'tools/call', { name: 'crash', arguments: {} });
    const listed = JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ lastError: { reason: string } | null; logTail: string[] }>;
    expect(listed[0]?.lastError?.reason).toBe('upstream "faulty" exited with code 3');
    expect(listed[0]?.logTail.join('\n')).toContain('exited with code 3');
    await raw.close();

    await warden.ok(['server', 'disable', 'faulty']);
    const refused = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']);
    refused.sendJson({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    expect(((await refused.waitFor((line) => line.id === 1)).error as { message: string }).message).toMatch(/server "faulty" is disabled; enable it in the window or with: warden server enable faulty/);
    await warden.ok(['server', 'enable', 'faulty']);
    const again = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']);
    await again.initialize();
    await again.close();
  });

  it('seals the vault with a passphrase the daemon then needs to start', async () => {
    warden = new WardenHarness();
    await warden.ok(['secret', 'set', 'TOKEN'], 'sealed-value');
    const sealed = await warden.cli(['vault', 'passphrase'], 'correct horse battery staple');
    expect(sealed.stdout).toMatch(/sealed with a passphrase/);
    await warden.ok(['stop']);

    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [WARDEN_BIN, 'daemon'], { env: warden.baseEnv(env) });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
        setTimeout(() => child.kill(), 8000);
      });
    expect((await run({})).stderr).toMatch(/sealed with a passphrase; set WARDEN_VAULT_PASSPHRASE, or start the desktop app/);
    expect((await run({ WARDEN_VAULT_PASSPHRASE: 'wrong horse battery staple' })).stderr).toMatch(/the passphrase does not open this vault/);

    await warden.startDaemon({ WARDEN_VAULT_PASSPHRASE: 'correct horse battery staple' });
    expect(JSON.parse(await warden.ok(['secret', 'list', '--json']))[0].name).toBe('TOKEN');
    expect(JSON.parse(await warden.ok(['status', '--json'])).vault.description).toBe('passphrase');
  });
});
