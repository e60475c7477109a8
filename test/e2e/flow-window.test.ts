import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelEntry } from '../../src-shared/flow-api.js';
import { ROOT, WardenHarness } from '../helpers/warden-harness.js';

const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', name);

describe('the window\'s flow guard views, in Debian chromium', () => {
  const warden = new WardenHarness();
  let browser: Browser;
  let page: Page;
  let origin: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const url = await warden.startWebDaemon();
    origin = new URL(url).origin;
    await warden.ok(['server', 'add', 'files', '--command', process.execPath, '--arg', fixture('flow-files-server.mjs'), '--default-action', 'allow']);
    await warden.ok(['server', 'add', 'issues', '--command', process.execPath, '--arg', fixture('flow-issues-server.mjs'), '--default-action', 'allow']);
    const key = await warden.clientKey('claude');
    for (const server of ['files', 'issues']) {
      const client = await warden.connect(server, key);
      clients.push(client);
      await client.listTools();
    }
    await clients[0]!.callTool({ name: 'get_file_contents', arguments: { path: 'ROADMAP.md' } });
    await clients[1]!.callTool({ name: 'get_issue', arguments: { number: 3 } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await page.goto(url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await browser?.close();
    await warden.stop();
  });

  it('shows the conversation with its legs on Overview, and that its external calls are held', async () => {
    const conversation = page.getByRole('article', { name: `Conversation process:${process.pid}:claude` });
    await conversation.waitFor();
    await expect(conversation.getByText('files → get_file_contents').isVisible()).resolves.toBe(true);
    await expect(conversation.getByText('issues → get_issue').isVisible()).resolves.toBe(true);
    await expect(conversation.getByText(/calls that can send data out are held/).isVisible()).resolves.toBe(true);
  });

  it('toggles a tool\'s labels in the server\'s tool table, saying where each came from', async () => {
    await page.goto(`${origin}/#/servers`);
    await page.getByRole('heading', { name: 'files', level: 3 }).waitFor();
    await page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'files', level: 3 }) }).getByRole('button', { name: 'Show tools' }).click();
    const toggles = page.getByRole('group', { name: 'Flow labels of get_file_contents' });
    const privateLabel = toggles.getByRole('button', { name: 'private', exact: true });
    await expect(privateLabel.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(privateLabel.getAttribute('title')).resolves.toBe('private: from the server\'s hint (readOnlyHint, openWorldHint false)');
    await toggles.getByRole('button', { name: 'external', exact: true }).click();
    await expect.poll(async () => toggles.getByRole('button', { name: 'external', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const entries = JSON.parse(await warden.ok(['label', 'list', '--json'])) as LabelEntry[];
    expect(entries.find((entry) => entry.tool === 'get_file_contents')?.labels).toEqual([
      { label: 'private', source: 'hint', hint: 'readOnlyHint, openWorldHint false' },
      { label: 'external', source: 'user-tool' },
    ]);
    await toggles.getByRole('button', { name: 'reset' }).click();
    await expect.poll(async () => toggles.getByRole('button', { name: 'external', exact: true }).getAttribute('aria-pressed')).toBe('false');
  });
});
