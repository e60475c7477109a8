// `npm run bench`: the same upstream (server-everything) reached directly, through the bare
// two-hop relay (the floor of any shim + core design) and through Warden (shim → core →
// upstream), alternating A/B in one run so machine noise hits all alike. Prints figures, ratios
// to direct and to the bare relay, the start of a shim that must start the core itself, and the
// idle core's memory with 10 servers configured; targets are shown beside them, never asserted.
//
//   node bench/run.mjs [--quick] [--root DIR]
// --root DIR measures the Warden of another checkout (built), e.g. a branch's starting commit.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { idleCoreRss, shimStartsCore } from './cold-core.mjs';
import { loadPolicy } from './policy-load.mjs';
import { privateMiB, rssMiB, waitForSocket } from './proc.mjs';

const rootArg = process.argv.indexOf('--root');
const ROOT = resolve(rootArg === -1 ? join(import.meta.dirname, '..') : process.argv[rootArg + 1]);
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const BARE_RELAY = join(import.meta.dirname, 'bare-relay.mjs');
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 2 : 5;

const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
const warden = (...args) => execFileSync(process.execPath, [WARDEN, ...args], { env, encoding: 'utf8' }).trim();

const daemon = spawn(process.execPath, [WARDEN, 'daemon'], { env, stdio: 'ignore' });
await waitForSocket(join(dataDir, 'warden.sock'));
warden('server', 'add', 'everything', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'allow');
warden('server', 'add', 'everything-policy', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'deny');
// The bench makes thousands of calls a second: lift the default per-client limit (1000/min),
// or refused calls (answered by Warden alone) would flatter the figures.
warden('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
const key = warden('client', 'add', 'bench');
await loadPolicy(dataDir);

// The reference: two bare relays, the least any shim + core design can cost.
const barePath = join(dataDir, 'bare.sock');
const bareCore = spawn(process.execPath, [BARE_RELAY, 'core', barePath, EVERYTHING], { stdio: ['ignore', 'pipe', 'ignore'] });
await new Promise((r) => bareCore.stdout.once('data', r));

const transports = {
  direct: () => new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], env: { PATH: env.PATH }, stderr: 'ignore' }),
  bare: () =>
    new StdioClientTransport({ command: process.execPath, args: [BARE_RELAY, 'shim', barePath], env: { PATH: env.PATH }, stderr: 'ignore' }),
  warden: () =>
    new StdioClientTransport({
      command: process.execPath,
      args: [WARDEN, 'stdio', '--server', 'everything'],
      env: { ...env, WARDEN_CLIENT_KEY: key },
      stderr: 'inherit',
    }),
  policy: () =>
    new StdioClientTransport({
      command: process.execPath,
      args: [WARDEN, 'stdio', '--server', 'everything-policy'],
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

async function echo(client, message) {
  const result = await client.callTool({ name: 'echo', arguments: { message } });
  if (result.isError) throw new Error(`a bench call was refused, so the figures would be wrong: ${result.content?.[0]?.text}`);
  return result;
}

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

const KINDS = ['direct', 'bare', 'warden', 'policy'];
const results = Object.fromEntries(KINDS.map((k) => [k, { cold: [], small: [], big: [], tput: { 1: [], 8: [], 32: [] } }]));
const rotate = (i) => [...KINDS.slice(i % KINDS.length), ...KINDS.slice(0, i % KINDS.length)];

// Cold start: spawn → initialized, alternating.
for (let i = 0; i < (QUICK ? 3 : 8); i++) {
  for (const kind of rotate(i)) {
    const { client, coldMs } = await open(kind);
    results[kind].cold.push(coldMs);
    await client.close();
  }
}

const sessions = Object.fromEntries(await Promise.all(KINDS.map(async (k) => [k, await open(k)])));
const big = 'x'.repeat(256 * 1024);
for (const kind of KINDS) await timeCalls(sessions[kind].client, 200, 'warm-up');

// Small echoes in fine-grained rotation (blocks of 100), so slow drifts of this noisy machine
// hit every kind alike: these p50s are a few tens of microseconds apart.
for (let round = 0; round < (QUICK ? 6 : 24); round++) {
  for (const kind of rotate(round)) results[kind].small.push(...(await timeCalls(sessions[kind].client, 100, 'hello')));
}
for (let round = 0; round < ROUNDS; round++) {
  const order = rotate(round);
  for (const kind of order) results[kind].big.push(...(await timeCalls(sessions[kind].client, 15, big)));
  for (const c of [1, 8, 32]) for (const kind of order) results[kind].tput[c].push(await throughput(sessions[kind].client, c, 600));
}

const shimRss = rssMiB(sessions.warden.transport.pid);
const shimPrivate = privateMiB(sessions.warden.transport.pid);
const coreRss = rssMiB(daemon.pid);
const directRss = rssMiB(sessions.direct.transport.pid);
const bareRss = rssMiB(sessions.bare.transport.pid);

for (const kind of KINDS) await sessions[kind].client.close();
bareCore.kill();
warden('stop');
await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r()));
rmSync(dataDir, { recursive: true, force: true });
const coldCore = await shimStartsCore(ROOT, EVERYTHING, QUICK ? 2 : 5);
const idleRss = await idleCoreRss(ROOT, EVERYTHING);

