// The fuzz world for the plain-Node scripts (bench/fuzz.mjs, bench/soak.mjs), which cannot load
// the TypeScript harness: a temp data dir, the real `warden daemon`, the real CLI and real shim
// processes, the two recording upstreams (setupWorld). It is also a runner driver.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AdminClient } from './admin-client.mjs';
import { setupWorld } from './fuzz-runner.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const RECORDING_SERVER = join(ROOT, 'test', 'fixtures', 'recording-server.mjs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** VmRSS of a process in KiB, from /proc (undefined when it is gone). */
export function rssKib(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

export class FuzzWorld {
  /** Starts a daemon in a fresh data dir and sets up the servers, rules and a client key. */
  static async start(daemonEnv = {}) {
    const world = new FuzzWorld(mkdtempSync(join(tmpdir(), 'warden-fuzz-')), daemonEnv);
    await world.startDaemon();
    world.recordFiles = await setupWorld((args) => world.ok(args), world.dataDir, RECORDING_SERVER);
    world.key = (await world.ok(['client', 'add', 'fuzzer'])).trim();
    return world;
  }

  constructor(dataDir, daemonEnv) {
    this.dataDir = dataDir;
    this.daemonEnv = daemonEnv;
    this.env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', WARDEN_HOME: dataDir };
  }

  async startDaemon() {
    this.daemon = spawn(process.execPath, [WARDEN, 'daemon'], { env: { ...this.env, ...this.daemonEnv }, stdio: ['ignore', 'ignore', 'ignore'] });
    const deadline = Date.now() + 15_000;
    while (!(await this.socketUp())) {
      if (Date.now() > deadline) throw new Error('the Warden daemon did not start');
      await sleep(50);
    }
    this.admin?.close();
    this.admin = await AdminClient.connect(this.dataDir);
  }

  socketUp() {
    return new Promise((done) => {
      const socket = connect(join(this.dataDir, 'warden.sock'));
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
  }

  cli(args) {
    return new Promise((done) => {
      const child = spawn(process.execPath, [WARDEN, ...args], { env: this.env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => done({ code, stdout, stderr }));
      child.stdin.end();
    });
  }

  async ok(args) {
    const result = await this.cli(args);
    if (result.code !== 0) throw new Error(`warden ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  /** A real shim process; stdout kept as raw lines. */
  async openShim(server, key = this.key) {
    // The daemon's test hooks too: a shim that finds no core (during a restart) starts one itself.
    const child = spawn(process.execPath, [WARDEN, 'stdio', '--server', server], { env: { ...this.env, ...this.daemonEnv, WARDEN_CLIENT_KEY: key } });
    const lines = [];
    let held = Buffer.alloc(0);
    child.stdout.on('data', (chunk) => {
      held = Buffer.concat([held, chunk]);
      for (let nl = held.indexOf(0x0a); nl !== -1; nl = held.indexOf(0x0a)) {
        lines.push(held.subarray(0, nl).toString('utf8'));
        held = held.subarray(nl + 1);
      }
    });
    child.stderr.on('data', () => undefined);
    child.stdin.on('error', () => undefined);
    const exited = new Promise((r) => child.on('exit', r));
    return {
      child,
      lines,
      exited,
      send: (bytes) => child.stdin.writable && child.stdin.write(bytes),
      close: async () => {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      },
    };
  }

  corePid() {
    const pid = this.daemon?.pid;
    return pid !== undefined && this.daemon.exitCode === null && this.daemon.signalCode === null ? pid : undefined;
  }

  /** Starts the core again when a run killed it. */
  async ensureCore() {
    if (this.corePid() !== undefined) return;
    await this.cli(['stop']);
    await this.startDaemon();
  }

  /** `warden stop`, then a fresh daemon on the same data dir. */
  async restartCore() {
    const exited = new Promise((r) => this.daemon.once('exit', r));
    await this.cli(['stop']);
    await Promise.race([exited, sleep(10_000)]);
    await this.startDaemon();
  }

  /** Pids of the recording upstreams the core runs (its children). */
  upstreamPids() {
    const core = this.corePid();
    const pids = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
        if (ppid === core && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('recording-server.mjs')) pids.push(Number(entry));
      } catch {
        // The process ended while we looked.
      }
    }
    return pids;
  }

  async stop() {
    this.admin?.close();
    await this.cli(['stop']);
    if (this.corePid() !== undefined) {
      await Promise.race([new Promise((r) => this.daemon.once('exit', r)), sleep(5000)]);
      if (this.corePid() !== undefined) this.daemon.kill('SIGKILL');
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
