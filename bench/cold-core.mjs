// The two figures of a core that is not running yet: how long a client waits when its shim
// must start the core (spawn → initialize answered), beside the upstream's own start, and what
// an idle core with 10 servers configured holds in memory.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rssMiB, waitForSocket } from './proc.mjs';

/** A data dir for the Warden at `root`, configured by a daemon that is stopped again. */
async function configured(root, setup) {
  const bin = join(root, 'bin', 'warden.mjs');
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-cold-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, WARDEN_HOME: dataDir };
  const cli = (...args) => execFileSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const daemon = spawn(process.execPath, [bin, 'daemon'], { env, stdio: 'ignore' });
  await waitForSocket(join(dataDir, 'warden.sock'));
  const result = setup(cli);
  cli('stop');
  await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r()));
  return { bin, dataDir, env, cli, result };
}

async function connectMs(transport) {
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  const started = performance.now();
  await client.connect(transport);
  const ms = performance.now() - started;
  return { client, ms };
}

/**
 * `rounds` times, alternating: the upstream started directly, and a shim started with no core
 * running (it starts the core, which starts the upstream); each until initialize is answered.
 */
export async function shimStartsCore(root, everything, rounds) {
  const { bin, dataDir, env, cli, result: key } = await configured(root, (c) => {
    c('server', 'add', 'everything', '--command', process.execPath, '--arg', everything, '--arg', 'stdio', '--default-action', 'allow');
    return c('client', 'add', 'bench');
  });
  const times = { direct: [], shim: [] };
  try {
    for (let i = 0; i < rounds; i++) {
      const direct = await connectMs(new StdioClientTransport({ command: process.execPath, args: [everything, 'stdio'], env: { PATH: env.PATH }, stderr: 'ignore' }));
      times.direct.push(direct.ms);
      await direct.client.close();
      const shim = await connectMs(
        new StdioClientTransport({ command: process.execPath, args: [bin, 'stdio', '--server', 'everything'], env: { ...env, WARDEN_CLIENT_KEY: key }, stderr: 'ignore' }),
      );
      times.shim.push(shim.ms);
      await shim.client.close();
      // The core the shim started is detached: stop it, so the next round starts one again.
      cli('stop');
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return times;
}

/** RSS (MiB) of a core with `servers` servers configured, no session open, after `settleMs`. */
export async function idleCoreRss(root, everything, servers = 10, settleMs = 2000) {
  const { bin, dataDir, env, cli } = await configured(root, (c) => {
    for (let i = 0; i < servers; i++) c('server', 'add', `server-${i}`, '--command', process.execPath, '--arg', everything, '--arg', 'stdio', '--default-action', 'allow');
  });
  const daemon = spawn(process.execPath, [bin, 'daemon'], { env, stdio: 'ignore' });
  try {
    await waitForSocket(join(dataDir, 'warden.sock'));
    await new Promise((r) => setTimeout(r, settleMs));
    return rssMiB(daemon.pid);
  } finally {
    cli('stop');
    await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
