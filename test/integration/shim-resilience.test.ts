import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawShim } from '../helpers/raw-shim.js';
import { ROOT, WARDEN_BIN, WardenHarness } from '../helpers/warden-harness.js';

const RECORDING_SERVER = join(ROOT, 'test', 'fixtures', 'shim-recording-server.mjs');
const RESTARTED = /MCP Warden: the Warden core restarted while this request was in flight, so the call may or may not have taken effect; retry it/;

/** Runs the shim with `input` as its whole stdin; resolves with its output once it exits. */
function pipeThroughShim(warden: WardenHarness, key: string, input: string): Promise<{ code: number | null; lines: Array<Record<string, unknown>>; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WARDEN_BIN, 'stdio', '--server', 'faulty'], { env: warden.baseEnv({ WARDEN_CLIENT_KEY: key }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => {
      const lines = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, lines, stderr });
    });
    child.stdin.end(input);
  });
}

const call = (id: number, name: string, args: Record<string, unknown>): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }) + '\n';

const textOf = (result: unknown): string => (result as { content: Array<{ text: string }> }).content[0]!.text;

/** The lines the recording upstream received, in order, across its restarts. */
function received(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('G9: the client never loses its session to Warden', () => {
  let warden: WardenHarness;
  let key: string;
  let record: string;

  beforeEach(async () => {
    warden = new WardenHarness();
    await warden.startDaemon();
    await warden.addFaultServer('faulty');
    record = join(warden.dataDir, 'received.jsonl');
    await warden.ok(['server', 'add', 'recorded', '--command', process.execPath, '--arg', RECORDING_SERVER, '--env', `RECORD_FILE=${record}`, '--default-action', 'allow']);
    key = await warden.clientKey('resilient');
  });

  afterEach(async () => {
    await warden.stop();
  });

  describe('stdin EOF', () => {
    it('G9: prints the result of one tools/call line piped in with stdin closed', async () => {
      const { code, lines } = await pipeThroughShim(warden, key, call(1, 'echo', { text: 'piped' }));
      expect(lines).toHaveLength(1);
      expect(lines[0]!.id).toBe(1);
      expect(textOf(lines[0]!.result)).toBe('echo: piped');
      expect(code).toBe(0);
    });

    it('G9: still delivers the reply to a slow call in flight when stdin ends', async () => {
      const { code, lines } = await pipeThroughShim(warden, key, call(1, 'slow', { ms: 1500 }) + call(2, 'echo', { text: 'quick' }));
      expect(lines.map((line) => line.id).sort()).toEqual([1, 2]);
      expect(textOf(lines.find((line) => line.id === 1)!.result)).toBe('slept 1500');
      expect(code).toBe(0);
    });
  });

  describe('core restart', () => {
    /**
     * Starts a slow call, ends the core with `stopCore` while the upstream works on it, and
     * checks the session goes on: the call gets the shim's sentence, the next call on the same
     * client works, and the upstream was given the client's handshake again.
     */
    async function survives(stopCore: () => Promise<void>): Promise<void> {
      const client: Client = await warden.connect('recorded', key);
      try {
        expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'before' } }))).toBe('echo: before');
        const inFlight = client.callTool({ name: 'slow', arguments: { ms: 4000 } });
        const failure = inFlight.then(
          () => 'answered',
          (error: Error) => error.message,
        );
        await until(() => received(record).some((line) => (line.params as { name?: string } | undefined)?.name === 'slow'), 'the upstream to receive the slow call');
        await stopCore();
        expect(await failure).toMatch(RESTARTED);

        const after = await client.callTool({ name: 'echo', arguments: { text: 'after' } });
        expect(textOf(after)).toBe('echo: after');

        // The call made while the shim reconnected was held until the handshake was replayed.
        expect(received(record).map((line) => line.method)).toEqual([
          'initialize',
          'notifications/initialized',
          'tools/call',
          'tools/call',
          'initialize',
          'notifications/initialized',
          'tools/call',
        ]);
        const initializes = received(record).filter((line) => line.method === 'initialize');
        expect(initializes.map((line) => line.id)).toEqual([0, 'warden-shim-replay-1']);
        expect(initializes[1]!.params).toEqual(initializes[0]!.params);
        const calls = received(record).filter((line) => line.method === 'tools/call').map((line) => (line.params as { arguments: { text?: string } }).arguments.text ?? 'slow');
        expect(calls).toEqual(['before', 'slow', 'after']);
      } finally {
        await client.close();
      }
    }

    it('G9: a client keeps its session through a core killed with SIGKILL', { timeout: 60_000 }, async () => {
      await survives(async () => {
        const exited = new Promise((resolve) => warden.daemon!.once('exit', resolve));
        warden.daemon!.kill('SIGKILL');
        await exited;
      });
    });

    it('G9: a client keeps its session through `warden stop`', { timeout: 60_000 }, async () => {
      await survives(async () => {
        const exited = new Promise((resolve) => warden.daemon!.once('exit', resolve));
        await warden.ok(['stop']);
        // The shim starts a core for the next call; the old one must be gone, or the new one
        // would find its data dir still locked and step aside.
        await exited;
      });
    });

    it('G9: answers a call the core cannot take within 20 s with a sentence, stays up, and serves the next one', { timeout: 90_000 }, async () => {
      const transport = warden.shimTransport('faulty', key);
      let shimErr = '';
      transport.stderr?.on('data', (chunk: Buffer) => (shimErr += chunk.toString('utf8')));
      const client = new Client({ name: 'warden-test', version: '1.0.0' }, { capabilities: {} });
      await client.connect(transport);
      try {
        const vaultKey = join(warden.dataDir, 'vault.key');
        const goodKey = readFileSync(vaultKey);
        const exited = new Promise((resolve) => warden.daemon!.once('exit', resolve));
        warden.daemon!.kill('SIGKILL');
        await exited;
        // Every core the shim starts now exits at once: it cannot open the vault.
        writeFileSync(vaultKey, 'not a key');
        // The call goes out only once the shim noticed the killed core, so it is never in flight
        // when the connection breaks: it is held and answered with the start failure.
        await until(() => shimErr.includes('connecting again'), 'the shim to notice the killed core');
        const refused = await client.callTool({ name: 'echo', arguments: { text: 'held' } }).then(
          () => 'answered',
          (error: Error) => error.message,
        );
        // Which start failure is seen first depends on how fast a broken core dies; each is right.
        expect(refused).toMatch(/MCP Warden: the Warden core (could not start|did not start within 10 s); see .*warden\.log.*; the call was not made; retry it in a moment$/);
        writeFileSync(vaultKey, goodKey);
        expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'back' } }))).toBe('echo: back');
      } finally {
        await client.close();
      }
    });

    it('G9: does not start a stopped core again while the client is idle', async () => {
      const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']);
      await raw.initialize();
      const exited = new Promise((resolve) => warden.daemon!.once('exit', resolve));
      await warden.ok(['stop']);
      await exited;
      await new Promise((r) => setTimeout(r, 1500));
      expect((await warden.cli(['status'])).code).toBe(1);
      expect(raw.child.exitCode).toBeNull();
      expect(await raw.close()).toBe(0);
    });
  });

  describe('half-open sockets', () => {
    it('G9: the core still ends an admin connection when the CLI ends its side', async () => {
      const token = readFileSync(join(warden.dataDir, 'admin.token'), 'utf8').trim();
      const socket = connect(join(warden.dataDir, 'warden.sock'));
      let replies = '';
      socket.on('data', (chunk: Buffer) => (replies += chunk.toString('utf8')));
      const closed = new Promise<boolean>((resolve) => {
        socket.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 10_000).unref();
      });
      socket.write(JSON.stringify({ warden: 1, type: 'admin', token }) + '\n');
      socket.end(JSON.stringify({ id: 1, method: 'server.list', params: {} }) + '\n');
      expect(await closed).toBe(true);
      expect(replies).toMatch(/^\{"warden":1,"ok":true\}\n/);
    });
  });

  describe('refused hello', () => {
    it('G9: a wrong key is still reported to the client and ends the shim', async () => {
      const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: 'wk_' + 'A'.repeat(43) }), ['--server', 'faulty']);
      raw.sendJson({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
      const refused = await raw.waitFor((line) => line.id === 1);
      expect((refused.error as { message: string }).message).toMatch(/^MCP Warden: the client key is not known/);
      expect(await raw.exited).toBe(1);
    });

    it('G9: a key revoked while the core was down is reported after the reconnect', { timeout: 60_000 }, async () => {
      const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']);
      await raw.initialize();
      const exited = new Promise((resolve) => warden.daemon!.once('exit', resolve));
      warden.daemon!.kill('SIGKILL');
      await exited;
      // The CLI starts a new core to revoke the key; the idle shim then finds it and says hello.
      await warden.ok(['client', 'revoke', 'resilient']);
      raw.sendJson({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } });
      const refused = await raw.waitFor((line) => line.id === 7);
      expect((refused.error as { message: string }).message).toMatch(/revoked/);
      expect(await raw.exited).toBe(1);
      expect(raw.stderr).toMatch(/warden: .*revoked/);
    });
  });
});
