// `npm run conformance`, second half: every server scenario of the pinned MCP conformance suite
// (pending ones included) against our target server, test/fixtures/conformance-server.mjs.
//   direct         the fixture over Streamable HTTP on 127.0.0.1
//   warden stdio   Warden's HTTP endpoint `<httpUrl>/conf`, the fixture as a stdio upstream
//   warden remote  Warden's HTTP endpoint `<httpUrl>/conf-remote`, the fixture over HTTP as a remote upstream
// The three run at the same time. A scenario fails on any FAILURE or WARNING check (the suite's own
// baseline rule). Exits 1 when a direct result is a failure not in expected-server-failures.json,
// or an entry there passes (stale), or a scenario gave no result, or a Warden run's checks differ
// from the direct ones (id and status of every check that is not INFO).
// WARDEN_CONFORMANCE_HTTP=0 skips the Warden runs. Options: --scenario NAME (repeatable; one suite
// process each, --jobs at a time), --url URL (only this target, no fixture, no Warden), --jobs N,
// --preload-check (also run against a fixture that wants a bearer token, through bearer-preload.mjs),
// --keep (keep the suite's output and Warden's data dir).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { NODE22, ROOT, SUITE, baseEnv, listServerScenarios, runServerScenarios, startFixture } from './server-suite.mjs';
import { bearerEnv, startWardenTargets } from './warden-http-target.mjs';

const EXPECTED = join(ROOT, 'test', 'conformance', 'expected-server-failures.json');
const { values: options } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    url: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    'preload-check': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

function fail(sentence) {
  process.stderr.write(`conformance: ${sentence}\n`);
  process.exit(2);
}

if (!existsSync(NODE22) || !existsSync(SUITE)) fail('the suite is not installed; run: npm ci --prefix tools/conformance --no-audit --no-fund');
const withWarden = options.url === undefined && process.env.WARDEN_CONFORMANCE_HTTP !== '0';
if (withWarden && !existsSync(join(ROOT, 'dist', 'cli', 'stdio.mjs'))) fail('Warden is not built; run: node scripts/build.mjs');

const expected = JSON.parse(readFileSync(EXPECTED, 'utf8'));
for (const [name, reason] of Object.entries(expected)) {
  if (typeof reason !== 'string' || reason.trim() === '') fail(`${EXPECTED}: "${name}" needs its reason as a sentence`);
}
const outRoot = mkdtempSync(join(tmpdir(), 'warden-conf-server-'));
const starts = [];
const setupErrors = [];
let wanted = [];
let exitCode = 2;
/** Keeps what `promise` starts, so it is stopped however the run ends. */
const started = (promise) => (starts.push(promise), promise);
try {
  const begun = Date.now();
  // The listing, the fixtures and Warden start together; each target runs once it is up.
  const listing = listServerScenarios();
  const targetLists = [];
  if (options.url !== undefined) {
    targetLists.push(Promise.resolve([{ label: 'direct', url: options.url, env: baseEnv() }]));
  } else {
    const fixture = started(startFixture());
    targetLists.push(fixture.then((f) => [{ label: 'direct', url: f.url, env: baseEnv() }]));
    if (options['preload-check']) {
      const token = randomBytes(16).toString('hex');
      targetLists.push(started(startFixture(['--bearer', token])).then((g) => [{ label: 'bearer preload', url: g.url, env: bearerEnv(g.url, token) }]));
    }
    if (withWarden) {
      const fixtureUrl = fixture.then((f) => f.url);
      fixtureUrl.catch(() => undefined);
      const warden = started(startWardenTargets({ fixtureUrl, keep: options.keep }));
      const ready = async () => {
        try {
          const { targets, dataDir } = await warden;
          if (options.keep) process.stderr.write(`Warden's data dir: ${dataDir}\n`);
          return targets;
        } catch (error) {
          setupErrors.push(`the Warden runs could not start: ${error.message}`);
          return [];
        }
      };
      targetLists.push(ready());
    }
  }
  const all = await listing;
  wanted = options.scenario ?? all;
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0) throw new Error(`unknown server scenario(s) ${unknown.join(', ')}; the suite has: ${all.join(', ')}`);
  const runTarget = async (target) => {
    const outDir = join(outRoot, target.label.replace(/\W+/g, '-'));
    const run = await runServerScenarios({ url: target.url, scenarios: wanted, all: options.scenario === undefined, env: target.env, outDir, jobs: Number(options.jobs) || 2 });
    process.stderr.write(`${target.label}: ${run.results.size} of ${wanted.length} scenarios ran (${target.url})\n`);
    return { ...target, ...run };
  };
  const runs = (await Promise.all(targetLists.map(async (list) => Promise.all((await list).map(runTarget))))).flat();
  exitCode = report(runs, Date.now() - begun);
} catch (error) {
  process.stderr.write(`conformance: ${error.message}\n`);
} finally {
  for (const result of await Promise.allSettled(starts)) if (result.status === 'fulfilled') result.value.stop();
  if (options.keep) process.stderr.write(`suite output kept in ${outRoot}\n`);
  else rmSync(outRoot, { recursive: true, force: true });
}
process.exit(exitCode);

