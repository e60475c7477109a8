/**
 * `warden stdio --server NAME`: what an MCP client launches instead of the server. It reaches
 * the Warden core on the local socket (starting the core when it is not running), presents
 * the client key from WARDEN_CLIENT_KEY, and then relays bytes both ways without parsing them:
 * every check happens once, in the core.
 *
 * Each direction reads into one reusable buffer and pauses its source while the destination
 * still holds that buffer, so relaying allocates nothing per message and the shim stays near
 * Node's own footprint however large the messages are.
 *
 * This file is its own small bundle: Node built-ins only, no SDK, no zod, no sqlite.
 */
import { fstatSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import type { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { resolveDataDir, socketPath } from '../core/paths.js';
import { connectOrStart } from './connect-or-start.js';

// The relay's work is native (libuv reads and writes); optimizing its few JavaScript lines
// saves nothing measurable but grows the shim by ~5 MiB of compiled code per process, and a
// client runs one shim per server. Set before any of our code runs hot.
setFlagsFromString('--no-opt');

const CHUNK = 64 * 1024;
/** Most bytes held from the client while the hello is answered or a failure is reported. */
const MAX_HELD = 8 * 1024 * 1024;

interface ShimArgs {
  server: string | undefined;
  dataDir: string | undefined;
}

/**
 * A few reusable read buffers for one direction. A buffer is busy from the read that fills it
 * until the write of its bytes completes; reading pauses only when all are busy.
 */
class BufferPool {
  private readonly free: Buffer[];
  private current: Buffer;

  constructor(count: number) {
    this.free = Array.from({ length: count }, () => Buffer.allocUnsafe(CHUNK));
    this.current = this.free.pop() as Buffer;
  }

  /** For `onread.buffer`: the buffer the next read fills. */
  readonly next = (): Buffer => this.current;

  /**
   * Lends out the buffer the last read filled, while a write still holds its bytes, and moves
   * reading to a free one. Returns the function that gives it back, or undefined when no
   * buffer is free (the caller then pauses reading until the write completes).
   */
  lend(): (() => void) | undefined {
    const lent = this.current;
    const replacement = this.free.pop();
    if (replacement === undefined) return undefined;
    this.current = replacement;
    return () => void this.free.push(lent);
  }
}

/** Something bytes come from, one chunk at a time; `onChunk` returning false pauses it. */
interface Source {
  onChunk: (chunk: Buffer) => boolean;
  onEnd: () => void;
  resume(): void;
  destroy(): void;
}

function parseShimArgs(argv: readonly string[]): ShimArgs | string {
  const args: ShimArgs = { server: undefined, dataDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (flag !== '--server' && flag !== '--data-dir') {
      return `unknown option "${arg}"; usage: warden stdio [--server NAME] [--data-dir DIR]`;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return `${flag} needs a value`;
    if (flag === '--server') args.server = value;
    else args.dataDir = value;
  }
  return args;
}

/** Standard input as a source reading into pooled buffers (pipes and sockets). */
function stdinSource(pool: BufferPool): Source {
  const source: Source = { onChunk: () => true, onEnd: () => undefined, resume: () => undefined, destroy: () => undefined };
  const stat = fstatSync(0);
  if (stat.isFIFO() || stat.isSocket()) {
    const onread: OnReadOpts = {
      buffer: pool.next,
      callback: (n, buffer) => source.onChunk((buffer as Buffer).subarray(0, n)),
    };
    // Node reads `onread` in the Socket constructor too (not only in connect()); @types/node
    // 20 lists it for connect() alone.
    const input = new Socket({ fd: 0, readable: true, writable: false, onread } as SocketConstructorOpts);
    input.on('end', () => source.onEnd());
    input.on('error', () => source.onEnd());
    source.resume = () => void input.resume();
    source.destroy = () => void input.destroy();
  } else {
    // A terminal or a file: rare for a shim, so the ordinary stream is fine.
    process.stdin.on('data', (chunk: Buffer) => {
      if (!source.onChunk(chunk)) process.stdin.pause();
    });
    process.stdin.on('end', () => source.onEnd());
    source.resume = () => void process.stdin.resume();
    source.destroy = () => void process.stdin.destroy();
  }
  return source;
}

/**
 * Writes a chunk that lives in a pooled buffer. When the destination could not take it at once
 * it still refers to the buffer, which is lent out until that write completes (its callback;
 * 'drain' would only come past the high-water mark). With no buffer left, the source pauses
 * until one comes back.
 */
function forward(destination: Writable, chunk: Buffer, pool: BufferPool, source: { resume(): void }): boolean {
  let giveBack: (() => void) | undefined;
  let written = false;
  destination.write(chunk, () => {
    written = true;
    giveBack?.();
  });
  if (destination.writableLength === 0 || written) return true;
  giveBack = pool.lend();
  if (giveBack !== undefined) return true;
  // Every buffer is out, the current one included: wait for this write.
  giveBack = () => source.resume();
  return false;
}

/**
 * Reports a failure: one line on stderr, and an answer to the client's first request, so the
 * client shows our sentence rather than "server disconnected". Then exits with 1.
 */
function fail(message: string, input: Source, held: Buffer[]): void {
  process.stderr.write(`warden: ${message}\n`);
  process.exitCode = 1;
  let buffered = Buffer.concat(held);
  const finish = (): void => {
    input.destroy();
    setImmediate(() => process.exit(1));
  };
  const answer = (): boolean => {
    const nl = buffered.indexOf(0x0a);
    if (nl === -1) return false;
    let id: unknown = null;
    try {
      id = (JSON.parse(buffered.toString('utf8', 0, nl)) as { id?: unknown }).id ?? null;
    } catch {
      // An unreadable request is answered with id null.
    }
    const reply = { jsonrpc: '2.0', id, error: { code: -32001, message: `MCP Warden: ${message}` } };
    process.stdout.write(JSON.stringify(reply) + '\n', finish);
    return true;
  };
  if (answer()) return;
  input.onChunk = (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length > MAX_HELD) finish();
    else answer();
    return true;
  };
  input.onEnd = finish;
  setTimeout(finish, 5000).unref();
}

async function main(): Promise<void> {
  const toCore = new BufferPool(4);
  const toClient = new BufferPool(4);
  const input = stdinSource(toCore);
  const held: Buffer[] = [];
  let heldBytes = 0;
  let inputEnded = false;
  // Until the core accepts us, keep copies of what the client sends (the buffer is reused).
  input.onChunk = (chunk) => {
    heldBytes += chunk.length;
    if (heldBytes <= MAX_HELD) held.push(Buffer.from(chunk));
    return true;
  };
  input.onEnd = () => {
    inputEnded = true;
  };

  const args = parseShimArgs(process.argv.slice(2));
  if (typeof args === 'string') return fail(args, input, held);
  const key = process.env.WARDEN_CLIENT_KEY;
  if (!key) return fail('WARDEN_CLIENT_KEY is not set; create a key with: warden client add NAME', input, held);

  const dataDir = resolveDataDir(args.dataDir);
  let onCoreChunk: (chunk: Buffer) => boolean = () => true;
  let core: Socket;
  try {
    core = await connectOrStart(dataDir, socketPath(dataDir), new URL('./warden.mjs', import.meta.url), true, {
      buffer: toClient.next,
      callback: (n, buffer) => onCoreChunk((buffer as Buffer).subarray(0, n)),
    });
  } catch (error) {
    return fail((error as Error).message, input, held);
  }
  core.on('error', () => undefined);
  core.write(JSON.stringify({ warden: 1, type: 'client', key, server: args.server }) + '\n');

  let head = Buffer.alloc(0);
  let relaying = false;
  onCoreChunk = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(0x0a);
    if (nl === -1) return true;
    let reply: { ok?: boolean; error?: string };
    try {
      reply = JSON.parse(head.toString('utf8', 0, nl)) as typeof reply;
    } catch {
      reply = { ok: false, error: 'the Warden core sent an unreadable reply; update the shim and the app together' };
    }
    if (reply.ok !== true) {
      core.destroy();
      fail(reply.error ?? 'the Warden core refused the connection', input, held);
      return false;
    }
    relaying = true;
    const rest = head.subarray(nl + 1);
    if (rest.length > 0) process.stdout.write(rest);
    onCoreChunk = (bytes) => forward(process.stdout, bytes, toClient, core);
    for (const chunk of held) core.write(chunk);
    held.length = 0;
    if (inputEnded) core.end();
    input.onChunk = (bytes) => forward(core, bytes, toCore, input);
    input.onEnd = () => {
      inputEnded = true;
      core.end();
    };
    return true;
  };
  process.stdout.on('error', () => core.destroy());
  core.on('close', () => {
    if (!relaying) return; // a refused hello is reported by fail()
    if (!inputEnded) {
      process.stderr.write('warden: the connection to the Warden core closed\n');
      process.exitCode = 1;
    }
    input.destroy();
    // Exit once everything written has left: an idle stdio handle must not keep us alive.
    process.stdout.write('', () => process.exit());
  });
}

void main();
