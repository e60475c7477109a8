// `npm run bench`: the same upstream (server-everything) reached directly and through Warden
// (shim → core → upstream), alternating A/B in one run so machine noise hits both alike.
// Prints figures and ratios to direct; targets are shown beside them, never asserted.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 2 : 5;

const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
const warden = (...args) => execFileSync(process.execPath, [WARDEN, ...args], { env, encoding: 'utf8' }).trim();

const daemon = spawn(process.execPath, [WARDEN, 'daemon'], { env, stdio: 'ignore' });
await waitForSocket(join(dataDir, 'warden.sock'));
warden('server', 'add', 'everything', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio');
const key = warden('client', 'add', 'bench');

const transports = {
  direct: () => new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], env: { PATH: env.PATH }, stderr: 'ignore' }),
  warden: () =>
    new StdioClientTransport({
      command: process.execPath,
      args: [WARDEN, 'stdio', '--server', 'everything'],
      env: { ...env, WARDEN_CLIENT_KEY: key },
      stderr: 'inherit',
    }),
};

async function open(kind) {
  const transport = transports[kind]();
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  const started = performance.now();
  await client.connect(transport);
  return { client, transport, coldMs: performance.now() - started };
}

const echo = (client, message) => client.callTool({ name: 'echo', arguments: { message } });

async function timeCalls(client, count, message) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await echo(client, message);
    samples.push(performance.now() - t);
  }
  return samples;
}

async function throughput(client, concurrency, total) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await echo(client, 'x');
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const pct = (samples, p) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const median = (values) => pct(values, 50);

const results = { direct: { cold: [], small: [], big: [], tput: { 1: [], 8: [], 32: [] } }, warden: { cold: [], small: [], big: [], tput: { 1: [], 8: [], 32: [] } } };

// Cold start: spawn → initialized, alternating.
for (let i = 0; i < (QUICK ? 3 : 8); i++) {
  for (const kind of i % 2 === 0 ? ['direct', 'warden'] : ['warden', 'direct']) {
    const { client, coldMs } = await open(kind);
    results[kind].cold.push(coldMs);
    await client.close();
  }
}

const sessions = { direct: await open('direct'), warden: await open('warden') };
const big = 'x'.repeat(256 * 1024);
for (const kind of ['direct', 'warden']) await timeCalls(sessions[kind].client, 200, 'warm-up');

for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ['direct', 'warden'] : ['warden', 'direct'];
  for (const kind of order) results[kind].small.push(...(await timeCalls(sessions[kind].client, 400, 'hello')));
  for (const kind of order) results[kind].big.push(...(await timeCalls(sessions[kind].client, 15, big)));
  for (const c of [1, 8, 32]) for (const kind of order) results[kind].tput[c].push(await throughput(sessions[kind].client, c, 600));
}

const rssMiB = (pid) => {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return NaN;
  }
};
const shimRss = rssMiB(sessions.warden.transport.pid);
const coreRss = rssMiB(daemon.pid);
const directRss = rssMiB(sessions.direct.transport.pid);

const rows = [];
const row = (metric, d, w, ratio, target) => rows.push([metric, d, w, ratio, target]);
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ratioOf = (w, d) => w / d;
const mark = (ok) => (ok ? 'ok' : 'MISSED');

const cold = [median(results.direct.cold), median(results.warden.cold)];
row('cold start ms (p50)', fmt(cold[0], 1), fmt(cold[1], 1), fmt(ratioOf(cold[1], cold[0])), `≤ 1.15× ${mark(cold[1] / cold[0] <= 1.15)}`);
const p50 = [pct(results.direct.small, 50), pct(results.warden.small, 50)];
row('echo p50 ms', fmt(p50[0], 3), fmt(p50[1], 3), fmt(ratioOf(p50[1], p50[0])), `≤ 1.8× ${mark(p50[1] / p50[0] <= 1.8)}`);
const p99 = [pct(results.direct.small, 99), pct(results.warden.small, 99)];
row('echo p99 ms', fmt(p99[0], 3), fmt(p99[1], 3), fmt(ratioOf(p99[1], p99[0])), '');
for (const c of [1, 8, 32]) {
  const t = [median(results.direct.tput[c]), median(results.warden.tput[c])];
  row(`calls/s c=${c}`, fmt(t[0], 0), fmt(t[1], 0), fmt(ratioOf(t[1], t[0])), c === 32 ? `≥ 0.5× ${mark(t[1] / t[0] >= 0.5)}` : '');
}
const b = [pct(results.direct.big, 50), pct(results.warden.big, 50)];
row('256 KiB echo p50 ms', fmt(b[0], 2), fmt(b[1], 2), fmt(ratioOf(b[1], b[0])), `≤ 1.5× ${mark(b[1] / b[0] <= 1.5)}`);
row('RSS MiB shim / core', fmt(directRss, 1) + ' (server)', `${fmt(shimRss, 1)} / ${fmt(coreRss, 1)}`, '', `shim ≤ 45 ${mark(shimRss <= 45)}`);

const headers = ['metric', 'direct', 'warden', 'ratio', 'target'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(`\nMCP Warden bench — ${new Date().toISOString()} — node ${process.version}, ${ROUNDS} alternating rounds\n`);
console.log(line(headers));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));

await sessions.direct.client.close();
await sessions.warden.client.close();
warden('stop');
await new Promise((r) => daemon.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });

function waitForSocket(path) {
  return new Promise((resolveWait, reject) => {
    const deadline = Date.now() + 10_000;
    const attempt = () => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.destroy();
        resolveWait();
      });
      socket.once('error', () => {
        if (Date.now() > deadline) reject(new Error('the Warden daemon did not start'));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}
