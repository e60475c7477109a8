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
import { join, resolve } from 'node:path';
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

if (resolve(process.execPath) === resolve(NODE22)) fail("run me with the system Node (npm run conformance), not the suite's Node 22");
if (!existsSync(NODE22) || !existsSync(SUITE)) fail('the suite is not installed; run: npm ci --prefix tools/conformance --no-audit --no-fund');
const withWarden = options.url === undefined && process.env.WARDEN_CONFORMANCE_HTTP !== '0';
if (withWarden && !existsSync(join(ROOT, 'dist', 'cli', 'stdio.mjs'))) fail('Warden is not built; run: node scripts/build.mjs');

const expected = JSON.parse(readFileSync(EXPECTED, 'utf8'));
for (const [name, reason] of Object.entries(expected)) {
  if (typeof reason !== 'string' || reason.trim() === '') fail(`${EXPECTED}: "${name}" needs its reason as a sentence`);
}
const all = listServerScenarios();
const wanted = options.scenario ?? all;
for (const name of wanted) if (!all.includes(name)) fail(`unknown server scenario "${name}"; the suite has: ${all.join(', ')}`);

const outRoot = mkdtempSync(join(tmpdir(), 'warden-conf-server-'));
const stops = [];
const targets = [];
const setupErrors = [];
let exitCode = 2;
try {
  if (options.url !== undefined) {
    targets.push({ label: 'direct', url: options.url, env: baseEnv() });
  } else {
    const fixture = await startFixture();
    stops.push(fixture.stop);
    targets.push({ label: 'direct', url: fixture.url, env: baseEnv() });
    if (options['preload-check']) {
      const token = randomBytes(16).toString('hex');
      const guarded = await startFixture(['--bearer', token]);
      stops.push(guarded.stop);
      targets.push({ label: 'bearer preload', url: guarded.url, env: bearerEnv(guarded.url, token) });
    }
    if (withWarden) {
      try {
        const warden = await startWardenTargets({ fixtureUrl: fixture.url, keep: options.keep });
        stops.push(warden.stop);
        targets.push(...warden.targets);
        if (options.keep) process.stderr.write(`Warden's data dir: ${warden.dataDir}\n`);
      } catch (error) {
        setupErrors.push(`the Warden runs could not start: ${error.message}`);
      }
    }
  }
  const started = Date.now();
  const runs = await Promise.all(
    targets.map(async (target, i) => {
      const run = await runServerScenarios({ url: target.url, scenarios: wanted, all: options.scenario === undefined, env: target.env, outDir: join(outRoot, String(i)), jobs: Number(options.jobs) || 2 });
      process.stderr.write(`${target.label}: ${run.results.size} of ${wanted.length} scenarios ran (${target.url})\n`);
      return { ...target, ...run };
    }),
  );
  exitCode = report(runs, Date.now() - started);
} catch (error) {
  process.stderr.write(`conformance: ${error.message}\n`);
} finally {
  for (const stop of stops) stop();
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
