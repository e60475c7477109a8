import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AggregatedSessionInfo } from '../../src-shared/session-api.js';
import { WARDEN_BIN, WardenHarness } from '../helpers/warden-harness.js';
import { childrenOf, toolText as text } from '../helpers/processes.js';


/** Polls until `check` holds (at most `timeoutMs`); returns whether it did. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('the servers (legs) of an aggregated session', () => {
  const warden = new WardenHarness();
  let key: string;
  let corePid: number;

  const open = async (): Promise<Client> => {
    const client = new Client({ name: 'legs-test', version: '1.0.0' }, { capabilities: {} });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [WARDEN_BIN, 'stdio'], env: warden.baseEnv({ WARDEN_CLIENT_KEY: key }), stderr: 'pipe' }));
    return client;
  };
  const aggregated = async (): Promise<AggregatedSessionInfo[]> => (JSON.parse(await warden.ok(['status', '--json'])) as { aggregated: AggregatedSessionInfo[] }).aggregated;
  const faultPids = (): number[] => childrenOf(corePid).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('fault-server.mjs'));

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addFaultServer('faulty');
    await warden.ok(['server', 'add', 'broken', '--command', process.execPath, '--arg', join(warden.dataDir, 'no-such-script.mjs'), '--default-action', 'allow']);
    key = await warden.clientKey('legs');
    corePid = (JSON.parse(await warden.ok(['status', '--json'])) as { pid: number }).pid;
  }, 60_000);

  afterAll(async () => {
    await warden.stop();
  });

  it('stops an idle upstream after upstreamIdleStopSeconds and starts it again on the next call', async () => {
    expect(await warden.ok(['settings', 'set', 'upstreamIdleStopSeconds', '1'])).toBe('upstreamIdleStopSeconds = 1\n');
    const client = await open();
    try {
      const first = Number(text(await client.callTool({ name: 'faulty__pid', arguments: {} })));
      expect(faultPids()).toContain(first);
      expect(await eventually(() => !existsSync(`/proc/${first}`))).toBe(true);
      const stopped = (await aggregated())[0]?.legs.find((leg) => leg.server === 'faulty');
      expect(stopped).toMatchObject({ state: 'stopped', pid: null, reason: expect.stringMatching(/idle/) });

      // The next call starts it again, lazily, in the same session.
      const second = Number(text(await client.callTool({ name: 'faulty__pid', arguments: {} })));
      expect(second).toBeGreaterThan(0);
      expect(second).not.toBe(first);
      expect(text(await client.callTool({ name: 'faulty__echo', arguments: { text: 'again' } }))).toBe('echo: again');
    } finally {
      await client.close();
      await warden.ok(['settings', 'set', 'upstreamIdleStopSeconds', '0']);
    }
  }, 60_000);

  it('keeps an upstream running while a call to it is in flight, however long it takes', async () => {
    await warden.ok(['settings', 'set', 'upstreamIdleStopSeconds', '1']);
    const client = await open();
    try {
      // Longer than the idle time: a stop under it would fail the call.
      expect(text(await client.callTool({ name: 'faulty__slow', arguments: { ms: 2500 } }))).toBe('slept 2500');
      const rows = (await warden.ok(['log', '--json', '--limit', '5'])).trim().split('\n').map((line) => JSON.parse(line) as { target: string; outcome: string });
      expect(rows.filter((row) => row.target === 'slow')).toEqual([expect.objectContaining({ outcome: 'ok' })]);
    } finally {
      await client.close();
      await warden.ok(['settings', 'set', 'upstreamIdleStopSeconds', '0']);
    }
  }, 60_000);

  it('shows a server that cannot start in warden status: the server, why, since when, and its log', async () => {
    const client = await open();
    try {
      await expect(client.callTool({ name: 'broken__anything', arguments: {} })).rejects.toThrow(/server "broken" could not be started/);
      expect(text(await client.callTool({ name: 'faulty__echo', arguments: { text: 'still' } }))).toBe('echo: still');
      const [session] = await aggregated();
      const broken = session?.legs.find((leg) => leg.server === 'broken');
      expect(broken).toMatchObject({ state: 'failing', reason: expect.stringMatching(/^server "broken" could not be started/), logPath: join(warden.dataDir, 'logs', 'server-broken.log') });
      expect(broken?.since).toBeTypeOf('number');
      expect(session?.legs.find((leg) => leg.server === 'faulty')).toMatchObject({ state: 'running' });
      const human = await warden.ok(['status']);
      expect(human).toMatch(/aggregated session of "legs" \(tools: all, since [^)]+\): running: faulty; failing: broken/);
      expect(human).toContain(`  failing: broken since `);
      expect(human).toContain(`its log: ${join(warden.dataDir, 'logs', 'server-broken.log')}`);
    } finally {
      await client.close();
    }
    // The session is gone, and so is its line.
    expect(await eventually(async () => (await aggregated()).length === 0)).toBe(true);
  }, 60_000);
});
