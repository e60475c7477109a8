import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalAnswer, PendingApproval } from '../../../../src-shared/control-api.js';
import { AskNotifier, notificationBody } from '../../../../src-main/core/notify/ask-notifier.js';
import { detectNotifySend } from '../../../../src-main/core/notify/notify-send.js';

// No notification service runs headless: the fixture folder holds a notify-send stand-in
// that records its arguments and prints the action named in $NOTIFY_FIXTURE_ANSWER.
const FIXTURE_DIR = resolve(import.meta.dirname, '..', '..', '..', 'fixtures', 'notify-send');
/** The fixture runs on this Node, found on PATH by its #! line. */
const PATH = `${FIXTURE_DIR}${delimiter}${dirname(process.execPath)}`;

const ask = (id: string, args = '{"text":"hi"}'): PendingApproval => ({ id, client: 'desk', server: 'notes', tool: 'echo', arguments: args, reason: 'server "notes" asks by default', createdAt: 0, deadline: 45_000 });

describe('detectNotifySend()', () => {
  it('finds notify-send on PATH and sees that it takes actions', async () => {
    expect(await detectNotifySend({ PATH }, 'linux')).toEqual({ path: join(FIXTURE_DIR, 'notify-send'), actions: true });
  });

  it('sees an older notify-send without --action', async () => {
    expect(await detectNotifySend({ PATH, NOTIFY_FIXTURE_OLD: '1' }, 'linux')).toEqual({ path: join(FIXTURE_DIR, 'notify-send'), actions: false });
  });

  it('finds nothing where PATH has no notify-send, or off Linux', async () => {
    expect(await detectNotifySend({ PATH: tmpdir() }, 'linux')).toBeUndefined();
    expect(await detectNotifySend({ PATH }, 'darwin')).toBeUndefined();
  });
});

describe('AskNotifier', () => {
  let dir: string;
  let record: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-notify-'));
    record = join(dir, 'calls.jsonl');
    process.env.NOTIFY_FIXTURE_RECORD = record;
  });

  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  function notifier(answers: Array<[string, ApprovalAnswer]>, enabled = true): AskNotifier {
    return new AskNotifier({
      service: { path: join(FIXTURE_DIR, 'notify-send'), actions: true },
      enabled: () => enabled,
      answer: (id, answer) => void answers.push([id, answer]),
      redact: (text) => text.replaceAll('hunter2-secret', '«secret:DB_PASSWORD»'),
      note: () => undefined,
      now: () => 0,
    });
  }

  async function until(done: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('posts each ask with answer buttons and answers with the button clicked', async () => {
    process.env.NOTIFY_FIXTURE_ANSWER = 'allow-session';
    const answers: Array<[string, ApprovalAnswer]> = [];
    notifier(answers).onApproval('added', ask('ap_1'));
    await until(() => answers.length === 1);
    expect(answers).toEqual([['ap_1', 'allow-session']]);
    const args = JSON.parse(readFileSync(record, 'utf8').trim()) as string[];
    expect(args).toEqual(expect.arrayContaining(['--action=allow-once=Allow once', '--action=deny=Deny', '--wait', 'desk → notes: echo']));
  });

  it('ignores output that is not an answer', async () => {
    process.env.NOTIFY_FIXTURE_ANSWER = 'allow-everything-forever';
    const answers: Array<[string, ApprovalAnswer]> = [];
    const notes: string[] = [];
    new AskNotifier({ service: { path: join(FIXTURE_DIR, 'notify-send'), actions: true }, enabled: () => true, answer: (id, a) => void answers.push([id, a]), redact: (t) => t, note: (t) => void notes.push(t), now: () => 0 }).onApproval('added', ask('ap_2'));
    await until(() => notes.some((n) => n.includes('not an answer')));
    expect(answers).toEqual([]);
  });

  it('posts nothing while the setting is off', async () => {
    notifier([], false).onApproval('added', ask('ap_3'));
    await new Promise((r) => setTimeout(r, 300));
    expect(() => readFileSync(record)).toThrow();
  });
});

describe('notificationBody()', () => {
  it('redacts secrets and escapes markup in the arguments', () => {
    const body = notificationBody(ask('ap_4', '{"password":"hunter2-secret","html":"<a href=x>"}'), (t) => t.replaceAll('hunter2-secret', '«secret:DB_PASSWORD»'), true);
    expect(body).not.toContain('hunter2-secret');
    expect(body).toContain('«secret:DB_PASSWORD»');
    expect(body).toContain('&lt;a href=x&gt;');
    expect(body).toContain('Denied in 45 s unless answered.');
  });
});