const rows = [];
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mark = (ok) => (ok ? 'ok' : 'MISSED');
/**
 * One metric for the ways in: figure (ratio to direct), and for Warden also its ratio to the
 * bare relay; the target is checked on the ratio it names.
 */
function metric(name, pick, digits, target) {
  const [d, b, w, p] = KINDS.map((k) => pick(results[k]));
  const cell = (v) => `${fmt(v, digits)} (${fmt(v / d)}×)`;
  const ratio = target?.to === 'bare' ? w / b : w / d;
  rows.push([name, fmt(d, digits), cell(b), `${cell(w)} ${fmt(w / b)}× bare`, cell(p), target ? `${target.label} ${mark(target.ok(ratio))}` : '']);
}
metric('cold start ms p50 (core running)', (r) => median(r.cold), 1, { label: '≤ 1.10× direct', ok: (x) => x <= 1.1 });
metric('echo p50 ms', (r) => pct(r.small, 50), 3, { label: '≤ 1.25× bare', to: 'bare', ok: (x) => x <= 1.25 });
{
  const d = pct(results.direct.small, 50);
  const rise = pct(results.policy.small, 50) / d - pct(results.warden.small, 50) / d;
  const micros = (pct(results.policy.small, 50) - pct(results.warden.small, 50)) * 1000;
  rows.push(['  policy − plain, p50 ratio', '', '', '', `${fmt(rise)} (${fmt(micros, 0)} µs)`, `≤ +0.10 ${mark(rise <= 0.1)}`]);
}
metric('echo p99 ms', (r) => pct(r.small, 99), 3);
for (const c of [1, 8, 32]) {
  metric(`calls/s c=${c}`, (r) => median(r.tput[c]), 0, c === 32 ? { label: '≥ 0.8× bare', to: 'bare', ok: (x) => x >= 0.8 } : undefined);
}
metric('256 KiB echo p50 ms', (r) => pct(r.big, 50), 2, { label: '≤ 1.25× bare', to: 'bare', ok: (x) => x <= 1.25 });
{
  const upstream = median(coldCore.direct);
  const shim = median(coldCore.shim);
  rows.push(['no core running: spawn → initialize ms p50', fmt(upstream, 0), '', `${fmt(shim, 0)} (+${fmt(shim - upstream, 0)} ms)`, '', `≤ +1000 ms ${mark(shim - upstream <= 1000)}`]);
}
rows.push(['RSS MiB', `${fmt(directRss, 1)} server`, `${fmt(bareRss, 1)} relay`, `${fmt(shimRss, 1)} shim (${fmt(shimPrivate, 1)} private), ${fmt(coreRss, 1)} core`, '', `shim ≤ 45 ${mark(shimRss <= 45)}`]);
rows.push(['core RSS MiB, idle, 10 servers configured', '', '', fmt(idleRss, 1), '', `≤ 80 ${mark(idleRss <= 80)}`]);

const headers = ['metric', 'direct', 'bare 2-hop relay', 'warden', 'warden + 200 rules, 20 limits', 'target (warden)'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(`\nMCP Warden bench (${ROOT}) — ${new Date().toISOString()} — node ${process.version}, ${ROUNDS} rotating rounds; (×) = ratio to direct\n`);
console.log(line(headers));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
