// `npm run soak` (not in CI): 5 shims under load against one real core for 10 minutes, with the
// recording upstreams killed by SIGKILL every few hundred calls, one core restart (`warden
// stop`, then a new daemon: the shims should carry on), and one disk-full episode. At the end:
// rows lost, stuck approvals, replies missing, RSS before and after. Figures, not asserts.
//   node bench/soak.mjs [--minutes N] [--shims N] [--kill-every N]
import fc from 'fast-check';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkReceivedHaveRows, checkRefusedNeverForwarded } from '../test/property/guarantee-checks.mjs';
import { RenderContext, renderBatch, specArb } from '../test/property/jsonrpc-arbitraries.mjs';
import { readFrom } from '../test/property/fuzz-runner.mjs';
import { FuzzWorld, rssKib } from '../test/property/fuzz-world.mjs';
import { MARKER } from '../test/property/jsonrpc-oracle.mjs';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, shims: { type: 'string', default: '5' }, 'kill-every': { type: 'string', default: '300' } } });
const durationMs = Number(values.minutes) * 60_000;
const killEvery = Number(values['kill-every']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The test-only disk-full hook of the audit work (WARDEN_TEST_DB_LIMIT_FILE: "full" caps the
// database, anything else lifts the cap). A core without the hook ignores it; the figures say so.
const limitFile = join(tmpdir(), `warden-soak-limit-${process.pid}`);
writeFileSync(limitFile, 'off');

const world = await FuzzWorld.start({ WARDEN_TEST_DB_LIMIT_FILE: limitFile });
const f = { calls: 0, replies: 0, errorReplies: 0, hostile: 0, kills: 0, shimExits: 0, lostInFlight: 0, restartFailures: 0, diskFullRefusals: 0, approvalsAnswered: 0 };
const hostileSent = [];
let stopping = false;
let phase = 'load';
let restartedAt = 0;
/** The core's pid as it reports it (after a restart it is not our first child). */
const corePid = async () => (await world.admin.call('status', {}).catch(() => ({}))).pid;
const rss = [[0, rssKib(await corePid())]];
const started = Date.now();

const MENU = ['echo', 'echo', 'echo', 'echo', 'echo', 'echo', 'secret-tool', 'ask-tool', 'slow', 'resource', 'prompt', 'hostile'];
const hostile = fc.sample(specArb.filter((s) => !['huge', 'cancel', 'reuse'].includes(s.shape)), { seed: 7, numRuns: 2000 });

/** One client: a shim kept busy with up to 4 requests in flight; a new shim when one dies. */
async function worker(index) {
  const server = index % 2 === 0 ? 'rec' : 'plain';
  let n = 0;
  while (!stopping) {
    // A shim started while the core is down would start a core of its own.
    while (phase === 'restart') await sleep(50);
    const shim = await world.openShim(server);
    const inFlight = new Map();
    let seen = 0;
    let dead = false;
    shim.exited.then(() => (dead = true));
    shim.send(Buffer.from(`{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"soak","version":"1"}}}\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n`));
    while (!stopping && !dead) {
      for (; seen < shim.lines.length; seen++) {
        let message;
        try {
          message = JSON.parse(shim.lines[seen]);
        } catch {
          continue;
        }
        if (message.method !== undefined || !inFlight.has(message.id)) continue;
        inFlight.delete(message.id);
        f.replies++;
        const text = JSON.stringify(message.error ?? message.result);
        if (message.error || message.result?.isError) f.errorReplies++;
        if (/disk is full/.test(text)) f.diskFullRefusals++;
      }
      if (inFlight.size >= 4) {
        await sleep(5);
        continue;
      }
      const id = index * 10_000_000 + ++n;
      const marker = `mk${9000 + index}n${n}z`;
      const pick = MENU[n % MENU.length];
      if (pick === 'hostile') {
        const [write] = renderBatch({ server, specs: [hostile[n % hostile.length]] }, new RenderContext(100_000 + index * 100_000 + n));
        for (const line of write.lines) hostileSent.push(line);
        shim.send(Buffer.concat(write.lines.flatMap((l) => [l.bytes, Buffer.from('\n')])));
        f.hostile++;
        continue;
      }
      const params =
        pick === 'resource' ? { uri: `rec://item/${marker}` } : pick === 'prompt' ? { name: 'rec-prompt', arguments: { marker } } : { name: pick, arguments: { marker, text: 'soak', ms: 50 } };
      const method = pick === 'resource' ? 'resources/read' : pick === 'prompt' ? 'prompts/get' : 'tools/call';
      inFlight.set(id, Date.now());
      shim.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n'));
      if (++f.calls % killEvery === 0) {
        for (const pid of world.upstreamPids()) {
          process.kill(pid, 'SIGKILL');
          f.kills++;
        }
      }
    }
    if (stopping) {
      const deadline = Date.now() + 15_000;
      while (inFlight.size > 0 && Date.now() < deadline && !dead) await sleep(50);
    }
    f.lostInFlight += inFlight.size;
    if (dead) {
      f.shimExits++;
      if (phase === 'restart' || Date.now() - restartedAt < 3000) f.restartFailures++;
    }
    await shim.close();
  }
}

/** Markers of the asks the answerer allowed. */
const allowedMarkers = new Set();

async function answerer() {
  let flip = false;
  while (!stopping) {
    const list = await world.admin.call('approvals.list', {}).catch(() => ({ approvals: [] }));
    for (const approval of list.approvals) {
      flip = !flip;
      await world.admin.call('approvals.answer', { id: approval.id, answer: flip ? 'allow-once' : 'deny' }).then(() => {
        f.approvalsAnswered++;
        // This answerer allows asks whatever the generator meant for them: an ask it allowed may run.
        if (flip) for (const marker of approval.arguments.match(MARKER) ?? []) allowedMarkers.add(marker);
      }, () => undefined);
    }
    await sleep(200);
  }
}

async function schedule() {
  const at = (fraction) => sleep(Math.max(0, started + durationMs * fraction - Date.now()));
  await at(0.25);
  rss.push([Date.now() - started, rssKib(await corePid())]);
  await at(0.4);
  phase = 'restart';
  await world.restartCore();
  restartedAt = Date.now();
  phase = 'load';
  await sleep(3000);
  rss.push([Date.now() - started, rssKib(await corePid())]);
  await at(0.7);
  phase = 'disk-full';
  writeFileSync(limitFile, 'full');
  await sleep(Math.min(10_000, durationMs * 0.1));
  writeFileSync(limitFile, 'off');
  phase = 'load';
  await at(1);
  rss.push([Date.now() - started, rssKib(await corePid())]);
  stopping = true;
}

const ticker = setInterval(() => console.log(`  ${Math.round((Date.now() - started) / 1000)} s: ${f.calls} calls, ${f.replies} replies, ${f.kills} upstream kills, ${f.shimExits} shim exits`), 30_000);
await Promise.all([...Array.from({ length: Number(values.shims) }, (_, i) => worker(i)), answerer(), schedule()]);
clearInterval(ticker);

await sleep(1000);
const received = ['rec', 'plain'].flatMap((server) => {
  const bytes = readFrom(world.recordFiles[server], 0).bytes;
  const lines = [];
  for (let start = 0, nl; (nl = bytes.indexOf(0x0a, start)) !== -1; start = nl + 1) lines.push(bytes.subarray(start, nl));
  return lines;
});
const rows = await world.admin.rowsAfter(0);
const lost = checkReceivedHaveRows(received, rows);
const forwarded = checkRefusedNeverForwarded(hostileSent, received).filter((problem) => !(problem.match(MARKER) ?? []).some((marker) => allowedMarkers.has(marker)));
const stuck = (await world.admin.call('approvals.list', {})).approvals;
const verify = await world.cli(['log', 'verify']);
const uncaught = readFrom(join(world.dataDir, 'logs', 'warden.log'), 0).bytes.toString('utf8').split('\n').filter((l) => /uncaught/i.test(l));
await world.stop();
rmSync(limitFile, { force: true });

const figures = [
  ['minutes', values.minutes],
  ['shims', values.shims],
  ['calls sent (tracked)', f.calls],
  ['hostile lines sent', f.hostile],
  ['replies to tracked calls', f.replies],
  ['  of which errors or blocked', f.errorReplies],
  ['tracked calls never answered', f.lostInFlight],
  ['upstream SIGKILLs', f.kills],
  ['shim exits (sessions lost)', f.shimExits],
  ['  of which at the core restart', f.restartFailures],
  ['disk-full episode: calls refused for a full disk', f.diskFullRefusals === 0 ? '0 (the core has no WARDEN_TEST_DB_LIMIT_FILE hook, or it did not refuse)' : f.diskFullRefusals],
  ['approvals answered', f.approvalsAnswered],
  ['audit rows', rows.length],
  ['lines the upstreams received', received.length],
  ['rows lost (received without an allowing row)', lost.length],
  ['refused hostile lines forwarded', forwarded.length],
  ['approvals still listed at the end', stuck.length],
  ['uncaught lines in warden.log', uncaught.length],
  ['warden log verify', verify.code === 0 ? verify.stdout.trim() : `exit ${verify.code}: ${verify.stderr.trim()}`],
  ['core RSS KiB (t s: KiB)', rss.map(([t, kib]) => `${Math.round(t / 1000)}: ${kib ?? '?'}`).join(', ')],
];
console.log('\nsoak results');
for (const [name, value] of figures) console.log(`  ${name.padEnd(50)} ${value}`);
for (const [title, list] of [['rows lost', lost], ['refused but forwarded', forwarded], ['uncaught', uncaught]]) {
  if (list.length > 0) console.log(`\nfirst ${title}:\n${list.slice(0, 3).map((v) => `  - ${v.slice(0, 300)}`).join('\n')}`);
}
