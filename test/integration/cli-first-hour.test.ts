import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawShim } from '../helpers/raw-shim.js';
import { WARDEN_BIN, WardenHarness } from '../helpers/warden-harness.js';

/** A long-running `warden …` (daemon, log --follow) whose output is read as it comes. */
class Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(warden: WardenHarness, args: string[]) {
    this.child = spawn(process.execPath, [WARDEN_BIN, ...args], { env: warden.baseEnv() });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  async until(match: (self: Running) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!match(this)) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen; stdout: ${this.stdout} stderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('the warden command line, as a new user meets it', () => {
  describe('with no core running', () => {
    const warden = new WardenHarness();
    const typo = join(mkdtempSync(join(tmpdir(), 'warden-typo-')), 'no-such-vault');

    afterAll(async () => {
      await warden.stop();
      rmSync(join(typo, '..'), { recursive: true, force: true });
    });

    // Seven CLI runs: on a loaded machine that takes longer than the default 30 s.
    it('answers read-only commands with "not running" and starts nothing, even for a mistyped data dir', { timeout: 120_000 }, async () => {
      for (const args of [['log'], ['log', '--follow'], ['server', 'list'], ['secret', 'list'], ['rule', 'list'], ['limit', 'list'], ['settings', 'get']]) {
        const result = await warden.cli(['--data-dir', typo, ...args]);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr, args.join(' ')).toMatch(/^warden: the Warden core is not running for .*no-such-vault; start it with: warden daemon/);
      }
      expect(existsSync(typo)).toBe(false);
    });

    it('prints status --json as JSON even when the core is down, and exits 1', async () => {
      const result = await warden.cli(['status', '--json']);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toEqual({ running: false, dataDir: warden.dataDir, socket: join(warden.dataDir, 'warden.sock') });
      expect(existsSync(join(warden.dataDir, 'warden.db'))).toBe(false);
    });
  });

  describe('with a core running', () => {
    const warden = new WardenHarness();
    let daemon: Running;
    let key: string;

    beforeAll(async () => {
      daemon = new Running(warden, ['daemon', '--web']);
      await daemon.until((d) => d.stdout.includes('\n'), 'the ready line');
      await warden.addFaultServer('faulty');
      key = await warden.clientKey('tester');
    });

    afterAll(async () => {
      await warden.stop();
      daemon.child.kill('SIGKILL');
    });

    it('prints one line with the data dir, the socket and the window URL', () => {
      expect(daemon.stdout).toMatch(
        new RegExp(`^Warden core running: data dir ${warden.dataDir}; socket ${join(warden.dataDir, 'warden.sock')}; MCP Warden window: http://127\\.0\\.0\\.1:\\d+/\\S+\n$`),
      );
    });

    it('refuses a second daemon on the same data dir with one line and a non-zero exit', async () => {
      const second = await warden.cli(['daemon']);
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/^warden: Warden is already running for this data dir \(pid \d+\); use it \(warden status\), or stop it first \(warden stop\)\n$/);
      expect(second.stdout).toBe('');
    });

    it('prints a command\'s own usage for --help, without running it', async () => {
      const help = await warden.cli(['limit', 'add', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('warden limit add [--client C] [--server S] [--tool PATTERN] --max N --per 60s');
      expect(help.stdout).not.toContain('warden server add');
      const server = await warden.cli(['server', '--help']);
      expect(server.code).toBe(0);
      expect(server.stdout).toContain('warden server list [--json] | remove NAME');
      expect(JSON.parse(await warden.ok(['limit', 'list', '--json']))).toEqual([]);
    });

    it('suggests the command, subcommand or server a typo meant', async () => {
      const command = await warden.cli(['sever', 'list']);
      expect(command.code).toBe(2);
      expect(command.stderr).toBe('warden: unknown command "sever" (did you mean "warden server"?); see: warden --help\n');
      expect((await warden.cli(['server', 'lst'])).stderr).toBe('warden: unknown command "server lst" (did you mean "warden server list"?); see: warden server --help\n');
      const server = await warden.cli(['server', 'disable', 'fauty']);
      expect(server.code).toBe(1);
      expect(server.stderr).toBe('warden: server "fauty" does not exist; did you mean "faulty"?\n');
    });

    it('sends paths resolved against the caller\'s working directory, not the core\'s', async () => {
      await warden.ok(['server', 'add', 'here', '--command', 'x', '--cwd', 'some/dir']);
      const servers = JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ name: string; cwd?: string }>;
      expect(servers.find((s) => s.name === 'here')?.cwd).toBe(join(process.cwd(), 'some', 'dir'));
      await warden.ok(['server', 'remove', 'here']);
    });

    it('refuses `claude status --config` with its own usage', async () => {
      const result = await warden.cli(['claude', 'status', '--config', 'x.json']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('warden: unknown option --config (the options are --json); usage: warden claude status [--json]\n');
    });

    it("reports the caller's HOME in `claude status`, not the core's", async () => {
      const home = join(warden.dataDir, 'someone-else');
      const result = await warden.cli(['claude', 'status', '--json'], undefined, { HOME: home });
      expect(result.code).toBe(0);
      const [claude] = JSON.parse(result.stdout) as Array<{ configPath: string }>;
      expect(claude?.configPath).toBe(join(home, '.config', 'Claude', 'claude_desktop_config.json'));
    });

    it('reads `settings set NAME -5` as the value -5, which the core then judges', async () => {
      const negative = await warden.cli(['settings', 'set', 'approvalTimeoutSeconds', '-5']);
      expect(negative.code).toBe(1);
      expect(negative.stderr).toMatch(/approvalTimeoutSeconds: .*>=5/);
      expect(await warden.ok(['settings', 'set', 'approvalTimeoutSeconds', '40'])).toBe('approvalTimeoutSeconds = 40\n');
    });

    it('shows in status whether Warden is paused', async () => {
      await warden.ok(['pause']);
      expect(await warden.ok(['status'])).toMatch(/\nPAUSED: every call is refused until: warden resume\n/);
      expect(JSON.parse(await warden.ok(['status', '--json']))).toMatchObject({ running: true, paused: true, dataDir: warden.dataDir });
      await warden.ok(['resume']);
      expect(await warden.ok(['status'])).toMatch(/\nnot paused/);
    });

    it('says what a limit means when it is added and listed', async () => {
      expect(await warden.ok(['limit', 'add', '--server', 'nothing-here', '--max', '3', '--per', '60s'])).toMatch(/at most 3 call\(s\) in any 1 min, for each client/);
      expect(await warden.ok(['limit', 'list'])).toMatch(/at most MAX calls in any window of PER, counted for each client on its own/);
    });

    it('follows the log: the last rows first, then new ones, and says so when the core stops', async () => {
      const shim = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: key }), ['--server', 'faulty']);
      await shim.initialize();
      await shim.request(1, 'tools/call', { name: 'echo', arguments: { text: 'before' } });
      const follow = new Running(warden, ['log', '--follow', '--json', '--limit', '2']);
      await follow.until((f) => f.stderr.includes('following new ones'), 'the follow notice');
      const before = follow.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number; target: string | null });
      expect(before.length).toBeGreaterThanOrEqual(1);
      expect(before.length).toBeLessThanOrEqual(2);
      const last = before[before.length - 1] as { id: number; target: string | null };
      expect(last.target).toBe('echo');
      await shim.request(2, 'tools/call', { name: 'echo', arguments: { text: 'after' } });
      await follow.until((f) => f.stdout.trim().split('\n').length > before.length, 'a new row');
      const next = JSON.parse(follow.stdout.trim().split('\n')[before.length] as string) as { id: number; arguments: string };
      expect(next.id).toBeGreaterThan(last.id);
      expect(next.arguments).toContain('after');
      await warden.ok(['stop']);
      expect(await follow.exited).toBe(1);
      expect(follow.stderr).toMatch(/warden: the Warden core stopped, so the log is no longer followed/);
      await shim.close();
    });
  });
});
