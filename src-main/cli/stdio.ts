/**
 * `warden stdio --server NAME`: what an MCP client launches instead of the server. It reaches
 * the Warden core on the local socket (starting the core when it is not running), presents
 * the client key from WARDEN_CLIENT_KEY, and then relays bytes both ways without parsing them:
 * every check happens once, in the core. ShimRelay keeps the session across core restarts.
 *
 * This file is its own small bundle: Node built-ins only, no SDK, no zod, no sqlite.
 *
 * V8 optimizes the shim like any Node process: most of its CPU is Node's own stream code
 * around each read and write, which runs at half the cost optimized (bench/shim-cpu.mjs). The
 * price is ~3 MiB of private memory per shim; RSS shows ~5, the rest being pages of the node
 * binary (the optimizing compiler) shared with every other Node process.
 */
import { resolveDataDir, socketPath } from '../core/paths.js';
import { connectOrStart } from './connect-or-start.js';
import { ShimRelay } from './shim-relay.js';

interface ShimArgs {
  server: string | undefined;
  dataDir: string | undefined;
}

function parseShimArgs(argv: readonly string[]): ShimArgs | string {
  const args: ShimArgs = { server: undefined, dataDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (flag !== '--server' && flag !== '--data-dir') {
      return `unknown option "${arg}"; usage: warden stdio [--server NAME] [--data-dir DIR] (no --server: one session over every server)`;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return `${flag} needs a value`;
    if (flag === '--server') args.server = value;
    else args.dataDir = value;
  }
  return args;
}

function main(): void {
  // First, so what the client sends is held while the rest starts.
  const relay = new ShimRelay();
  const args = parseShimArgs(process.argv.slice(2));
  if (typeof args === 'string') return relay.fail(args);
  const key = process.env.WARDEN_CLIENT_KEY;
  if (!key) return relay.fail('WARDEN_CLIENT_KEY is not set; create a key with: warden client add NAME');
  const dataDir = resolveDataDir(args.dataDir);
  const path = socketPath(dataDir);
  const wardenScript = new URL('./warden.mjs', import.meta.url);
  void relay.start({
    key,
    server: args.server,
    connect: (start, onread) => connectOrStart(dataDir, path, wardenScript, start, onread),
  });
}

main();
