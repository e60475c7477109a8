// CPU per call of each Warden process (shim, core) and of the upstream itself, read from
// /proc/<pid>/stat (utime + stime) over 4,000 sequential and 4,000 concurrent (c=16) echo
// calls to server-everything through the real shim, after a warm-up. Every reply is checked.
// Linux only. Usage: node bench/shim-cpu.mjs [--calls N] [--compare OTHER_SHIM.mjs]...
// --compare (repeatable) runs another shim bundle (e.g. one built from main) beside ours, in
// alternating blocks of calls, so the machine's load hits all alike.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childrenOf, cpuMicros, echoCalls, rssMiB, waitForSocket } from './proc.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const callsArg = process.argv.indexOf('--calls');
const CALLS = callsArg === -1 ? 4000 : Number(process.argv[callsArg + 1]);
const others = process.argv.flatMap((a, i) => (a === '--compare' ? [resolve(process.argv[i + 1])] : []));
const SHIMS = { ours: [WARDEN, 'stdio'], ...Object.fromEntries(others.map((file, i) => [others.length === 1 ? 'other' : `other${i + 1}`, [file]])) };
const BLOCK = 500;

const dataDir = mkdtempSync(join(tmpdir(), 'warden-cpu-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
const warden = (...args) => execFileSync(process.execPath, [WARDEN, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

const daemon = spawn(process.execPath, [WARDEN, 'daemon'], { env, stdio: 'ignore' });
try {
  await waitForSocket(join(dataDir, 'warden.sock'));
  warden('server', 'add', 'everything', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', 'allow');
  warden('settings', 'set', 'defaultClientLimitPerMinute', '1000000');
  const key = warden('client', 'add', 'bench');
  const sessions = [];
  for (const [name, args] of Object.entries(SHIMS)) {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...args, '--server', 'everything'],
      env: { ...env, WARDEN_CLIENT_KEY: key },
      stderr: 'inherit',
    });
    const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
    await client.connect(transport);
    await echoCalls(client, 1, 300);
    const upstream = childrenOf(daemon.pid).find((pid) => !sessions.some((s) => s.pids.upstream === pid));
    sessions.push({ name, client, pids: { shim: transport.pid, core: daemon.pid, upstream } });
  }
  console.log(`CPU per call, ${CALLS} echo calls each (µs of CPU per call, from /proc)`);
  console.log('shim    mode         shim    core  upstream  shim÷upstream');
  for (const concurrency of [1, 16]) {
    const totals = sessions.map(() => ({ shim: 0, core: 0, upstream: 0 }));
    for (let done = 0; done < CALLS; done += BLOCK) {
      for (const [i, session] of sessions.entries()) {
        const before = Object.fromEntries(Object.entries(session.pids).map(([name, pid]) => [name, cpuMicros(pid)]));
        await echoCalls(session.client, concurrency, Math.min(BLOCK, CALLS - done));
        for (const [name, pid] of Object.entries(session.pids)) totals[i][name] += cpuMicros(pid) - before[name];
      }
    }
    for (const [i, session] of sessions.entries()) {
      const per = Object.fromEntries(Object.entries(totals[i]).map(([name, micros]) => [name, micros / CALLS]));
      const label = concurrency === 1 ? 'sequential' : `c=${concurrency}`;
      console.log(
        `${session.name.padEnd(7)} ${label.padEnd(10)} ${per.shim.toFixed(1).padStart(6)} ${per.core.toFixed(1).padStart(7)} ${per.upstream.toFixed(1).padStart(9)} ${(per.shim / per.upstream).toFixed(2).padStart(14)}`,
      );
    }
  }
  for (const session of sessions) console.log(`${session.name.padEnd(7)} shim RSS ${rssMiB(session.pids.shim).toFixed(1)} MiB`);
  for (const session of sessions) await session.client.close();
} finally {
  daemon.kill();
  await new Promise((r) => daemon.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
