import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, ROOT, WardenHarness } from '../helpers/warden-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-results', 'screenshots');

/** A raw HTTP request, to send what a browser would not (foreign Host, Origin, upgrades). */
function raw(url: string, headers: Record<string, string>, path = '/'): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', (res) => resolve({ status: res.statusCode ?? 101, body: '' }));
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve({ status: 0, body: '' }) : reject(error)));
    req.end();
  });
}

describe('the window against warden daemon --web, in Debian chromium', () => {
  const warden = new WardenHarness();
  let url: string;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let client: Client | undefined;
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const go = async (name: string): Promise<void> => {
    await page.goto(`${origin}/#/${name}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    url = await warden.startWebDaemon();
    origin = new URL(url).origin;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    await page.goto(url);
  });

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await browser?.close();
    await warden.stop();
  });

  it('trades the token for a cookie and takes it out of the address bar', async () => {
    expect(page.url()).toBe(`${origin}/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // Overview's heading comes first; the chart's place fills in when the numbers arrive.
    await page.getByText('No calls in the last hour').waitFor();
    await shot('overview-empty');
  });

  it('adds a server with a secret, a client key and an ask rule, then approves a call through the real shim', async () => {
    await go('keys');
    await page.getByLabel('Name', { exact: true }).fill('API_TOKEN');
    await page.getByLabel('Value').fill('tok-from-the-window');
    await page.getByRole('button', { name: 'Save secret' }).click();
    await page.getByRole('cell', { name: 'API_TOKEN', exact: true }).waitFor();
    await page.getByLabel('Client name').fill('e2e-client');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').textContent()) as string;
    expect(key).toMatch(/^wk_/);
    await shot('keys');

    await go('servers');
    await page.getByLabel('Name', { exact: true }).fill('everything');
    await page.getByLabel('Command', { exact: true }).fill(process.execPath);
    await page.getByLabel('Arguments, one per line').fill(`${EVERYTHING}\nstdio`);
    await page.getByRole('button', { name: 'Add a variable' }).click();
    await page.getByLabel('Variable 1 name').fill('API_TOKEN');
    await page.getByLabel('Variable 1 secret').selectOption('API_TOKEN');
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByRole('heading', { name: 'everything', level: 3 }).waitFor();
    // Edit it: the same form, prefilled; the name cannot change.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const editor = page.getByRole('form', { name: 'Edit everything' });
    await expect(editor.getByLabel('Name', { exact: true }).getAttribute('readonly')).resolves.not.toBeNull();
    await editor.getByRole('button', { name: 'Add a variable' }).click();
    await editor.getByLabel('Variable 2 name').fill('LOG_LEVEL');
    await editor.getByLabel('Variable 2 value').fill('debug');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await editor.waitFor({ state: 'detached' });
    const saved = JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ env: Record<string, string> }>;
    expect(saved[0]?.env).toEqual({ API_TOKEN: '${secret:API_TOKEN}', LOG_LEVEL: 'debug' });

    await go('rules');
    const form = page.getByRole('form', { name: 'Add a rule' });
    await form.getByLabel('Client').fill('e2e-client');
    await form.getByLabel('Server').fill('everything');
    await form.getByLabel('Pattern').fill('echo');
    await form.getByLabel('Action').selectOption('ask');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('cell', { name: 'e2e-client', exact: true }).waitFor();
    await shot('rules');

    client = await warden.connect('everything', key);
    const call = client.callTool({ name: 'echo', arguments: { message: 'approved in the window' } });
    await go('approvals');
    const card = page.getByRole('listitem', { name: 'Approval for echo' });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('approved in the window');
    await expect(card.textContent()).resolves.toContain('Why: rule 1 (client e2e-client, everything / echo = ask)');
    await shot('approval');
    await card.getByRole('button', { name: 'Allow once' }).click();
    const result = await call;
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: approved in the window' }]);

    await go('logs');
    // A row arrives pending and is sent again when the call completes.
    const row = page.getByRole('row').filter({ hasText: 'echo' }).filter({ has: page.locator('.outcome', { hasText: 'ok' }) }).first();
    await row.waitFor();
    await row.click();
    await expect(page.getByRole('complementary', { name: 'Call details' }).textContent()).resolves.toContain('ask: rule 1');
    await shot('logs');
  });

  it('shows a denied call as denied in the live log', async () => {
    await go('logs');
    const rule = await warden.ok(['rule', 'add', '--server', 'everything', '--tool', 'get-sum', '--action', 'deny']);
    expect(rule).toMatch(/added rule/);
    const refused = await client!.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    expect(refused.isError).toBe(true);
    const row = page.getByRole('row').filter({ hasText: 'get-sum' }).filter({ has: page.locator('.outcome', { hasText: 'denied' }) });
    await row.waitFor();
    await expect(row.count()).resolves.toBe(1);
  });

  it('answers an approval with Enter from the keyboard', async () => {
    await go('approvals');
    const call = client!.callTool({ name: 'echo', arguments: { message: 'by keyboard' } });
    await page.getByRole('listitem', { name: 'Approval for echo' }).waitFor();
    await page.locator('body').press('Enter');
    expect((await call).content).toEqual([{ type: 'text', text: 'Echo: by keyboard' }]);
  });

  it('works at 800×600 in dark mode on every page, with errors in words', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const name of ['overview', 'servers', 'rules', 'keys', 'approvals', 'logs', 'settings']) {
      await go(name);
      await shot(`dark-${name}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, name).toBeLessThanOrEqual(800);
    }
    await go('rules');
    const form = page.getByRole('form', { name: 'Add a rule' });
    await form.getByLabel('Server').fill('x');
    await form.getByLabel('Pattern').fill('a\tb');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/^a pattern must not contain control characters$/);
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('gives a page without the token no data', async () => {
    const stranger = await browser.newPage();
    const response = await stranger.goto(`${origin}/`);
    expect(response?.status()).toBe(401);
    expect(await stranger.textContent('body')).toContain('needs the link with its token');
    const socket = await stranger.evaluate(
      (wsUrl) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(wsUrl);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      `${origin.replace('http', 'ws')}/api`,
    );
    expect(socket).toBe('refused');
    await stranger.close();
    expect((await raw(url, { Host: new URL(url).host }, '/assets/')).status).toBe(401);
  });

  it('refuses a foreign Origin and a foreign Host (DNS rebinding) with 403', async () => {
    const token = new URL(url).searchParams.get('token') as string;
    const host = new URL(url).host;
    expect((await raw(url, { Host: host, Origin: 'http://evil.example' }, `/?token=${token}`)).status).toBe(403);
    expect((await raw(url, { Host: `evil.example:${new URL(url).port}` }, `/?token=${token}`)).status).toBe(403);
    const upgrade = { Host: host, Origin: 'http://evil.example', Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Cookie: `warden_token=${token}` };
    expect((await raw(url, upgrade, '/api')).status).toBe(403);
    expect((await raw(url, { ...upgrade, Origin: origin }, '/api')).status).toBe(101);
  });
});
