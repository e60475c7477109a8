// Part of `npm run bench`: how the window's live log renders with 100,000 rows loaded while
// 1,000 real calls per second arrive (shim → core → fault server), in Debian's chromium.
// Figures, not assertions.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const FAULT = join(ROOT, 'test', 'fixtures', 'fault-server.mjs');
const SEED_ROWS = 100_000;
const RATE = 1000;
const SECONDS = 5;

if (!existsSync('/usr/bin/chromium')) {
  console.log('\nlog view: skipped (no /usr/bin/chromium; apt-get install chromium)');
  process.exit(0);
}

const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-ui-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
const warden = (...args) => execFileSync(process.execPath, [WARDEN, ...args], { env, encoding: 'utf8' }).trim();

// Configure through a first core, then seed the log while no core holds the database.
warden('server', 'add', 'faulty', '--command', process.execPath, '--arg', FAULT, '--default-action', 'allow');
warden('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
const key = warden('client', 'add', 'bench');
warden('stop');
const db = new Database(join(dataDir, 'warden.db'));
const insert = db.prepare(
  `INSERT INTO calls (ts, session, client, server, method, target, arguments, outcome, duration_ms, result_bytes, decision, reason)
   VALUES (?, 's', 'seed', 'faulty', 'tools/call', ?, '{"text":"seeded"}', ?, 1.5, 40, 'allow', 'seeded for the bench')`,
);
db.transaction(() => {
  const start = Date.now() - SEED_ROWS * 10;
  for (let i = 0; i < SEED_ROWS; i++) insert.run(start + i * 10, `tool_${i % 50}`, i % 17 === 0 ? 'denied' : 'ok');
})();
db.close();

const daemon = spawn(process.execPath, [WARDEN, 'daemon', '--web'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
const url = await new Promise((done) => {
  let out = '';
  daemon.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /MCP Warden window: (\S+)/.exec(out);
    if (match) done(match[1]);
  });
});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
await page.goto(url);
const loadStarted = Date.now();
await page.goto(url.replace(/\/\?token=.*/, '/#/logs'));
await page.waitForFunction((n) => /of (\d+) row/.exec(document.body.innerText)?.[1] >= n, SEED_ROWS, { timeout: 60_000 });
const loadMs = Date.now() - loadStarted;

const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
await client.connect(new StdioClientTransport({ command: process.execPath, args: [WARDEN, 'stdio', '--server', 'faulty'], env: { ...env, WARDEN_CLIENT_KEY: key } }));

await page.evaluate(() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (window.__recording) requestAnimationFrame(tick);
  };
  window.__recording = true;
  requestAnimationFrame(tick);
});

// 1,000 calls a second: ten every 10 ms, each a real call through the shim.
let sent = 0;
let done = 0;
const started = Date.now();
await new Promise((finish) => {
  const timer = setInterval(() => {
    const due = Math.min(RATE * SECONDS, Math.floor(((Date.now() - started) / 1000) * RATE));
    while (sent < due) {
      sent++;
      void client.callTool({ name: 'echo', arguments: { text: `call ${sent}` } }).then(() => done++);
    }
    if (sent >= RATE * SECONDS) {
      clearInterval(timer);
      finish();
    }
  }, 10);
});
while (done < sent) await new Promise((r) => setTimeout(r, 20));
const elapsed = (Date.now() - started) / 1000;
await page.waitForTimeout(300);
const frames = await page.evaluate(() => {
  window.__recording = false;
  return window.__frames.slice(1);
});
const rowsShown = await page.evaluate(() => /of (\d+) row/.exec(document.body.innerText)?.[1]);

const sorted = [...frames].sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const fmt = (n) => n.toFixed(1);
console.log(`\nLog view — ${SEED_ROWS.toLocaleString()} rows loaded in ${(loadMs / 1000).toFixed(1)} s; ${sent} calls in ${elapsed.toFixed(1)} s (${Math.round(sent / elapsed)}/s) through the shim; ${rowsShown} rows held`);
console.log('| frames | frame p50 ms | frame p95 ms | frame max ms | frames over 50 ms |');
console.log('|--------|--------------|--------------|--------------|-------------------|');
console.log(`| ${frames.length} | ${fmt(at(0.5))} | ${fmt(at(0.95))} | ${fmt(sorted.at(-1))} | ${frames.filter((f) => f > 50).length} |`);

await client.close();
await browser.close();
warden('stop');
await new Promise((r) => daemon.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });
