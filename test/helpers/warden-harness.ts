import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { PendingApproval } from '../../src-shared/control-api.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const WARDEN_BIN = join(ROOT, 'bin', 'warden.mjs');
export const SHIM = join(ROOT, 'dist', 'cli', 'stdio.mjs');
export const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
export const FAULT_SERVER = join(ROOT, 'test', 'fixtures', 'fault-server.mjs');
/** A variable only the daemon has: an upstream must never see it. */
export const DAEMON_CANARY = 'WARDEN_TEST_DAEMON_ONLY';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A Warden data dir in a temp folder, with the real daemon process, the real CLI and the real
 * shim. Each test file makes its own and stops it after.
 */
export class WardenHarness {
  readonly dataDir: string;
  daemon: ChildProcess | undefined;

  constructor() {
    this.dataDir = mkdtempSync(join(tmpdir(), 'warden-test-'));
  }

  /** The environment the CLI and shims run with: no vault key, nothing else of ours. */
  baseEnv(extra: Record<string, string> = {}): Record<string, string> {
    return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', WARDEN_HOME: this.dataDir, ...extra };
  }

  /** Starts `warden daemon [ARGS]` as its own process and waits until it answers. */
  async startDaemon(extraEnv: Record<string, string> = {}, args: string[] = []): Promise<void> {
    this.daemon = spawn(process.execPath, [WARDEN_BIN, 'daemon', ...args], {
      env: this.baseEnv({ [DAEMON_CANARY]: 'the daemon environment leaked', ...extraEnv }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await this.waitForSocket();
  }

  /** Starts `warden daemon --web` and returns the window's URL (with its token) from stdout. */
  async startWebDaemon(): Promise<string> {
    this.daemon = spawn(process.execPath, [WARDEN_BIN, 'daemon', '--web'], {
      env: this.baseEnv({ [DAEMON_CANARY]: 'the daemon environment leaked' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no window URL printed: ${out}`)), 15_000);
      this.daemon?.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /MCP Warden window: (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1] as string);
        }
      });
    });
    await this.waitForSocket();
    return url;
  }

  async waitForSocket(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const up = await new Promise<boolean>((done) => {
        const socket = connect(join(this.dataDir, 'warden.sock'));
        socket.once('connect', () => {
          socket.destroy();
          done(true);
        });
        socket.once('error', () => done(false));
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error('the Warden daemon did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Runs `warden ARGS` with optional stdin; resolves with the exit code and output. */
  cli(args: string[], input?: string, extraEnv: Record<string, string> = {}): Promise<CliResult> {
    return new Promise((done) => {
      const child = spawn(process.execPath, [WARDEN_BIN, ...args], { env: this.baseEnv(extraEnv) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => done({ code, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  }

  /** Runs a CLI command that must succeed, returning stdout. */
  async ok(args: string[], input?: string): Promise<string> {
    const result = await this.cli(args, input);
    if (result.code !== 0) throw new Error(`warden ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  /** Adds server-everything; `defaultAction` is what calls no rule covers get (Warden's own default is ask). */
  async addEverything(name = 'everything', env: string[] = [], defaultAction = 'allow'): Promise<void> {
    await this.ok(['server', 'add', name, '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio', '--default-action', defaultAction, ...env.flatMap((e) => ['--env', e])]);
  }

  async addFaultServer(name = 'faulty', env: string[] = [], defaultAction = 'allow'): Promise<void> {
    await this.ok(['server', 'add', name, '--command', process.execPath, '--arg', FAULT_SERVER, '--default-action', defaultAction, ...env.flatMap((e) => ['--env', e])]);
  }

  async clientKey(name: string): Promise<string> {
    return (await this.ok(['client', 'add', name])).trim();
  }

  /** The shim as Claude Desktop launches it: command, args and env, nothing inherited. */
  shimTransport(server: string, key: string, extraEnv: Record<string, string> = {}): StdioClientTransport {
    return new StdioClientTransport({
      command: process.execPath,
      args: [WARDEN_BIN, 'stdio', '--server', server],
      env: this.baseEnv({ WARDEN_CLIENT_KEY: key, ...extraEnv }),
      stderr: 'pipe',
    });
  }

  async connect(server: string, key: string, capabilities: Record<string, unknown> = {}): Promise<Client> {
    const client = new Client({ name: 'warden-test', version: '1.0.0' }, { capabilities });
    await client.connect(this.shimTransport(server, key));
    return client;
  }

  /** Stops the daemon (if this harness started one or a shim did) and removes the data dir. */
  async stop(): Promise<void> {
    await this.cli(['stop']).catch(() => undefined);
    if (this.daemon && this.daemon.exitCode === null) {
      await new Promise((r) => {
        this.daemon?.once('exit', r);
        setTimeout(() => {
          this.daemon?.kill('SIGKILL');
          r(undefined);
        }, 5000);
      });
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A direct client to server-everything, to compare with what comes through Warden. */
export async function directEverything(capabilities: Record<string, unknown> = {}): Promise<Client> {
  const client = new Client({ name: 'direct', version: '1.0.0' }, { capabilities });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], env: { PATH: process.env.PATH ?? '' } }),
  );
  return client;
}


/** Polls `warden approvals list` until a call waits (optionally one matching `match`). */
export async function waitForApproval(
  warden: WardenHarness,
  match: (approval: PendingApproval) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<PendingApproval> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const approvals = JSON.parse(await warden.ok(['approvals', 'list', '--json'])) as PendingApproval[];
    const found = approvals.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('no approval appeared');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a process is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a fixture server script and resolves once it prints "listening PORT". */
export function startFixtureServer(script: string, args: string[]): Promise<{ port: number; child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  return new Promise((resolve) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts);
      const port = parts.map((line) => /^listening (\d+)/.exec(line)?.[1]).find(Boolean);
      if (port) resolve({ port: Number(port), child, lines });
    });
  });
}
