// Warden as the target of the server scenarios: a `warden daemon --http-port 0` in a temp data dir
// serving the conformance server twice, as a stdio upstream ("conf") and as a remote one
// ("conf-remote", the fixture over HTTP), each with calls no rule covers allowed, and a client key
// per upstream (the suite never ends its sessions: a key of its own keeps each run's count apart).
// The suite reaches `<httpUrl>/<server>` with the key added by bearer-preload.mjs.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { FIXTURE, ROOT, baseEnv } from './server-suite.mjs';

const WARDEN = join(ROOT, 'bin', 'warden.mjs');
const PRELOAD = join(ROOT, 'test', 'conformance', 'bearer-preload.mjs');
const SKIP = 'WARDEN_CONFORMANCE_HTTP=0 skips the Warden runs';
const SESSIONS_PER_KEY = 200;
const run = promisify(execFile);

/** The suite's environment for a target behind a bearer key (the preload reads these). */
export function bearerEnv(url, key) {
  return baseEnv({ NODE_OPTIONS: `--import ${pathToFileURL(PRELOAD).href}`, WARDEN_CONFORMANCE_BEARER: key, WARDEN_CONFORMANCE_ORIGIN: new URL(url).origin });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function waitForSocket(dataDir, daemon, logTail) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) throw new Error(`warden daemon --http-port 0 exited (${daemon.exitCode}): ${logTail()}; ${SKIP}`);
    const up = await new Promise((done) => {
      const socket = connect(join(dataDir, 'warden.sock'));
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error(`the Warden daemon did not start within 15 s: ${logTail()}`);
}

/**
 * Starts the daemon, then adds both upstreams (the remote one at the URL `fixtureUrl` resolves
 * to, awaited only then, so the fixture and the daemon start together) and their keys.
 * @returns {Promise<{ targets: { label: string, url: string, env: object }[], stop: () => void, dataDir: string }>}
 * @throws when the daemon or a setup command fails, with the sentence to show.
 */
export async function startWardenTargets({ fixtureUrl, keep }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-conf-http-'));
  const logFile = join(dataDir, 'daemon.log');
  const env = baseEnv({ WARDEN_HOME: dataDir });
  const warden = async (args) => {
    try {
      return (await run(process.execPath, [WARDEN, ...args], { env, timeout: 20_000 })).stdout.trim();
    } catch (error) {
      throw new Error(`warden ${args.slice(0, 2).join(' ')} failed: ${(error.stderr || error.stdout || error.message).trim()}`);
    }
  };
  const logTail = () => readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ') || '(its log is empty)';
  const log = openSync(logFile, 'a');
  // No pipe of ours: the daemon outlives nothing of the suite's, and has its own process group.
  const daemon = spawn(process.execPath, [WARDEN, 'daemon', '--http-port', '0'], { env, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const stop = () => {
    spawnSync(process.execPath, [WARDEN, 'stop'], { env, timeout: 15_000 });
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForSocket(dataDir, daemon, logTail);
    let status = {};
    for (const deadline = Date.now() + 10_000; typeof status.httpUrl !== 'string' && Date.now() < deadline; await sleep(100)) {
      status = JSON.parse(await warden(['status', '--json']));
    }
    if (typeof status.httpUrl !== 'string') throw new Error(`warden status --json shows no httpUrl: ${status.httpProblem ?? logTail()}; ${SKIP}`);
    const remoteUrl = await fixtureUrl;
    const [keyStdio, keyRemote] = await Promise.all([
      warden(['client', 'add', 'conformance-stdio']),
      warden(['client', 'add', 'conformance-remote']),
      // The suite never ends a session (about 35 a run, each an initialize of its own): above the default.
      warden(['settings', 'set', 'maxHttpSessionsPerKey', String(SESSIONS_PER_KEY)]),
      warden(['server', 'add', 'conf', '--command', process.execPath, '--arg', FIXTURE, '--default-action', 'allow']),
      warden(['server', 'add', 'conf-remote', '--url', remoteUrl, '--transport', 'http', '--default-action', 'allow']),
    ]);
    const base = status.httpUrl.replace(/\/+$/, '');
    const targets = [
      { label: 'warden stdio', url: `${base}/conf`, env: bearerEnv(base, keyStdio) },
      { label: 'warden remote', url: `${base}/conf-remote`, env: bearerEnv(base, keyRemote) },
    ];
    return { targets, stop, dataDir };
  } catch (error) {
    stop();
    throw error;
  }
}
