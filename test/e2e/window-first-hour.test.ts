import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_SERVER, WARDEN_BIN, WardenHarness } from '../helpers/warden-harness.js';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, screens } from './window-screens.js';

type Result = Awaited<ReturnType<Client['callTool']>>;
const text = (result: Result): string => JSON.stringify(result.content);

/** WCAG contrast of two CSS colours as the browser computes them ("rgb(r, g, b)"). */
function contrast(a: string, b: string): number {
  const lum = (css: string): number => {
    const [r, g, bl] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('the window in the first hour: what needs the user comes first (Debian chromium against warden daemon --web)', () => {
  const warden = new WardenHarness();
  let url: string;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** claude-desktop: echo asks, get-sum is denied, get-env is limited to 1 a minute. */
  let desktop: Client;
  /** cursor: everything allowed by the server's default. */
  let cursor: Client;
  let cursorKey: string;

  const go = async (name: string): Promise<void> => {
    await page.goto(`${origin}/#/${name}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    url = await warden.startWebDaemon();
    origin = new URL(url).origin;
    await warden.addEverything('everything', [], 'allow');
    await warden.ok(['server', 'add', 'broken', '--command', process.execPath, '--arg', FAULT_SERVER, '--env', 'TOKEN=${secret:NOPE}']);
    const desktopKey = await warden.clientKey('claude-desktop');
    cursorKey = await warden.clientKey('cursor');
    await warden.ok(['rule', 'add', '--client', 'claude-desktop', '--server', 'everything', '--tool', 'echo', '--action', 'ask']);
    await warden.ok(['rule', 'add', '--server', 'everything', '--tool', 'get-sum', '--action', 'deny']);
    await warden.ok(['limit', 'add', '--client', 'claude-desktop', '--server', 'everything', '--tool', 'get-env', '--max', '1', '--per', '60s']);
    [desktop, cursor] = await Promise.all([warden.connect('everything', desktopKey), warden.connect('everything', cursorKey)]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    page = await context.newPage();
    await page.goto(url);
  });

  afterAll(async () => {
    await Promise.all([desktop?.close(), cursor?.close()].map((p) => p?.catch(() => undefined)));
    await browser?.close();
    await warden.stop();
  });

  it('starts Overview with the waiting ask, the last hour\'s refusals by kind as log links, and the server missing a secret', async () => {
    expect((await desktop.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).isError).toBe(true);
    expect((await desktop.callTool({ name: 'get-env', arguments: {} })).isError).toBeFalsy();
    const limited = await desktop.callTool({ name: 'get-env', arguments: {} });
    expect(text(limited)).toMatch(/Rate limit/);
    const asked = desktop.callTool({ name: 'echo', arguments: { message: 'from the overview' } });
    await go('overview');
    const attention = page.getByRole('region', { name: 'Needs your attention' });
    const card = attention.getByRole('listitem', { name: 'Approval for echo' });
    await card.waitFor();
    await expect(card.getByRole('button', { name: 'Always allow claude-desktop → echo' }).isVisible()).resolves.toBe(true);
    await expect(card.textContent()).resolves.toContain('read-only');
    const refusals = attention.getByRole('list', { name: 'Refused and failed calls in the last hour' });
    await refusals.getByRole('link', { name: /1 denied by rule/ }).waitFor();
    await expect(refusals.getByRole('link', { name: /1 rate-limited/ }).getAttribute('href')).resolves.toMatch(/^#\/logs\?kind=limit&since=\d+$/);
    await expect(attention.getByRole('list', { name: 'Servers that need you' }).textContent()).resolves.toContain('broken missing secret NOPE');
    await expect(page.getByText(/call\(s\) waiting/).count()).resolves.toBe(0);
    for (const taken of await screens(page, 'overview-attention')) expect(taken.scrollWidth, taken.shot).toBeLessThanOrEqual(taken.width);

    await card.getByRole('button', { name: 'Allow once' }).click();
    expect(text(await asked)).toContain('from the overview');
    await card.waitFor({ state: 'detached' });

    await refusals.getByRole('link', { name: /denied by rule/ }).click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    const rows = page.locator('.log-scroller [role=row]');
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().textContent()).resolves.toMatch(/get-sum.*denied by rule/);
  });

  it('pauses from Overview in one click, shows it in the header on every page, refuses answers on Approvals, and resumes from the pill', async () => {
    await go('overview');
    await page.getByRole('button', { name: 'Pause all calls' }).click();
    const pill = page.getByRole('banner').getByRole('button', { name: 'Paused — Resume' });
    await pill.waitFor();
    const refused = await cursor.callTool({ name: 'echo', arguments: { message: 'while paused' } });
    expect(text(refused)).toMatch(/paused/);
    await go('logs');
    await pill.waitFor();
    await warden.ok(['resume']);
    // An ask that waits when Warden is paused is denied at once, and Approvals says answers are refused.
    const asked = desktop.callTool({ name: 'echo', arguments: { message: 'asked, then paused' } });
    await go('approvals');
    const card = page.getByRole('listitem', { name: 'Approval for echo' });
    await card.waitFor();
    await warden.ok(['pause']);
    expect(text(await asked)).toMatch(/paused/);
    await page.getByText('Warden is paused: answers are refused').waitFor();
    await card.waitFor({ state: 'detached' });
    await screens(page, 'approvals-paused');
    await pill.click();
    await page.getByRole('banner').getByText('Running').waitFor();
    await expect(page.getByText('Warden is paused: answers are refused').count()).resolves.toBe(0);
  });

  it('answers with scoped buttons and adds the decision to Recent decisions live, with its time', async () => {
    await go('approvals');
    const asked = desktop.callTool({ name: 'echo', arguments: { message: 'scoped' } });
    const card = page.getByRole('listitem', { name: 'Approval for echo' });
    await card.waitFor();
    for (const label of ['Allow once', 'Allow echo for this session', 'Always allow claude-desktop → echo', 'Deny', 'Always deny claude-desktop → echo']) {
      await expect(card.getByRole('button', { name: label, exact: true }).isVisible(), label).resolves.toBe(true);
    }
    await expect(card.locator('.tag').allTextContents()).resolves.toEqual(['read-only']);
    await screens(page, 'approvals');
    await card.getByRole('button', { name: 'Deny', exact: true }).click();
    expect((await asked).isError).toBe(true);
    const decisions = page.getByRole('table', { name: 'Recent decisions' });
    const row = decisions.getByRole('row').filter({ hasText: 'denied' }).first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/\d{1,2}:\d{2}:\d{2}.*echo.*denied.*after the ask/);
  });

  it('splits outcomes, folds repeats as ×N, builds menus from the core, holds new rows behind "N new", and closes details with Esc', async () => {
    // A client lists the tools first: Warden pins them all, called or not.
    await cursor.listTools();
    for (let i = 0; i < 3; i++) await cursor.callTool({ name: 'get-sum', arguments: { a: 5, b: 5 } });
    await Promise.all(Array.from({ length: 40 }, (_, i) => cursor.callTool({ name: 'echo', arguments: { message: `row ${i}` } })));
    await go('logs');
    const total = page.getByTestId('log-total');
    await expect.poll(() => total.textContent()).toMatch(/the log holds \d+ row/);
    const [shown, loaded, held] = ((await total.textContent()) ?? '').match(/\d[\d,]*/g)!.map((n) => Number(n.replace(/,/g, '')));
    expect(shown).toBe(loaded);
    expect(held).toBeGreaterThanOrEqual(loaded as number);
    // Tools the core pinned but no row used are offered: the menu is not built from loaded rows.
    await expect(page.getByLabel('Tool').locator('option').allTextContents()).resolves.toContain('trigger-long-running-operation');
    const outcomes = await page.getByLabel('Outcome').locator('option').allTextContents();
    expect(outcomes).toEqual(expect.arrayContaining(['denied by rule', 'rate-limited', 'denied by you', 'ask timed out', 'paused', 'running', 'waiting for you']));
    await expect(page.locator('.log-scroller [role=row]').first().locator('[role=cell]').nth(5).textContent()).resolves.toMatch(/^\d+ ms$|^\d+(\.\d)? s$/);

    await page.getByLabel('Tool').selectOption('get-sum');
    const folded = page.locator('.log-scroller [role=row]').filter({ hasText: 'get-sum' }).filter({ hasText: '×3' });
    await folded.click();
    const details = page.getByRole('complementary', { name: 'Call details' });
    await expect(details.textContent()).resolves.toMatch(/denied by rule ×3/);
    await expect(details.getByTestId('call-result').textContent()).resolves.toMatch(/rule \d+ \(everything \/ get-sum = deny\)/);
    await screens(page, 'logs-details');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
    await page.getByLabel('Tool').selectOption('');

    const scroller = page.locator('.log-scroller');
    await scroller.evaluate((el) => el.scrollTo({ top: 300 }));
    await page.waitForTimeout(100);
    const firstVisible = (): Promise<string | null> =>
      page.evaluate(() => {
        const box = document.querySelector('.log-scroller')!.getBoundingClientRect();
        const row = document.elementFromPoint(box.left + 40, box.top + 40)?.closest('[data-id]');
        return row?.getAttribute('data-id') ?? null;
      });
    const before = await firstVisible();
    expect(before).not.toBeNull();
    for (let i = 0; i < 5; i++) await cursor.callTool({ name: 'echo', arguments: { message: `new ${i}` } });
    await page.getByRole('button', { name: '5 new' }).waitFor();
    await expect(firstVisible()).resolves.toBe(before);
    await page.getByRole('button', { name: '5 new' }).click();
    await expect.poll(() => page.locator('.log-scroller [role=row]').first().textContent()).toContain('echo');
    await expect(scroller.evaluate((el) => el.scrollTop)).resolves.toBe(0);

    await page.setViewportSize({ width: 800, height: 600 });
    const serverCell = page.locator('.log-scroller [role=row]').first().locator('[role=cell]').nth(2);
    await expect(serverCell.isVisible()).resolves.toBe(true);
    await expect(serverCell.textContent()).resolves.toBe('everything');
    await page.locator('.log-scroller [role=row]').first().click();
    await expect(details.evaluate((el) => getComputedStyle(el).position)).resolves.toBe('fixed');
    await expect(serverCell.isVisible()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('offers known names in the rule form, warns about unseen ones, shows hits and defaults, places errors by field, and undoes a delete', async () => {
    await go('rules');
    const form = page.getByRole('form', { name: 'Add a rule' });
    const server = form.getByLabel('Server');
    const options = page.locator(`datalist#${(await server.getAttribute('list'))?.replace(/:/g, '\\:')} option`);
    // The names arrive with the page's first data load: wait for them, then read them all.
    await options.first().waitFor({ state: 'attached' });
    const servers = await options.evaluateAll((found) => found.map((o) => (o as HTMLOptionElement).value));
    expect(servers).toEqual(expect.arrayContaining(['broken', 'everything']));
    await server.fill('evrything');
    await form.getByText('Warden has not seen a server named "evrything"').waitFor();
    await server.fill('everything');
    await expect(form.getByText('Warden has not seen a server').count()).resolves.toBe(0);

    await form.getByLabel('Pattern').fill('a\tb');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const pattern = form.getByLabel('Pattern');
    const note = form.locator(`#${(await pattern.getAttribute('aria-describedby'))?.replace(/:/g, '\\:')}`);
    await expect(note.textContent()).resolves.toBe('a pattern must not contain control characters');
    await expect(pattern.getAttribute('aria-invalid')).resolves.toBe('true');
    await pattern.fill('get-tiny-image');
    await expect(pattern.getAttribute('aria-describedby')).resolves.toBeNull();
    await form.getByLabel('Action').selectOption('deny');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByRole('status').getByText(/Saved rule \d+ \(everything \/ get-tiny-image = deny\)/).waitFor();

    const rules = page.getByRole('table', { name: 'Rules' });
    const getSum = rules.getByRole('row').filter({ hasText: 'get-sum' });
    // 1 (claude-desktop) + 3 folded (cursor): hits count folded refusals in full.
    await expect(getSum.getByRole('cell').nth(6).textContent()).resolves.toBe('4');
    const defaults = page.getByRole('table', { name: 'Server defaults' }).getByRole('row').filter({ hasText: 'everything' });
    await expect(defaults.getByLabel('Default of everything').inputValue()).resolves.toBe('allow');
    expect(Number(await defaults.getByRole('cell').nth(2).textContent())).toBeGreaterThan(40);
    await screens(page, 'rules');

    await getSum.getByRole('button', { name: /Delete rule/ }).click();
    await page.getByText(/Deleted rule \d+ \(everything \/ get-sum = deny\)/).waitFor();
    await expect(getSum.count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await getSum.waitFor();
    expect(await warden.ok(['rule', 'list'])).toMatch(/get-sum.*deny/);

    const limits = page.getByRole('form', { name: 'Add a limit' });
    await limits.getByLabel('Max').fill('0');
    await limits.getByRole('button', { name: 'Add limit' }).click();
    await limits.getByText('the maximum is at least 1 call').waitFor();
    await limits.getByLabel('Max').fill('5');
    await expect(limits.getByText('the maximum is at least 1 call').count()).resolves.toBe(0);
  });

  it('shows a new key with a ready-to-paste config entry that copies, and "last call" from the log', async () => {
    await go('keys');
    await page.getByLabel('Client name').fill('vscode');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').textContent()) as string;
    const entry = JSON.parse((await page.getByTestId('config-entry').textContent()) as string) as { mcpServers: { warden: { args: string[]; env: Record<string, string> } } };
    expect(entry.mcpServers.warden).toEqual({ command: 'warden', args: ['stdio'], env: { WARDEN_CLIENT_KEY: key } });
    await page.getByRole('button', { name: 'Copy config entry' }).click();
    await page.getByText('Copied the config entry.').waitFor();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(entry);
    const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
    await expect(row('vscode').getByRole('cell').nth(3).textContent()).resolves.toBe('never');
    await expect(row('cursor').getByRole('cell').nth(3).textContent()).resolves.toMatch(/\d{1,2}:\d{2}:\d{2}/);
    await screens(page, 'keys-new');
    page.once('dialog', (dialog) => void dialog.dismiss());
    await row('vscode').getByRole('button', { name: 'Revoke vscode' }).click();
    await expect(row('vscode').getByRole('cell').nth(4).textContent()).resolves.toBe('active');
  });

  it('draws the chart\'s axes readable in dark mode and keeps the badge red at 4.5:1 or more', async () => {
    const asked = desktop.callTool({ name: 'echo', arguments: { message: 'for the badge' } });
    await go('overview');
    await page.locator('.chart canvas').waitFor();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const badge = page.locator('.badge');
      await badge.waitFor();
      const [fg, bg] = await badge.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]);
      expect(contrast(fg as string, bg as string), colorScheme).toBeGreaterThanOrEqual(4.5);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      // The y axis' numbers: the brightest pixel left of the plot is light in dark mode, dark in light mode.
      const brightest = await page.locator('.chart canvas').first().evaluate((canvas: HTMLCanvasElement) => {
        const ctx = canvas.getContext('2d')!;
        const data = ctx.getImageData(0, 0, Math.min(60, canvas.width), canvas.height).data;
        let max = 0;
        let min = 255;
        for (let i = 0; i < data.length; i += 4) {
          if ((data[i + 3] ?? 0) < 200) continue;
          const v = ((data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0)) / 3;
          max = Math.max(max, v);
          min = Math.min(min, v);
        }
        return { max, min };
      });
      if (colorScheme === 'dark') expect(brightest.max).toBeGreaterThan(180);
      else expect(brightest.min).toBeLessThan(80);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('listitem', { name: 'Approval for echo' }).getByRole('button', { name: 'Allow once' }).click();
    await asked;
  });

  it('says when the core stops, disables the forms, and says exactly what to do when a new core runs', async () => {
    await go('rules');
    await warden.ok(['stop']);
    await new Promise((resolve) => (warden.daemon?.exitCode === null ? warden.daemon.once('exit', resolve) : resolve(undefined)));
    await page.getByRole('alert').filter({ hasText: 'The Warden core is not running' }).waitFor();
    await expect(page.getByRole('button', { name: 'Add rule' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('banner').getByText('Running').count()).resolves.toBe(0);
    await screens(page, 'disconnected');

    // The same data dir and port: the page finds it, but the new core has a new token.
    const child = spawn(process.execPath, [WARDEN_BIN, 'daemon', '--web', '--port', new URL(origin).port], { env: warden.baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    warden.daemon = child;
    const fresh = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no window URL printed: ${out}`)), 15_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /MCP Warden window: (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
    });
    await page.getByRole('alert').filter({ hasText: 'open the link that warden daemon --web printed' }).waitFor();
    await expect(page.getByRole('button', { name: 'Add rule' }).isDisabled()).resolves.toBe(true);
    await page.goto(fresh);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expect(page.locator('.disconnect').count()).resolves.toBe(0);
  });
});
