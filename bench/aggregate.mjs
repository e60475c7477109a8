// `node bench/aggregate.mjs` (part of `npm run bench`): one aggregated session over 10 real
// upstreams (4 server-everything, 3 server-memory, 3 server-filesystem). Lazy: the session as it
// starts, answering from the known lists; eager: after a first call to every server. Also the
// bytes of tools/list in all mode and in search mode. Figures are printed, never asserted.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childrenOf, rssMiB, waitForSocket } from './proc.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const PACKAGES = join(ROOT, 'node_modules', '@modelcontextprotocol');
const QUICK = process.argv.includes('--quick');
const STARTS = QUICK ? 3 : 7;
const LISTS = QUICK ? 30 : 100;

const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-aggregate-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
const warden = (...args) => execFileSync(process.execPath, [WARDEN, ...args], { env, encoding: 'utf8' }).trim();

const daemon = spawn(process.execPath, [WARDEN, 'daemon'], { env, stdio: 'ignore' });
await waitForSocket(join(dataDir, 'warden.sock'));
/** One cheap first call per server, to start it. */
const firstCalls = {};
const add = (name, args, call) => {
  warden('server', 'add', name, '--command', process.execPath, ...args.flatMap((a) => ['--arg', a]), '--default-action', 'allow');
  firstCalls[name] = call;
};
for (let i = 1; i <= 4; i++) add(`everything${i}`, [join(PACKAGES, 'server-everything', 'dist', 'index.js'), 'stdio'], { name: `everything${i}__echo`, arguments: { message: 'hi' } });
for (let i = 1; i <= 3; i++) {
  warden('server', 'add', `memory${i}`, '--command', process.execPath, '--arg', join(PACKAGES, 'server-memory', 'dist', 'index.js'), '--env', `MEMORY_FILE_PATH=${join(dataDir, `memory${i}.jsonl`)}`, '--default-action', 'allow');
  firstCalls[`memory${i}`] = { name: `memory${i}__read_graph`, arguments: {} };
}
for (let i = 1; i <= 3; i++) {
  const dir = join(dataDir, `files${i}`);
  mkdirSync(dir);
  add(`files${i}`, [join(PACKAGES, 'server-filesystem', 'dist', 'index.js'), dir], { name: `files${i}__list_allowed_directories`, arguments: {} });
}
warden('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
const keys = { all: warden('client', 'add', 'bench-all'), search: warden('client', 'add', 'bench-search', '--tools', 'search') };

const pct = (samples, p) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const upstreams = () => childrenOf(daemon.pid);
const upstreamRss = () => upstreams().reduce((sum, pid) => sum + (rssMiB(pid) || 0), 0);
const settle = () => new Promise((r) => setTimeout(r, 1000));
const waitForNoUpstreams = async () => {
  for (let i = 0; i < 100 && upstreams().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
};

async function open(mode) {
  const client = new Client({ name: 'bench-aggregate', version: '1' }, { capabilities: {} });
  const started = performance.now();
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [WARDEN, 'stdio'], env: { ...env, WARDEN_CLIENT_KEY: keys[mode] }, stderr: 'inherit' }));
  return { client, startMs: performance.now() - started };
}
/**
 * The shim spoken to in raw JSON-RPC lines, so tools/list is timed and sized as Warden sends
 * it (an SDK client would add its own parsing and schema compiling to each list).
 */
async function openRaw(mode) {
  const child = spawn(process.execPath, [WARDEN, 'stdio'], { env: { ...env, WARDEN_CLIENT_KEY: keys[mode] }, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map();
  let buffer = Buffer.alloc(0);
  let id = 0;
  child.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    let nl;
    while ((nl = buffer.indexOf(10)) !== -1) {
      const line = buffer.subarray(0, nl);
      buffer = buffer.subarray(nl + 1);
      const message = JSON.parse(line.toString('utf8'));
      if (message.id !== undefined && waiting.has(message.id)) waiting.get(message.id)({ message, bytes: line.length });
    }
  });
  const request = (method, params = {}) =>
    new Promise((done) => {
      const mine = ++id;
      waiting.set(mine, done);
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: mine, method, params }) + '\n');
    });
  await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-raw', version: '1' } });
  child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  return { request, close: () => new Promise((r) => (child.stdin.end(), child.once('exit', r))) };
}
async function listP50(raw, count) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await raw.request('tools/list');
    samples.push(performance.now() - t);
  }
  return pct(samples, 50);
}

// Nothing known yet: the first tools/list of a client starts every server once to list it.
const cold = await open('all');
let t = performance.now();
const allTools = (await cold.client.listTools()).tools;
const coldListMs = performance.now() - t;
await cold.client.close();
await waitForNoUpstreams();

