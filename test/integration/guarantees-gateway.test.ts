import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawShim } from '../helpers/raw-shim.js';
import { WardenHarness, waitForApproval } from '../helpers/warden-harness.js';
import { RECORDING_SERVER } from '../property/fuzz-driver.js';
import { setupWorld } from '../property/fuzz-runner.mjs';

// The gateway findings of issue 10, one regression test each, named after the guarantee it
// protects. Real daemon, real shim, and the recording upstreams: "the upstream received" is
// read from what the upstream wrote down, not assumed.
type Line = Record<string, unknown>;
const errorOf = (line: Line | undefined): { code: number; message: string } | undefined => line?.error as { code: number; message: string } | undefined;
const textOf = (line: Line | undefined): string => JSON.stringify((line?.result as { content?: unknown } | undefined)?.content ?? line?.error ?? null);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const call = (id: number | string | undefined, name: string, marker: string, extra = ''): string =>
  `{"jsonrpc":"2.0",${id === undefined ? '' : `"id":${JSON.stringify(id)},`}"method":"tools/call"${extra},"params":{"name":"${name}","arguments":{"marker":"${marker}","text":"t"}}}\n`;

describe('gateway guarantees of issue 10 (regressions)', () => {
  const warden = new WardenHarness();
  let files: { rec: string; plain: string };
  let key: string;
  const shims: RawShim[] = [];

  const shim = async (server: string, clientKey = key): Promise<RawShim> => {
    const raw = new RawShim(warden.baseEnv({ WARDEN_CLIENT_KEY: clientKey }), ['--server', server]);
    shims.push(raw);
    await raw.initialize();
    return raw;
  };
  const received = (server: 'rec' | 'plain', marker: string): string[] =>
    existsSync(files[server]) ? readFileSync(files[server], 'utf8').split('\n').filter((line) => line.includes(marker)) : [];
  const rows = async (marker: string): Promise<Line[]> =>
    (await warden.ok(['log', '--json', '--limit', '2000'])).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)
      .filter((row) => `${row.target as string} ${row.arguments as string}`.includes(marker));
  const approvalIds = async (): Promise<string[]> => (JSON.parse(await warden.ok(['approvals', 'list', '--json'])) as Array<{ id: string }>).map((a) => a.id);

  beforeAll(async () => {
    await warden.startDaemon();
    files = await setupWorld((args) => warden.ok(args), warden.dataDir, RECORDING_SERVER);
    // Long enough that an answer "at once" cannot be the timeout's.
    await warden.ok(['settings', 'set', 'approvalTimeoutSeconds', '30']);
    await warden.ok(['server', 'add', 'asky', '--command', process.execPath, '--arg', RECORDING_SERVER, '--default-action', 'ask']);
    key = await warden.clientKey('regress');
  });

  afterAll(async () => {
    for (const raw of shims) raw.child.kill();
    await warden.stop();
  });

  it('G1: a 6,000-level argument in a read is refused alone; the calls around it are answered and logged, and an ask before it runs only with its row', async () => {
    const raw = await shim('plain');
    const deep = `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"marker":"g1deep","deep":${'['.repeat(6000)}${']'.repeat(6000)}}}}\n`;
    raw.send(call(1, 'ask-tool', 'g1ask') + call(2, 'echo', 'g1before') + deep + call(4, 'echo', 'g1after'));
    const before = await raw.waitFor((l) => l.id === 2);
    const after = await raw.waitFor((l) => l.id === 4);
    expect([textOf(before), textOf(after)]).toEqual(['[{"type":"text","text":"ran"}]', '[{"type":"text","text":"ran"}]']);
    expect(errorOf(await raw.waitFor((l) => l.id === 3))?.message).toMatch(/nest|deep/i);
    await warden.ok(['approvals', 'allow', (await waitForApproval(warden, (a) => a.arguments.includes('g1ask'))).id]);
    expect(textOf(await raw.waitFor((l) => l.id === 1))).toContain('ran');
    for (const marker of ['g1ask', 'g1before', 'g1after']) expect((await rows(marker)).length, marker).toBe(1);
    expect(received('plain', 'g1deep')).toEqual([]);
  });

  it('G2: a tools/call without id is never forwarded, even to an upstream that runs anything', async () => {
    const raw = await shim('plain');
    raw.send(call(undefined, 'secret-tool', 'g2noid-denied') + call(undefined, 'echo', 'g2noid-allowed'));
    await raw.request(21, 'ping');
    await sleep(300);
    expect(received('plain', 'g2noid')).toEqual([]);
  });

  it('G2: a tools/call with "id":null and an error member is refused with an error and never forwarded', async () => {
    const raw = await shim('plain');
    raw.send('{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"x"},"method":"tools/call","params":{"name":"secret-tool","arguments":{"marker":"g2null"}}}\n');
    const refused = await raw.waitFor((l) => l.id === null && l.error !== undefined, 5000);
    expect(errorOf(refused)?.code).toBe(-32600);
    expect(received('plain', 'g2null')).toEqual([]);
  });

  it('G2: ids 123456789012345678901 and 1e400 are refused with an error, never forwarded, and leave no pending row', async () => {
    const raw = await shim('rec');
    raw.send(
      '{"jsonrpc":"2.0","id":123456789012345678901,"method":"tools/call","params":{"name":"echo","arguments":{"marker":"g2huge","text":"t"}}}\n' +
        '{"jsonrpc":"2.0","id":1e400,"method":"tools/call","params":{"name":"echo","arguments":{"marker":"g2inf","text":"t"}}}\n',
    );
    await raw.request(22, 'ping');
    await sleep(500);
    const refusals = raw.lines.filter((l) => l.error !== undefined && (l.id === null || !Number.isSafeInteger(l.id)));
    expect(refusals.length).toBe(2);
    expect([...received('rec', 'g2huge'), ...received('rec', 'g2inf')]).toEqual([]);
    expect([...(await rows('g2huge')), ...(await rows('g2inf'))].filter((row) => row.outcome === 'pending')).toEqual([]);
  });

  it('G3: a tool name with a lone surrogate is refused with an error, and warden log verify still passes', async () => {
    const raw = await shim('rec');
    raw.send(call(31, 'echo\\ud800', 'g3'));
    const refused = await raw.waitFor((l) => l.id === 31 || (l.id === null && l.error !== undefined));
    const verify = await warden.cli(['log', 'verify']);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(errorOf(refused)?.message).toMatch(/surrogate|UTF/i);
  });

  it('G4: pausing denies every pending ask at once and refuses a later answer with a sentence', async () => {
    const raw = await shim('rec');
    raw.send(call(41, 'ask-tool', 'g4pause'));
    const pending = await waitForApproval(warden, (a) => a.arguments.includes('g4pause'));
    await warden.ok(['pause']);
    try {
      const reply = await raw.waitFor((l) => l.id === 41, 10_000);
      expect(textOf(reply)).toMatch(/paused/);
      expect(await approvalIds()).not.toContain(pending.id);
      const late = await warden.cli(['approvals', 'allow', pending.id]);
      expect(late.code).not.toBe(0);
      expect(late.stderr).toMatch(/^warden: .+/);
      expect(received('rec', 'g4pause')).toEqual([]);
    } finally {
      await warden.ok(['resume']);
    }
  });

  for (const ending of ['cancelled', 'disconnected'] as const) {
    it(`G4: an ask whose client ${ending} leaves approvals list, and answering it fails with a non-zero exit`, async () => {
      const raw = await shim('rec');
      const marker = `g4${ending}`;
      raw.send(call(42, 'ask-tool', marker));
      const pending = await waitForApproval(warden, (a) => a.arguments.includes(marker));
      if (ending === 'cancelled') raw.sendJson({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 42, reason: 'user' } });
      // A client that goes away: its shim dies (a stdin EOF alone now waits for the replies owed, G9).
      else {
        raw.child.kill('SIGKILL');
        await raw.exited;
      }
      // Bounded well below the 30 s timeout, so only the end of the call can remove it.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && (await approvalIds()).includes(pending.id)) await sleep(100);
      expect(await approvalIds()).not.toContain(pending.id);
      const answer = await warden.cli(['approvals', 'allow', pending.id]);
      expect(answer.code).not.toBe(0);
      expect(received('rec', marker)).toEqual([]);
    });
  }

  it('G4: a new request that reuses the id of a pending ask is refused with an error, never forwarded', async () => {
    const raw = await shim('rec');
    raw.send(call(43, 'ask-tool', 'g4reuse-ask'));
    const pending = await waitForApproval(warden, (a) => a.arguments.includes('g4reuse-ask'));
    raw.send(call(43, 'echo', 'g4reuse-echo'));
    const first = await raw.waitFor((l) => l.id === 43, 10_000);
    expect(errorOf(first)?.message).toMatch(/\bid\b/);
    expect(received('rec', 'g4reuse-echo')).toEqual([]);
    await warden.ok(['approvals', 'deny', pending.id]);
  });

  it('G4: a call to a tool the upstream does not list is answered at once: server S has no tool T', async () => {
    const raw = await shim('asky');
    raw.send(call(44, 'no-such-tool', 'g4missing'));
    const reply = await raw.waitFor((l) => l.id === 44, 10_000);
    expect(textOf(reply)).toMatch(/server \\?"asky\\?" has no tool \\?"no-such-tool\\?"/);
    expect((JSON.parse(await warden.ok(['approvals', 'list', '--json'])) as Array<{ arguments: string }>).filter((a) => a.arguments.includes('g4missing'))).toEqual([]);
  });

  it('G6: a loop retrying a denied call is rate limited, so refusals cannot flood the log', async () => {
    const looper = await warden.clientKey('looper');
    await warden.ok(['settings', 'set', 'defaultClientLimitPerMinute', '10']);
    try {
      const raw = await shim('rec', looper);
      for (let i = 0; i < 15; i++) raw.send(call(600 + i, 'secret-tool', `g6loop${i}`));
      const replies = await Promise.all(Array.from({ length: 15 }, (_, i) => raw.waitFor((l) => l.id === 600 + i)));
      const follow = await raw.request(700, 'tools/call', { name: 'echo', arguments: { marker: 'g6after', text: 't' } });
      expect([...replies, follow].map(textOf).filter((text) => /rate limit/i.test(text)).length).toBeGreaterThan(0);
    } finally {
      await warden.ok(['settings', 'set', 'defaultClientLimitPerMinute', '1000000']);
    }
  });
});
