import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARDEN_BIN, WardenHarness } from '../helpers/warden-harness.js';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, screens } from './window-screens.js';

describe('the window shows a server failing in an aggregated session (Debian chromium against warden daemon --web)', () => {
  const warden = new WardenHarness();
  let url: string;
  let browser: Browser;
  let client: Client;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    url = await warden.startWebDaemon();
    await warden.addFaultServer('faulty');
    await warden.ok(['server', 'add', 'broken', '--command', process.execPath, '--arg', join(warden.dataDir, 'no-such-script.mjs'), '--default-action', 'allow']);
    const key = await warden.clientKey('claude-desktop');
    client = new Client({ name: 'window-aggregate', version: '1.0.0' }, { capabilities: {} });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [WARDEN_BIN, 'stdio'], env: warden.baseEnv({ WARDEN_CLIENT_KEY: key }), stderr: 'pipe' }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await browser?.close();
    await warden.stop();
  });

  it('lists the failing server on Overview with its client, reason and log, while the session works', async () => {
    await expect(client.callTool({ name: 'broken__anything', arguments: {} })).rejects.toThrow(/server "broken" could not be started/);
    expect((await client.callTool({ name: 'faulty__echo', arguments: { text: 'ok' } })).isError).toBeFalsy();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(url);
    await page.goto(`${new URL(url).origin}/#/overview`);
    const failing = page.getByRole('list', { name: 'Servers failing in aggregated sessions' });
    await failing.waitFor();
    const item = failing.getByRole('listitem');
    await expect(item.count()).resolves.toBe(1);
    const shown = await item.textContent();
    expect(shown).toMatch(/^broken failing in the aggregated session of claude-desktop since .+: server "broken" could not be started/);
    expect(shown).toContain(join(warden.dataDir, 'logs', 'server-broken.log'));
    for (const taken of await screens(page, 'overview-failing-leg')) expect(taken.scrollWidth, taken.shot).toBeLessThanOrEqual(taken.width);
  }, 60_000);
});
