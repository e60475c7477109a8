import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, WardenHarness } from '../helpers/warden-harness.js';

const SECRET = 'sk-live-5b1d7e-never-in-plain-text';

describe('the warden command line', () => {
  const warden = new WardenHarness();
  let key: string;

  beforeAll(async () => {
    await warden.startDaemon();
  });

  afterAll(async () => {
    await warden.stop();
  });

  it('prints help and exits 0', async () => {
    const result = await warden.cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/stdio \[--server NAME\]/);
  });

  it('refuses an unknown command with one line and exit code 2', async () => {
    const result = await warden.cli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^warden: unknown command "frobnicate"; see: warden --help/);
  });

  // A dozen CLI runs: on a loaded machine that takes longer than the default 30 s.
  it('adds, lists and removes a server, refusing bad and duplicate names', { timeout: 120_000 }, async () => {
    await warden.ok(['server', 'add', 'mem', '--command', process.execPath, '--arg', EVERYTHING, '--env', 'TOKEN=${secret:GITHUB_TOKEN}']);
    const listed = JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ name: string; env: Record<string, string>; missingSecrets: string[] }>;
    expect(listed).toEqual([expect.objectContaining({ name: 'mem', env: { TOKEN: '${secret:GITHUB_TOKEN}' }, missingSecrets: ['GITHUB_TOKEN'] })]);

    const duplicate = await warden.cli(['server', 'add', 'mem', '--command', 'x']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe('warden: server "mem" already exists; edit it, or remove it first\n');
    await warden.ok(['server', 'add', 'mem', '--replace', '--command', process.execPath, '--arg', EVERYTHING, '--arg', 'stdio']);
    const replaced = JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ args: string[] }>;
    expect(replaced[0]?.args).toEqual([EVERYTHING, 'stdio']);

    const badName = await warden.cli(['server', 'add', 'no spaces!', '--command', 'x']);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/^warden: name: a server name is 1–64 letters/);

    const badRef = await warden.cli(['server', 'add', 'ref', '--command', 'x', '--arg', '${secret:not-valid}']);
    expect(badRef.stderr).toMatch(/does not name a valid secret/);

    const noCommand = await warden.cli(['server', 'add', 'lonely']);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(/--command \(or --url\) is required/);

    const badEnv = await warden.cli(['server', 'add', 'env', '--command', 'x', '--env', 'NOEQUALS']);
    expect(badEnv.code).toBe(2);

    await warden.ok(['server', 'remove', 'mem']);
    expect(JSON.parse(await warden.ok(['server', 'list', '--json']))).toEqual([]);
    expect((await warden.cli(['server', 'remove', 'mem'])).stderr).toBe('warden: server "mem" does not exist\n');
  });

  it('stores a secret from stdin and lists it without its value', async () => {
    await warden.ok(['server', 'add', 'gh', '--command', 'x', '--env', 'T=${secret:GITHUB_TOKEN}']);
    expect(await warden.ok(['secret', 'set', 'GITHUB_TOKEN'], SECRET + '\n')).toBe('stored secret GITHUB_TOKEN\n');
    expect(await warden.ok(['secret', 'set', 'GITHUB_TOKEN'], SECRET)).toBe('replaced secret GITHUB_TOKEN\n');
    const listed = await warden.ok(['secret', 'list', '--json']);
    expect(JSON.parse(listed)).toEqual([{ name: 'GITHUB_TOKEN', updatedAt: expect.any(Number), usedBy: ['gh'] }]);
    expect(listed).not.toContain(SECRET);

    const empty = await warden.cli(['secret', 'set', 'EMPTY'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no value was given on stdin/);
    expect((await warden.cli(['secret', 'remove', 'NOPE'])).stderr).toBe('warden: secret "NOPE" does not exist\n');
  });

  it('prints a client key once and keeps only its hash', async () => {
    key = await warden.clientKey('cursor');
    expect(key).toMatch(/^wk_[A-Za-z0-9_-]{43}$/);
    const listed = await warden.ok(['client', 'list', '--json']);
    expect(JSON.parse(listed)).toEqual([expect.objectContaining({ name: 'cursor', prefix: key.slice(0, 11), revoked: false })]);
    expect(listed).not.toContain(key);
    expect((await warden.cli(['client', 'add', 'cursor'])).stderr).toMatch(/already exists/);
  });

  it('keeps no secret or key in plain text anywhere in the data dir', async () => {
    const files = readdirSync(warden.dataDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const entry of files) {
      const bytes = readFileSync(join(entry.parentPath, entry.name));
      expect(bytes.includes(Buffer.from(SECRET)), entry.name).toBe(false);
      expect(bytes.includes(Buffer.from(key)), entry.name).toBe(false);
    }
  });

  it('keeps the data dir private to the user', async () => {
    const mode = (path: string): string => (statSync(join(warden.dataDir, path)).mode & 0o777).toString(8);
    expect(mode('.')).toBe('700');
    for (const file of ['vault.key', 'admin.token', 'warden.sock', 'warden.db', 'warden.db-wal']) expect(mode(file), file).toBe('600');
  });

  it('reports a stopped core instead of starting one for status and stop', async () => {
    await warden.ok(['stop']);
    const status = await warden.cli(['status']);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/the Warden core is not running/);
  });
});
