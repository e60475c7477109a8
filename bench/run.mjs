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
warden('server', 'add', 'everything', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'allow');
warden('server', 'add', 'everything-policy', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'deny');
// The bench makes thousands of calls a second: lift the default per-client limit (1000/min),
// or refused calls (answered by Warden alone) would flatter the figures.
warden('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
const key = warden('client', 'add', 'bench');
await loadPolicy();

// The reference: two bare relays, the least any shim + core design can cost.
const barePath = join(dataDir, 'bare.sock');
const bareCore = spawn(process.execPath, [join(ROOT, 'bench', 'bare-relay.mjs'), 'core', barePath, EVERYTHING], { stdio: ['ignore', 'pipe', 'ignore'] });
await new Promise((r) => bareCore.stdout.once('data', r));

const transports = {
  direct: () => new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], env: { PATH: env.PATH }, stderr: 'ignore' }),
  bare: () =>
    new StdioClientTransport({ command: process.execPath, args: [join(ROOT, 'bench', 'bare-relay.mjs'), 'shim', barePath], env: { PATH: env.PATH }, stderr: 'ignore' }),
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
const bareRss = rssMiB(sessions.bare.transport.pid);

const rows = [];
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mark = (ok) => (ok ? 'ok' : 'MISSED');
/** One metric for the three ways in: figure (ratio to direct). */
function metric(name, pick, digits, target) {
  const [d, b, w, p] = KINDS.map((k) => pick(results[k]));
  const cell = (v) => `${fmt(v, digits)} (${fmt(v / d)}×)`;
  rows.push([name, fmt(d, digits), cell(b), cell(w), cell(p), target ? `${target.label} ${mark(target.ok(w / d))}` : '']);
}
metric('cold start ms p50', (r) => median(r.cold), 1, { label: '≤ 1.15×', ok: (x) => x <= 1.15 });
metric('echo p50 ms', (r) => pct(r.small, 50), 3, { label: '≤ 1.8×', ok: (x) => x <= 1.8 });
{
  const d = pct(results.direct.small, 50);
  const rise = pct(results.policy.small, 50) / d - pct(results.warden.small, 50) / d;
  const micros = (pct(results.policy.small, 50) - pct(results.warden.small, 50)) * 1000;
  rows.push(['  policy − plain, p50 ratio', '', '', '', `${fmt(rise)} (${fmt(micros, 0)} µs)`, `≤ +0.10 ${mark(rise <= 0.1)}`]);
}
metric('echo p99 ms', (r) => pct(r.small, 99), 3);
for (const c of [1, 8, 32]) {
  metric(`calls/s c=${c}`, (r) => median(r.tput[c]), 0, c === 32 ? { label: '≥ 0.5×', ok: (x) => x >= 0.5 } : undefined);
}
metric('256 KiB echo p50 ms', (r) => pct(r.big, 50), 2, { label: '≤ 1.5×', ok: (x) => x <= 1.5 });
rows.push(['RSS MiB', `${fmt(directRss, 1)} server`, `${fmt(bareRss, 1)} relay`, `${fmt(shimRss, 1)} shim, ${fmt(coreRss, 1)} core`, '', `shim ≤ 45 ${mark(shimRss <= 45)}`]);

const headers = ['metric', 'direct', 'bare 2-hop relay', 'warden', 'warden + 200 rules, 20 limits', 'target (warden)'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(`\nMCP Warden bench — ${new Date().toISOString()} — node ${process.version}, ${ROUNDS} rotating rounds; (×) = ratio to direct\n`);
console.log(line(headers));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));

for (const kind of KINDS) await sessions[kind].client.close();
bareCore.kill();

warden('stop');
await new Promise((r) => daemon.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });

/**
 * 200 rules and 20 limits on the control socket, as the CLI would add them: most name other
 * clients, servers and tools; one allows echo for the bench client; the limits are generous
 * so none refuses, but several match every call and are checked and consumed.
 */
async function loadPolicy() {
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const socket = connect(join(dataDir, 'warden.sock'));
  await new Promise((r) => socket.once('connect', r));
  let buffer = '';
  const waiting = new Map();
  socket.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const message = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      waiting.get(message.id)?.(message);
    }
  });
  let id = 0;
  const call = (method, params) =>
    new Promise((resolveCall, reject) => {
      const mine = ++id;
      waiting.set(mine, (m) => (m.error ? reject(new Error(m.error.message)) : resolveCall(m.result)));
      socket.write(JSON.stringify({ id: mine, method, params }) + '\n');
    });
  socket.write(JSON.stringify({ warden: 1, type: 'admin', token }) + '\n');
  waiting.set(undefined, () => undefined);
  await new Promise((r) => setTimeout(r, 50));
  const verbs = ['get', 'list', 'create', 'delete', 'update', 'search', 'send', 'read', 'write', 'drop'];
  for (let i = 0; i < 199; i++) {
    const verb = verbs[i % verbs.length];
    await call('rule.add', {
      client: i % 3 === 0 ? '*' : `client-${i % 7}`,
      server: i % 4 === 0 ? '*' : `server-${i % 11}`,
      kind: 'tool',
      target: i % 2 === 0 ? `${verb}_*` : `${verb}_thing_${i}`,
      action: ['allow', 'ask', 'deny'][i % 3],
    });
  }
  await call('rule.add', { client: 'bench', server: 'everything-policy', kind: 'tool', target: 'echo', action: 'allow' });
  for (let i = 0; i < 20; i++) {
    await call('limit.add', { client: i % 2 === 0 ? '*' : 'bench', server: i % 5 === 0 ? '*' : 'everything-policy', target: i % 3 === 0 ? '*' : i % 3 === 1 ? 'ech?' : `tool_${i}`, max: 1_000_000, perMs: 60_000 });
  }
  socket.end();
}

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
