// Where the CPU of a Warden call goes: runs the core and one shim under `node --cpu-prof`, sends
// the CPU bench's echo workload through them (sequential, then c=16, every reply checked), and
// prints the top self-time frames of each process. The .cpuprofile files stay in the printed
// directory (open them in Chrome DevTools → Performance, or speedscope).
//
//   node bench/profile.mjs [--calls N] [--mode seq|c16|both] [--top N] [--rules] [--out DIR]
// --rules loads the 200 rules and 20 limits of `npm run bench` and profiles a call judged by them.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { echoCalls, waitForSocket } from './proc.mjs';
import { loadPolicy } from './policy-load.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const CALLS = Number(arg('--calls', '4000'));
const TOP = Number(arg('--top', '15'));
const RULES = process.argv.includes('--rules');
const MODE = arg('--mode', 'both');
const outArg = arg('--out', undefined);
const OUT = outArg === undefined ? mkdtempSync(join(tmpdir(), 'warden-prof-')) : resolve(outArg);
mkdirSync(join(OUT, 'core'), { recursive: true });
mkdirSync(join(OUT, 'shim'), { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), 'warden-prof-data-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
const cli = (...args) => execFileSync(process.execPath, [WARDEN, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const daemon = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', join(OUT, 'core'), WARDEN, 'daemon'], { env, stdio: 'ignore' });
try {
  await waitForSocket(join(dataDir, 'warden.sock'));
  const server = RULES ? 'everything-policy' : 'everything';
  cli('server', 'add', server, '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', RULES ? 'deny' : 'allow');
  cli('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
  const key = cli('client', 'add', 'bench');
  if (RULES) await loadPolicy(dataDir);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--cpu-prof', '--cpu-prof-dir', join(OUT, 'shim'), WARDEN, 'stdio', '--server', server],
    env: { ...env, WARDEN_CLIENT_KEY: key },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  await client.connect(transport);
  await echoCalls(client, 4, 500);
  if (MODE !== 'c16') await echoCalls(client, 1, CALLS);
  if (MODE !== 'seq') await echoCalls(client, 16, CALLS);
  await client.close();
} finally {
  try {
    cli('stop');
  } catch {
    daemon.kill();
  }
  await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r()));
  rmSync(dataDir, { recursive: true, force: true });
}
// The shim writes its profile as it exits, a moment after its stdin closed.
for (let i = 0; i < 50 && readdirSync(join(OUT, 'shim')).length === 0; i++) await new Promise((r) => setTimeout(r, 100));

for (const role of ['core', 'shim']) {
  const file = readdirSync(join(OUT, role)).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) {
    console.log(`\n${role}: no profile was written`);
    continue;
  }
  printTop(role, JSON.parse(readFileSync(join(OUT, role, file), 'utf8')));
}
console.log(`\nprofiles: ${OUT}`);

/** Self time per frame (function, file, line), summed over the profile's samples. */
function printTop(role, profile) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byNode.get(profile.samples[i]).callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + delta);
    total += delta;
  }
  const idle = self.get('(idle)') ?? 0;
  const busy = total - idle;
  console.log(`\n${role}: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms; top self time (share of busy)`);
  const top = [...self].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, TOP);
  for (const [name, micros] of top) console.log(`  ${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(5)} ms  ${name}`);
}
