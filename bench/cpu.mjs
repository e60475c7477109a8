// CPU per call: the figure that stays steady on a noisy machine where latency swings. The same
// echo workload (sequential, then c=16) goes to server-everything directly, through the bare
// two-hop relay (the floor of any shim + core design), through Warden (shim → core →
// upstream) with a plain allow-by-default server, and through Warden to a server judged by 200
// rules and 20 limits; for each process on the path, µs of CPU (user + system, from
// /proc/<pid>/stat) per call, after a warm-up, every reply checked. Kinds alternate in rounds
// so drifts of the machine hit all alike. Targets are printed beside the figures, never asserted.
//
//   node bench/cpu.mjs [--calls N] [--rounds N] [--also DIR]
// --also DIR adds a second Warden build (another checkout, built) as "warden@DIR": A/B in one run.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { loadPolicy } from './policy-load.mjs';
import { childrenOf, cpuMicros, echoCalls, waitForSocket } from './proc.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const CALLS = Number(arg('--calls', '4000'));
const ROUNDS = Number(arg('--rounds', '2'));
const ALSO = arg('--also', undefined);

/**
 * A Warden daemon of the checkout at `root` with a client key and two servers (both
 * server-everything): "everything" allowed by default, and "everything-policy" denied by default
 * and judged by the 200 rules and 20 limits of bench/policy-load.mjs (one rule allows echo).
 */
async function startWarden(root) {
  const bin = join(root, 'bin', 'warden.mjs');
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-cpu-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
  const cli = (...args) => execFileSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const daemon = spawn(process.execPath, [bin, 'daemon'], { env, stdio: 'ignore' });
  await waitForSocket(join(dataDir, 'warden.sock'));
  cli('server', 'add', 'everything', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'allow');
  cli('server', 'add', 'everything-policy', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'deny');
  cli('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
  const key = cli('client', 'add', 'bench');
  await loadPolicy(dataDir);
  const transport = (server) => () =>
    new StdioClientTransport({ command: process.execPath, args: [bin, 'stdio', '--server', server], env: { ...env, WARDEN_CLIENT_KEY: key }, stderr: 'inherit' });
  return {
    daemon,
    transport: transport('everything'),
    policyTransport: transport('everything-policy'),
    stop: async () => {
      cli('stop');
      await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const wardens = { warden: await startWarden(ROOT) };
if (ALSO) wardens[`warden@${basename(resolve(ALSO))}`] = await startWarden(resolve(ALSO));
const bareDir = mkdtempSync(join(tmpdir(), 'warden-cpu-bare-'));
const barePath = join(bareDir, 'bare.sock');
const bareCore = spawn(process.execPath, [join(ROOT, 'bench', 'bare-relay.mjs'), 'core', barePath, EVERYTHING], { stdio: ['ignore', 'pipe', 'ignore'] });
await new Promise((r) => bareCore.stdout.once('data', r));

const kinds = {
  direct: { transport: () => new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], env: { PATH: process.env.PATH }, stderr: 'ignore' }), core: undefined },
  bare: {
    transport: () => new StdioClientTransport({ command: process.execPath, args: [join(ROOT, 'bench', 'bare-relay.mjs'), 'shim', barePath], env: { PATH: process.env.PATH }, stderr: 'ignore' }),
    core: bareCore.pid,
  },
  ...Object.fromEntries(
    Object.entries(wardens).flatMap(([name, w]) => [
      [name, { transport: w.transport, core: w.daemon.pid }],
      [`${name}+rules`, { transport: w.policyTransport, core: w.daemon.pid, plain: name }],
    ]),
  ),
};

/** An open session of one kind, with the pids of every process on its path. */
async function open(name) {
  const kind = kinds[name];
  const coreChildrenBefore = kind.core === undefined ? [] : childrenOf(kind.core);
  const transport = kind.transport();
  const client = new Client({ name: 'cpu-bench', version: '1' }, { capabilities: {} });
  await client.connect(transport);
  await client.callTool({ name: 'echo', arguments: { message: 'start' } });
  const first = transport.pid;
  let upstream = first;
  let relay;
  if (kind.core !== undefined) {
    relay = first;
    upstream = childrenOf(kind.core).find((pid) => !coreChildrenBefore.includes(pid));
  }
  return { client, pids: { shim: relay, core: kind.core, upstream } };
}

const ROLES = ['client', 'shim', 'core', 'upstream'];
const names = Object.keys(kinds);
// One at a time: each session's upstream is the core's child that was not there before it.
const sessions = {};
for (const n of names) sessions[n] = await open(n);
for (const n of names) await echoCalls(sessions[n].client, 4, 500);

const totals = Object.fromEntries(names.map((n) => [n, { seq: Object.fromEntries(ROLES.map((r) => [r, 0])), c16: Object.fromEntries(ROLES.map((r) => [r, 0])), calls: 0 }]));
for (let round = 0; round < ROUNDS; round++) {
  const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
  for (const mode of ['seq', 'c16']) {
    for (const n of order) {
      const { client, pids } = sessions[n];
      const before = { client: process.cpuUsage(), shim: cpuMicros(pids.shim), core: cpuMicros(pids.core), upstream: cpuMicros(pids.upstream) };
      await echoCalls(client, mode === 'seq' ? 1 : 16, CALLS);
      const used = process.cpuUsage(before.client);
      const t = totals[n][mode];
      t.client += used.user + used.system;
      for (const role of ['shim', 'core', 'upstream']) t[role] += pids[role] === undefined ? 0 : cpuMicros(pids[role]) - before[role];
    }
  }
  for (const n of names) totals[n].calls += CALLS;
}

const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
console.log(`\nCPU per call (µs, user+system) — ${new Date().toISOString()} — node ${process.version}, ${CALLS} calls × ${ROUNDS} rounds per mode, ratios to the same path's upstream\n`);
const header = ['path', 'mode', ...ROLES, 'shim ÷ upstream', 'core ÷ upstream', 'core ÷ plain core', 'total'];
const rows = [];
const perCall = (n, mode) => Object.fromEntries(ROLES.map((r) => [r, totals[n][mode][r] / totals[n].calls]));
for (const n of names) {
  for (const mode of ['seq', 'c16']) {
    const per = perCall(n, mode);
    const direct = n === 'direct';
    const plain = kinds[n].plain === undefined ? undefined : perCall(kinds[n].plain, mode);
    rows.push([
      n,
      mode === 'seq' ? 'sequential' : 'c=16',
      ...ROLES.map((r) => (direct && (r === 'shim' || r === 'core') ? '—' : fmt(per[r]))),
      direct ? '' : fmt(per.shim / per.upstream, 2),
      direct ? '' : fmt(per.core / per.upstream, 2),
      plain === undefined ? '' : fmt(per.core / plain.core, 2),
      fmt(ROLES.reduce((sum, r) => sum + (Number.isFinite(per[r]) ? per[r] : 0), 0)),
    ]);
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
console.log('\ntargets (issue 14): shim ÷ upstream ≤ 0.15; core ÷ upstream ≤ 0.45 (plain allow rule); core with 200 rules and 20 limits ≤ 1.05 × plain core');
console.log('the bare rows are the floor: what two Node processes relaying bytes without reading them cost on this machine\n');

for (const n of names) await sessions[n].client.close();
bareCore.kill();
rmSync(bareDir, { recursive: true, force: true });
for (const w of Object.values(wardens)) await w.stop();
