import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { daemonLogPath, socketPath } from '../../src-main/core/paths.js';
import { WARDEN_BIN, WardenHarness, type CliResult } from '../helpers/warden-harness.js';

/** Sends one hello line on the core's socket; resolves with the first line back, or '' when closed unanswered. */
function hello(path: string, line: unknown): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let received = '';
    socket.on('connect', () => socket.write(JSON.stringify(line) + '\n'));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.includes('\n')) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received.split('\n')[0] ?? ''));
  });
}

describe('G8: failed hellos slow down only the failing connection', () => {
  const warden = new WardenHarness();
  let key = '';
  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addFaultServer('faulty');
    key = await warden.clientKey('good');
  }, 30_000);
  afterAll(() => warden.stop());

  it('serves a right key and the admin CLI at once while 50 wrong-key hellos are being refused', async () => {
    const path = join(warden.dataDir, 'warden.sock');
    const wrong = Array.from({ length: 50 }, (_, i) =>
      hello(path, i % 10 === 0 ? { warden: 1, type: 'admin', token: 'not-the-token' } : { warden: 1, type: 'client', key: `wk_${'0'.repeat(40)}${i}`, server: 'faulty' }),
    );
    // While those wait, a client with the right key and the CLI get in.
    const client = await warden.connect('faulty', key);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');
    await client.close();
    expect(await warden.ok(['server', 'list'])).toContain('faulty');

    const answers = await Promise.all(wrong);
    for (const answer of answers) {
      // Refused with its reason, or (past the cap on held refusals) closed unanswered.
      if (answer !== '') expect(JSON.parse(answer)).toMatchObject({ warden: 1, ok: false });
    }
    expect(answers.filter((a) => a !== '').length).toBeGreaterThan(0);
    expect(readFileSync(daemonLogPath(warden.dataDir), 'utf8')).not.toContain('uncaught:');
  }, 60_000);
});

describe('G8: the shared socket folder is used only when it is this user\'s own', () => {
  let root = '';
  let tmp = '';
  let dataDir = '';
  let folder = '';
  const run = (args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [WARDEN_BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', WARDEN_HOME: dataDir, TMPDIR: tmp } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'warden-g8-'));
    tmp = join(root, 't');
    mkdirSync(tmp);
    // A data dir whose socket path is too long for a Unix socket.
    dataDir = join(root, 'd'.repeat(60), 'e'.repeat(60));
    folder = join(tmp, `mcp-warden-${process.getuid?.() ?? 0}`);
  });
  afterEach(async () => {
    await run(['stop']);
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a folder someone made 0777 first, in the core and in the CLI, naming the folder', async () => {
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    const daemon = await run(['daemon']);
    expect(daemon.code).not.toBe(0);
    expect(daemon.stderr).toContain(`Warden refuses the socket folder ${folder}: its mode is 0777, not 0700`);
    const cli = await run(['server', 'list']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`Warden refuses the socket folder ${folder}`);
    expect(cli.stderr).toContain('rm -rf');
  }, 30_000);

  it('refuses a symbolic link, even to a folder of this user with mode 0700', async () => {
    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, folder);
    const daemon = await run(['daemon']);
    expect(daemon.code).not.toBe(0);
    expect(daemon.stderr).toContain(`Warden refuses the socket folder ${folder}: it is a symbolic link`);
    expect((await run(['server', 'list'])).stderr).toContain('it is a symbolic link');
  }, 30_000);

  it('creates the folder 0700 itself when it is absent, and serves from it', async () => {
    expect(existsSync(folder)).toBe(false);
    // A command that needs the core starts it (read-only ones never do).
    const resumed = await run(['resume']);
    expect(resumed.code).toBe(0);
    expect(lstatSync(folder).mode & 0o777).toBe(0o700);
    expect(existsSync(join(folder, socketPath(dataDir).split('/').at(-1) as string))).toBe(true);
  }, 30_000);
});