/** What counts when comparing two runs of a scenario: every check's id and status but INFO ones. */
function signature(checks) {
  return checks
    .filter((check) => check.status !== 'INFO')
    .map((check) => `${check.id}=${check.status}`)
    .sort()
    .join(', ');
}

function failedChecks(checks) {
  return checks.filter((check) => check.status === 'FAILURE' || check.status === 'WARNING');
}

/** Prints the table and the details; returns the exit code. */
function report(runs, elapsedMs) {
  const [direct, ...others] = runs;
  const problems = [...setupErrors];
  const rows = [];
  for (const name of wanted) {
    const checks = direct.results.get(name);
    const failed = checks ? failedChecks(checks) : [];
    let verdict = !checks ? 'NONE' : failed.length === 0 ? 'pass' : 'fail';
    if (expected[name] && verdict === 'fail') verdict = 'expected';
    else if (expected[name] && verdict === 'pass') verdict = 'STALE';
    if (verdict === 'NONE') problems.push(`${name}: the direct run wrote no checks`);
    if (verdict === 'fail') problems.push(`${name} fails directly: ${failed.map((c) => `${c.id} (${c.status}): ${c.errorMessage ?? c.description}`).join('; ')}`);
    if (verdict === 'STALE') problems.push(`${name} passes now; remove its entry from expected-server-failures.json`);
    const cells = [verdict];
    for (const other of others) {
      const theirs = other.results.get(name);
      if (!theirs) {
        cells.push('NONE');
        problems.push(`${name}: the ${other.label} run wrote no checks`);
      } else if (checks && signature(theirs) === signature(checks)) {
        cells.push('same');
      } else {
        cells.push('DIFFERS');
        problems.push(`${name} through ${other.label}: ${signature(theirs) || '(no checks)'}; directly: ${checks ? signature(checks) : '(none)'}${describe(failedChecks(theirs))}`);
      }
    }
    rows.push([name, ...cells, failed.map((c) => `${c.id} (${c.status.toLowerCase()})`).join(', ') || '-']);
  }
  const header = ['SCENARIO', ...runs.map((run) => run.label.toUpperCase()), 'CHECKS FAILED DIRECTLY'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  process.stdout.write(`\n${line(header)}\n${rows.map(line).join('\n')}\n`);
  for (const [name, reason] of Object.entries(expected)) if (wanted.includes(name)) process.stdout.write(`\nexpected: ${name}: ${reason}\n`);
  for (const run of runs) if (run.results.size < wanted.length) process.stdout.write(`\n${run.label} output (tail):\n${run.output.slice(-1500)}\n`);
  for (const problem of problems) process.stdout.write(`\n${problem}\n`);
  const passed = rows.filter((row) => row[1] === 'pass').length;
  const expectedCount = rows.filter((row) => row[1] === 'expected').length;
  process.stdout.write(`\n${passed} passed, ${expectedCount} expected failures directly; ${others.length} other target(s); ${problems.length} problem(s); ${(elapsedMs / 1000).toFixed(1)} s\n`);
  if (!withWarden && options.url === undefined) process.stdout.write('the Warden runs were skipped (WARDEN_CONFORMANCE_HTTP=0)\n');
  return problems.length > 0 ? 1 : 0;
}

function describe(failed) {
  return failed.length === 0 ? '' : ` (${failed.map((c) => `${c.id}: ${c.errorMessage ?? c.description}`).join('; ')})`;
}
