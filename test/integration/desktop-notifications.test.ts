import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, WardenHarness, waitForApproval } from '../helpers/warden-harness.js';

// No desktop notification service runs headless, so the daemon finds a stand-in notify-send
// first on its PATH: it records its arguments and "clicks" the action in NOTIFY_FIXTURE_ANSWER.
const FIXTURE_DIR = join(ROOT, 'test', 'fixtures', 'notify-send');
const SECRET = 'hunter2-very-secret-value';

describe('desktop notifications for asks', () => {
  const warden = new WardenHarness();
  const dir = mkdtempSync(join(tmpdir(), 'warden-notify-'));
  const record = join(dir, 'calls.jsonl');
  const calls = (): string[][] => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]) : []);

  beforeAll(async () => {
    await warden.startDaemon({
      PATH: `${FIXTURE_DIR}${delimiter}${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
      NOTIFY_FIXTURE_RECORD: record,
      NOTIFY_FIXTURE_ANSWER: 'allow-once',
    });
    await warden.addFaultServer('notes', [], 'ask');
    await warden.ok(['secret', 'set', 'NOTES_PASSWORD'], SECRET);
  });

  afterAll(async () => {
    await warden.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts a notification per ask with answer buttons, and the button clicked answers it', async () => {
    const key = await warden.clientKey('desk');
    const client = await warden.connect('notes', key);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'notified' } });
    expect(result.content).toEqual([{ type: 'text', text: 'echo: notified' }]);
    const [args] = calls();
    expect(args).toEqual(expect.arrayContaining(['--app-name=MCP Warden', '--action=allow-once=Allow once', '--action=allow-session=Allow for this session', '--action=allow-always=Always allow', '--action=deny=Deny', '--wait', 'desk → notes: echo']));
    expect(args?.at(-1)).toContain('Arguments: {"text":"notified"}');
    expect(readFileSync(join(warden.dataDir, 'logs', 'warden.log'), 'utf8')).toMatch(/ask ap_[0-9a-f]+ answered allow-once from its desktop notification/);
    await client.close();
  });

  it('never puts a stored secret value into the notification', async () => {
    const client = await warden.connect('notes', await warden.clientKey('desk-2'));
    await client.callTool({ name: 'echo', arguments: { text: `password is ${SECRET}` } });
    await client.close();
    const all = JSON.stringify(calls());
    expect(all).not.toContain(SECRET);
    expect(calls().length).toBeGreaterThanOrEqual(2);
  });

  it('posts nothing once the desktopNotifications setting is off', async () => {
    await warden.ok(['settings', 'set', 'desktopNotifications', 'false']);
    const before = calls().length;
    const client = await warden.connect('notes', await warden.clientKey('desk-3'));
    const call = client.callTool({ name: 'echo', arguments: { text: 'quiet' } });
    const pending = await waitForApproval(warden, (a) => a.arguments.includes('quiet'));
    await warden.ok(['approvals', 'allow', pending.id]);
    expect((await call).content).toEqual([{ type: 'text', text: 'echo: quiet' }]);
    expect(calls().length).toBe(before);
    await client.close();
  });
});
