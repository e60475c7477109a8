import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARDEN_BIN, WardenHarness } from '../helpers/warden-harness.js';

/** `warden approvals watch` as a child process whose stdin is a pipe (so it reads lines). */
class Watch {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(warden: WardenHarness) {
    this.child = spawn(process.execPath, [WARDEN_BIN, 'approvals', 'watch'], { env: warden.baseEnv() });
    this.child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  async until(text: string | RegExp, from = 0): Promise<string> {
    const deadline = Date.now() + 15_000;
    const seen = (): boolean => (typeof text === 'string' ? this.output.slice(from).includes(text) : text.test(this.output.slice(from)));
    while (!seen()) {
      if (Date.now() > deadline) throw new Error(`the watch never printed ${String(text)}; it printed:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.output;
  }

  type(line: string): void {
    this.child.stdin.write(line + '\n');
  }
}

describe('warden approvals watch', () => {
  const warden = new WardenHarness();
  let key: string;

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addFaultServer('notes', [], 'ask');
    key = await warden.clientKey('desk');
  });

  afterAll(async () => {
    await warden.stop();
  });

  it('shows an ask as it arrives and answers it once with "o"', async () => {
    const watch = new Watch(warden);
    await watch.until('watching for asks');
    const client = await warden.connect('notes', key);
    const call = client.callTool({ name: 'echo', arguments: { text: 'from the watch' } });
    const shown = await watch.until('answer: [o]nce');
    expect(shown).toMatch(/ask ap_[0-9a-f]+: desk → notes \/ echo {2}\(\d+ s left, denied at \d\d:\d\d:\d\d UTC\)/);
    expect(shown).toContain('arguments: {"text":"from the watch"}');
    expect(shown).toMatch(/why: .+/);
    watch.type('o');
    expect((await call).content).toEqual([{ type: 'text', text: 'echo: from the watch' }]);
    await watch.until(/ap_[0-9a-f]+: allow-once/);

    // Once means once: the next call asks again; "d" denies it.
    const from = watch.output.length;
    const second = client.callTool({ name: 'echo', arguments: { text: 'second' } });
    await watch.until('arguments: {"text":"second"}', from);
    watch.type('d');
    const denied = await second;
    expect(denied.isError).toBe(true);
    await watch.until(/ap_[0-9a-f]+: deny/, from);
    await client.close();
    watch.child.stdin.end();
    expect(await watch.exited).toBe(0);
    expect(watch.output).toContain('the input ended; stopped watching');
  });

  it('answers "s" for the session, so the same call in that session no longer asks', async () => {
    const watch = new Watch(warden);
    await watch.until('watching for asks');
    const client = await warden.connect('notes', key);
    const first = client.callTool({ name: 'echo', arguments: { text: 'session' } });
    await watch.until('answer: [o]nce');
    watch.type('x');
    await watch.until('"x" is not an answer: o (once), s (session), a (always), d (deny), q (quit)');
    watch.type('s');
    expect((await first).isError).toBeFalsy();
    await watch.until(/allow-session/);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'again' } })).content).toEqual([{ type: 'text', text: 'echo: again' }]);
    await client.close();
    watch.type('q');
    expect(await watch.exited).toBe(0);
  });

  it('shows an ask that was already waiting when it starts, and "a" makes a rule', async () => {
    const client = await warden.connect('notes', key);
    const call = client.callTool({ name: 'echo', arguments: { text: 'waiting' } });
    const deadline = Date.now() + 15_000;
    while (!(await warden.ok(['approvals', 'list'])).includes('waiting')) {
      if (Date.now() > deadline) throw new Error('no ask appeared');
      await new Promise((r) => setTimeout(r, 100));
    }
    const watch = new Watch(warden);
    await watch.until('1 ask(s) waiting');
    await watch.until('arguments: {"text":"waiting"}');
    watch.type('a');
    expect((await call).isError).toBeFalsy();
    const rules = JSON.parse(await warden.ok(['rule', 'list', '--json'])) as Array<{ client: string; server: string; target: string; action: string }>;
    expect(rules).toEqual(expect.arrayContaining([expect.objectContaining({ client: 'desk', server: 'notes', target: 'echo', action: 'allow' })]));
    await client.close();
    watch.child.stdin.end();
    expect(await watch.exited).toBe(0);
  });

  it('says so and exits non-zero when the core stops', async () => {
    const watch = new Watch(warden);
    await watch.until('watching for asks');
    await warden.ok(['stop']);
    expect(await watch.exited).toBe(1);
    expect(watch.output).toContain('warden: the Warden core stopped; no more asks to watch');
  });
});