// Lazy: sessions start and list from the known lists, no upstream process.
const startMs = [];
for (let i = 0; i < STARTS; i++) {
  const session = await open('all');
  startMs.push(session.startMs);
  await session.client.close();
}
const { client } = await open('all');
const raw = await openRaw('all');
const allList = await raw.request('tools/list');
await settle();
const lazy = { list: await listP50(raw, LISTS), processes: upstreams().length };
lazy.core = rssMiB(daemon.pid);
lazy.upstreams = upstreamRss();

// Eager: a first call to every server (in parallel), then the same figures.
t = performance.now();
const firstCallMs = {};
await Promise.all(
  Object.entries(firstCalls).map(async ([server, call]) => {
    const began = performance.now();
    const result = await client.callTool(call);
    if (result.isError) throw new Error(`the first call to ${server} failed: ${JSON.stringify(result.content)}`);
    firstCallMs[server] = performance.now() - began;
  }),
);
const eagerMs = performance.now() - t;
// The 10 fresh processes finish starting before the lists are timed again.
await settle();
const eager = { list: await listP50(raw, LISTS), processes: upstreams().length };
eager.core = rssMiB(daemon.pid);
eager.upstreams = upstreamRss();
const warmSamples = [];
for (let i = 0; i < 30; i++) {
  const began = performance.now();
  await client.callTool(firstCalls[`everything${1 + (i % 4)}`]);
  warmSamples.push(performance.now() - began);
}
const warmCallMs = pct(warmSamples, 50);
await client.close();
await raw.close();
await waitForNoUpstreams();

// Search mode: what tools/list carries, before and after one find.
const warm = await openRaw('search');
await warm.request('tools/call', { name: 'warden_find_tools', arguments: { query: 'warm the lists' } });
await warm.close();
await waitForNoUpstreams();
const search = await openRaw('search');
const find = (query) => search.request('tools/call', { name: 'warden_find_tools', arguments: { query } });
const searchList = await search.request('tools/list');
t = performance.now();
const found = await find('read a file from a directory');
const findMs = performance.now() - t;
const afterFind = await search.request('tools/list');
const searchListP50 = await listP50(search, LISTS);
const findSamples = [];
for (let i = 0; i < LISTS; i++) {
  const began = performance.now();
  await find(['create entities', 'echo a message', 'list directory', 'sum two numbers'][i % 4]);
  findSamples.push(performance.now() - began);
}
await search.close();
const count = (answer) => answer.message.result.tools.length;

const table = (title, headers, rows) => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  console.log(`\n${title}\n`);
  console.log(line(headers));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
};

console.log(`\nMCP Warden aggregated-session bench — ${new Date().toISOString()} — node ${process.version}; 10 upstreams (4 everything, 3 memory, 3 filesystem), ${allTools.length} tools`);
console.log('(tools/list timed and sized as raw lines through the shim; the SDK client of an app adds its own parsing)');
table('Lazy against eager (one aggregated session)', ['figure', 'lazy (lists known, nothing started)', 'eager (after a first call to every server)'], [
  ['session start (spawn shim → initialized), ms p50', `${fmt(pct(startMs, 50))} (of ${STARTS})`, '—'],
  ['tools/list p50 ms', fmt(lazy.list, 2), fmt(eager.list, 2)],
  ['upstream processes', lazy.processes, eager.processes],
  ['RSS core MiB', fmt(lazy.core), fmt(eager.core)],
  ['RSS upstreams MiB (sum)', fmt(lazy.upstreams), fmt(eager.upstreams)],
  ['RSS total MiB', fmt(lazy.core + lazy.upstreams), fmt(eager.core + eager.upstreams)],
  ['first call to all 10 (parallel), ms', '—', fmt(eagerMs, 0)],
  ['first call p50 / max per server, ms', '—', `${fmt(pct(Object.values(firstCallMs), 50), 0)} / ${fmt(Math.max(...Object.values(firstCallMs)), 0)}`],
  ['a call to a started server (echo) p50, ms', '—', fmt(warmCallMs, 2)],
  ['first tools/list with nothing known (starts all 10), ms', fmt(coldListMs, 0), '—'],
]);
table('tools/list size: all mode against search mode', ['mode', 'tools listed', 'bytes of the tools/list response', 'tools/list p50 ms'], [
  ['all', count(allList), allList.bytes, fmt(lazy.list, 2)],
  ['search, before any find', count(searchList), searchList.bytes, '—'],
  ['search, after one find (its matches added)', count(afterFind), afterFind.bytes, fmt(searchListP50, 2)],
  ['  the find response itself', '—', found.bytes, '—'],
  ['  find latency: first / p50 ms', '—', '—', `${fmt(findMs, 2)} / ${fmt(pct(findSamples, 50), 2)}`],
]);

warden('stop');
await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r()));
rmSync(dataDir, { recursive: true, force: true });
