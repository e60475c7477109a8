// `npm run fuzz`: the properties of test/property/guarantees.test.ts for a long time, with the
// same generators and checks, against one real core. Prints cases/s, crashes, rows lost,
// replies missing or duplicated, and the core's RSS before and after. Figures, not asserts:
// exits 1 when any guarantee failed, so a long run can gate a release by hand.
//   node bench/fuzz.mjs [--cases N] [--seconds N] [--seed N]
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { FINDING_BATCHES, batchArb } from '../test/property/jsonrpc-arbitraries.mjs';
import { freshCursor, runBatch } from '../test/property/fuzz-runner.mjs';
import { FuzzWorld, rssKib } from '../test/property/fuzz-world.mjs';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '1000000' }, seconds: { type: 'string' }, seed: { type: 'string', default: '20261010' } } });
const maxCases = Number(values.cases);
const maxMs = values.seconds === undefined ? Infinity : Number(values.seconds) * 1000;
const seed = Number(values.seed);
// Large batches, and asks left to time out only in every 10th (each costs the 5 s timeout).
const quick = batchArb(80, 30);

const world = await FuzzWorld.start();
const cursor = freshCursor();
const totals = { cases: 0, runs: 0, crashes: 0, rowsLost: 0, refusedForwarded: 0, repliesMissing: 0, repliesDuplicated: 0, repliesOther: 0, verify: 0, uncaught: 0, stuckApprovals: 0, notServing: 0 };
const firstSeen = new Map();
const note = (category, text) => {
  const list = firstSeen.get(category) ?? [];
  if (list.length < 3) list.push(text);
  firstSeen.set(category, list);
};
const rssBefore = rssKib(world.corePid());
const started = Date.now();
let run = 0;

try {
  for (let chunk = 0; totals.cases < maxCases && Date.now() - started < maxMs; chunk++) {
    const batches = chunk === 0 ? FINDING_BATCHES : fc.sample(quick, { seed: seed + chunk, numRuns: 10 });
    for (const [i, batch] of batches.entries()) {
      if (totals.cases >= maxCases || Date.now() - started >= maxMs) break;
      const trimmed = i === 0 ? batch : { ...batch, specs: batch.specs.map((s) => (s.answer === 'timeout' ? { ...s, answer: 'deny' } : s)) };
      await world.ensureCore();
      const { violations, stats } = await runBatch(world, trimmed, ++run, cursor, { verifyWithCli: false, replyWaitMs: 3000 });
      totals.runs++;
      totals.cases += stats.lines;
      if (violations.alive.some((v) => v.startsWith('the core died'))) totals.crashes++;
      else if (violations.alive.length > 0) totals.notServing++;
      totals.rowsLost += violations.rows.length;
      totals.refusedForwarded += violations.refused.length;
      for (const v of violations.replies) {
        if (/^no reply|error replies with id null, but/.test(v)) totals.repliesMissing++;
        else if (/replies with the id|replies with id null, at most/.test(v)) totals.repliesDuplicated++;
        else totals.repliesOther++;
      }
      totals.verify += violations.verify.length;
      totals.uncaught += violations.uncaught.length;
      totals.stuckApprovals += violations.approvals.length;
      for (const [category, list] of Object.entries(violations)) for (const v of list) note(category, v);
    }
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`  ${totals.cases} cases in ${totals.runs} runs, ${(totals.cases / seconds).toFixed(1)} cases/s, core RSS ${rssKib(world.corePid()) ?? '?'} KiB\n`);
  }
} finally {
  const seconds = (Date.now() - started) / 1000;
  const rssAfter = rssKib(world.corePid());
  const finalVerify = await world.cli(['log', 'verify']);
  await world.stop();
  const figures = [
    ['cases', totals.cases],
    ['runs (shim sessions)', totals.runs],
    ['cases/s', (totals.cases / seconds).toFixed(1)],
    ['crashes (core died)', totals.crashes],
    ['runs after which a normal call failed', totals.notServing],
    ['rows lost (received without an allowing row)', totals.rowsLost],
    ['refused messages forwarded', totals.refusedForwarded],
    ['replies missing', totals.repliesMissing],
    ['replies duplicated', totals.repliesDuplicated],
    ['other reply faults', totals.repliesOther],
    ['log verify failures', totals.verify],
    ['uncaught lines in warden.log', totals.uncaught],
    ['approvals left after their call', totals.stuckApprovals],
    ['core RSS before (KiB)', rssBefore],
    ['core RSS after (KiB)', rssAfter ?? 'core gone'],
    ['final warden log verify', finalVerify.code === 0 ? finalVerify.stdout.trim() : `exit ${finalVerify.code}: ${finalVerify.stderr.trim()}`],
  ];
  console.log('\nfuzz results');
  for (const [name, value] of figures) console.log(`  ${name.padEnd(46)} ${value}`);
  for (const [category, list] of firstSeen) {
    console.log(`\nfirst ${category} violations:`);
    for (const v of list) console.log(`  - ${v.slice(0, 400)}`);
  }
  process.exitCode = firstSeen.size > 0 ? 1 : 0;
}
