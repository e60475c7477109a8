// `npm run bench`, the HTTP front door: the same upstream (server-everything) reached directly
// over stdio, through the shim (shim → core → upstream), and through Warden's Streamable HTTP
// endpoint (HTTP → core → upstream) with the SDK's Streamable HTTP client, alternating in one
// run so machine noise hits all three alike. Prints figures and ratios to direct; asserts none.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { echoCalls, waitForSocket } from './proc.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 2 : 4;

const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-http-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
const warden = (...args) => execFileSync(process.execPath, [WARDEN, ...args], { env, encoding: 'utf8' }).trim();

const daemon = spawn(process.execPath, [WARDEN, 'daemon', '--http-port', '0'], { env, stdio: 'ignore' });
await waitForSocket(join(dataDir, 'warden.sock'));
warden('server', 'add', 'everything', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'allow');
// Thousands of calls a second: lift the default per-client limit so none is refused.
warden('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
const key = warden('client', 'add', 'bench');
const { httpUrl } = JSON.parse(warden('status', '--json'));
if (!httpUrl) throw new Error('the HTTP endpoint is not listening, so there is nothing to measure');

const transports = {
  direct: () => new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], env: { PATH: env.PATH }, stderr: 'ignore' }),
  shim: () =>
    new StdioClientTransport({ command: process.execPath, args: [WARDEN, 'stdio', '--server', 'everything'], env: { ...env, WARDEN_CLIENT_KEY: key }, stderr: 'inherit' }),
  http: () => new StreamableHTTPClientTransport(new URL(`${httpUrl}/everything`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }),
};
const KINDS = Object.keys(transports);

async function open(kind) {
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  const started = performance.now();
  await client.connect(transports[kind]());
  return { client, coldMs: performance.now() - started };
}

async function timeCalls(client, count, message) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const result = await client.callTool({ name: 'echo', arguments: { message } });
    samples.push(performance.now() - t);
    if (result.isError || result.content?.[0]?.text?.length !== message.length + 'Echo: '.length) throw new Error('a bench call failed, so the figures would be wrong');
  }
  return samples;
}

async function throughput(client, concurrency, total) {
  const started = performance.now();
  await echoCalls(client, concurrency, total);
  return total / ((performance.now() - started) / 1000);
}

const pct = (samples, p) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
const rotate = (i) => [...KINDS.slice(i % KINDS.length), ...KINDS.slice(0, i % KINDS.length)];
const results = Object.fromEntries(KINDS.map((k) => [k, { cold: [], small: [], big: [], tput: [] }]));

for (let i = 0; i < (QUICK ? 2 : 4); i++) {
  for (const kind of rotate(i)) {
    const { client, coldMs } = await open(kind);
    results[kind].cold.push(coldMs);
    await client.close();
  }
}
const sessions = Object.fromEntries(await Promise.all(KINDS.map(async (k) => [k, await open(k)])));
const big = 'x'.repeat(256 * 1024);
for (const kind of KINDS) await timeCalls(sessions[kind].client, 100, 'warm-up');
for (let round = 0; round < (QUICK ? 4 : 12); round++) {
  for (const kind of rotate(round)) results[kind].small.push(...(await timeCalls(sessions[kind].client, 100, 'hello')));
}
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of rotate(round)) results[kind].big.push(...(await timeCalls(sessions[kind].client, 10, big)));
  for (const kind of rotate(round)) results[kind].tput.push(await throughput(sessions[kind].client, 32, 600));
}

// The floor of HTTP itself here: a bare POST round trip with fetch to a Node echo server, no MCP.
const floor = createServer((req, res) => req.pipe(res));
await new Promise((r) => floor.listen(0, '127.0.0.1', r));
const floorSamples = [];
for (let i = 0; i < (QUICK ? 200 : 600); i++) {
  const t = performance.now();
  await (await fetch(`http://127.0.0.1:${floor.address().port}/`, { method: 'POST', body: '{"hello":1}' })).text();
  floorSamples.push(performance.now() - t);
}
floor.close();

const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const rows = [];
function metric(name, pick, digits) {
  const [d, s, h] = KINDS.map((k) => pick(results[k]));
  rows.push([name, fmt(d, digits), `${fmt(s, digits)} (${fmt(s / d)}×)`, `${fmt(h, digits)} (${fmt(h / d)}×)`, `${fmt(h / s)}×`]);
}
metric('connect ms p50', (r) => pct(r.cold, 50), 1);
metric('echo p50 ms', (r) => pct(r.small, 50), 3);
metric('echo p99 ms', (r) => pct(r.small, 99), 3);
rows.push(['  floor: bare fetch POST p50 ms', '', '', fmt(pct(floorSamples.slice(100), 50), 3), '']);
metric('calls/s c=32', (r) => pct(r.tput, 50), 0);
metric('256 KiB echo p50 ms', (r) => pct(r.big, 50), 2);

const headers = ['metric', 'direct (stdio)', 'shim', 'HTTP endpoint', 'HTTP / shim'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(`\nMCP Warden HTTP bench — ${new Date().toISOString()} — node ${process.version}, ${ROUNDS} rotating rounds; (×) = ratio to direct\n`);
console.log(line(headers));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));

for (const kind of KINDS) await sessions[kind].client.close();
warden('stop');
await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r()));
rmSync(dataDir, { recursive: true, force: true });
