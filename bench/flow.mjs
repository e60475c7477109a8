// The flow guard's cost: core CPU per call (µs, user + system, from /proc/<pid>/stat) with the
// guard on and off, on one Warden daemon and one session to server-everything. With the guard
// on, `echo` carries a user label (private), so every call takes the guard's whole non-holding
// path: judge, label lookup, leg recorded. Rounds alternate on/off, so drifts of the machine
// hit both alike; every reply is checked. The end-to-end figure carries the machine's noise;
// the second table times the guard alone in this process (bundled from src with esbuild): one
// judge + record per call, on a group with legs, over a real SQLite label store and pins.
//
//   node bench/flow.mjs [--calls N] [--rounds N]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { cpuMicros, echoCalls, waitForSocket } from './proc.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'warden.mjs');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const CALLS = Number(arg('--calls', '2000'));
const ROUNDS = Number(arg('--rounds', '4'));

const dataDir = mkdtempSync(join(tmpdir(), 'warden-flow-bench-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
const cli = (...args) => execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const daemon = spawn(process.execPath, [BIN, 'daemon'], { env, stdio: 'ignore' });
try {
  await waitForSocket(join(dataDir, 'warden.sock'));
  cli('server', 'add', 'everything', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'allow');
  cli('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
  cli('label', 'set', '--server', 'everything', '--tool', 'echo', 'private');
  const key = cli('client', 'add', 'flow-bench');
  const client = new Client({ name: 'flow-bench', version: '1' }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'stdio', '--server', 'everything'], env: { ...env, WARDEN_CLIENT_KEY: key }, stderr: 'inherit' }));
  await client.listTools();
  await echoCalls(client, 4, 500);

  const modes = ['ask', 'off'];
  const totals = Object.fromEntries(modes.map((mode) => [mode, { seq: 0, c16: 0, calls: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      cli('settings', 'set', 'flowGuard', mode);
      for (const shape of ['seq', 'c16']) {
        const before = cpuMicros(daemon.pid);
        await echoCalls(client, shape === 'seq' ? 1 : 16, CALLS);
        totals[mode][shape] += cpuMicros(daemon.pid) - before;
      }
      totals[mode].calls += CALLS;
    }
  }
  const legs = JSON.parse(cli('status', '--json')).flowGroups.flatMap((group) => group.legs);
  if (!legs.some((leg) => leg.tool === 'echo' && leg.calls > CALLS)) throw new Error('the guard did not record the echo leg: the figure would not measure it');
  await client.close();

  const per = (mode, shape) => totals[mode][shape] / totals[mode].calls;
  console.log(`\nFlow guard: core CPU per call (µs, user+system) — ${new Date().toISOString()} — ${CALLS} calls × ${ROUNDS} rounds per shape\n`);
  console.log('| shape      | guard on (ask) | guard off | difference |');
  console.log('|------------|----------------|-----------|------------|');
  for (const shape of ['seq', 'c16']) {
    const on = per('ask', shape);
    const off = per('off', shape);
    console.log(`| ${(shape === 'seq' ? 'sequential' : 'c=16').padEnd(10)} | ${on.toFixed(1).padStart(14)} | ${off.toFixed(1).padStart(9)} | ${(on - off).toFixed(1).padStart(10)} |`);
  }
  await inProcess();
} finally {
  try {
    cli('stop');
  } catch {
    daemon.kill();
  }
  rmSync(dataDir, { recursive: true, force: true });
}

/** The guard alone: ns per judge + record, against a loop doing the same calls without it. */
async function inProcess() {
  // Inside the checkout, so the bundle's imports (zod, better-sqlite3) resolve from node_modules.
  const out = join(ROOT, 'dist', 'bench', `flow-guard-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: `export { FlowGuard } from './src-main/core/flow/flow-guard.ts';
        export { FlowLabels } from './src-main/core/flow/flow-labels.ts';
        export { LabelStore } from './src-main/core/db/label-store.ts';
        export { PinStore } from './src-main/core/db/pin-store.ts';
        export { ToolPins } from './src-main/core/policy/tool-pins.ts';
        export { openDatabase } from './src-main/core/db/database.ts';`,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: out,
    logLevel: 'silent',
  });
  const { FlowGuard, FlowLabels, LabelStore, PinStore, ToolPins, openDatabase } = await import(pathToFileURL(out).href).finally(() => rmSync(out, { force: true }));
  const db = openDatabase(join(dataDir, 'in-process.db'));
  const pins = new ToolPins(new PinStore(db), Date.now);
  pins.observe('web', { name: 'fetch', annotations: { readOnlyHint: true, openWorldHint: true } });
  pins.observe('files', { name: 'read', annotations: { readOnlyHint: true, openWorldHint: false } });
  const labels = new FlowLabels(new LabelStore(db), pins, Date.now);
  const guard = new FlowGuard({ labels, settings: { mode: () => 'ask', idleMs: () => 30 * 60_000 }, now: Date.now, redact: (text) => text });
  guard.join({ id: 'g', client: 'bench', kind: 'session', parentPid: null });
  guard.record('g', 'files', 'read');
  const verdict = { action: 'allow', reason: 'rule 1', meta: { type: 'rule', ruleId: 1 } };
  const N = 1_000_000;
  const time = (work) => {
    for (let i = 0; i < 10_000; i++) work();
    const start = process.cpuUsage();
    for (let i = 0; i < N; i++) work();
    const used = process.cpuUsage(start);
    return ((used.user + used.system) * 1000) / N;
  };
  let sink = 0;
  const without = time(() => {
    sink += verdict.action === 'allow' ? 1 : 0;
  });
  const withGuard = time(() => {
    const judged = guard.judge('g', 'files', 'read', verdict);
    guard.record('g', 'files', 'read');
    sink += judged.action === 'allow' ? 1 : 0;
  });
  const external = time(() => {
    // An external tool in a group that read private data only: the label lookup runs, no hold.
    const judged = guard.judge('g', 'web', 'fetch', verdict);
    sink += judged === verdict ? 1 : 0;
  });
  db.close();
  if (sink !== 3 * (N + 10_000)) throw new Error('the guard changed a verdict it should have passed');
  console.log(`\nFlow guard alone, in process (ns of CPU per call, ${N} calls)\n`);
  console.log('| path                                        | ns per call |');
  console.log('|---------------------------------------------|-------------|');
  console.log(`| loop without the guard                      | ${without.toFixed(0).padStart(11)} |`);
  console.log(`| judge + record (a private leg, recorded)    | ${withGuard.toFixed(0).padStart(11)} |`);
  console.log(`| judge of an external tool (no hold)         | ${external.toFixed(0).padStart(11)} |`);
}
