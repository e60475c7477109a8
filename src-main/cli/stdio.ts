/**
 * `warden stdio --server NAME`: what an MCP client launches instead of the server. It reaches
 * the Warden core on the local socket (starting the core when it is not running), presents
 * the client key from WARDEN_CLIENT_KEY, and then pipes bytes both ways without parsing them:
 * every check happens once, in the core.
 *
 * This file is its own small bundle: Node built-ins only, no SDK, no zod, no sqlite.
 */
import type { Socket } from 'node:net';
import { resolveDataDir, socketPath } from '../core/paths.js';
import { connectOrStart } from './connect-or-start.js';

let stdinEnded = false;

interface ShimArgs {
  server: string | undefined;
  dataDir: string | undefined;
}

function parseShimArgs(argv: readonly string[]): ShimArgs | string {
  const args: ShimArgs = { server: undefined, dataDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[i + 1];
    if (flag === '--server' || flag === '--data-dir') {
      if (value === undefined || value === '') return `${flag} needs a value`;
      if (inline === undefined) i++;
      if (flag === '--server') args.server = value;
      else args.dataDir = value;
    } else {
      return `unknown option "${arg}"; usage: warden stdio --server NAME [--data-dir DIR]`;
    }
  }
  return args;
}

function fail(message: string, pendingInput: Buffer[]): void {
  process.stderr.write(`warden: ${message}\n`);
  answerFirstRequest(message, pendingInput);
}

/**
 * Answers the client's first request with the failure, so the client shows our sentence
 * rather than "server disconnected", then exits.
 */
function answerFirstRequest(message: string, pendingInput: Buffer[]): void {
  let buffered = Buffer.concat(pendingInput);
  const done = (): void => {
    process.exitCode = 1;
    process.stdin.destroy();
  };
  const tryAnswer = (): boolean => {
    const nl = buffered.indexOf(0x0a);
    if (nl === -1) return false;
    let id: unknown = null;
    try {
      id = (JSON.parse(buffered.toString('utf8', 0, nl)) as { id?: unknown }).id ?? null;
    } catch {
      // Unreadable request: answer with id null.
    }
    const reply = { jsonrpc: '2.0', id, error: { code: -32001, message: `MCP Warden: ${message}` } };
    process.stdout.write(JSON.stringify(reply) + '\n', done);
    return true;
  };
  if (tryAnswer()) return;
  process.stdin.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length > 1024 * 1024) done();
    else tryAnswer();
  });
  process.stdin.on('end', done);
  setTimeout(done, 5000).unref();
}

async function main(): Promise<void> {
  const pendingInput: Buffer[] = [];
  const hold = (chunk: Buffer): void => {
    pendingInput.push(chunk);
  };
  process.stdin.on('data', hold);
  process.stdin.once('end', () => {
    stdinEnded = true;
  });

  const args = parseShimArgs(process.argv.slice(2));
  if (typeof args === 'string') return fail(args, pendingInput);
  if (args.server === undefined) {
    return fail('warden stdio needs --server NAME (one client entry per upstream server)', pendingInput);
  }
  const key = process.env.WARDEN_CLIENT_KEY;
  if (!key) return fail('WARDEN_CLIENT_KEY is not set; create a key with: warden client add NAME', pendingInput);

  const dataDir = resolveDataDir(args.dataDir);
  let socket: Socket;
  try {
    socket = await connectOrStart(dataDir, socketPath(dataDir), new URL('./warden.mjs', import.meta.url));
  } catch (error) {
    return fail((error as Error).message, pendingInput);
  }
  socket.write(JSON.stringify({ warden: 1, type: 'client', key, server: args.server }) + '\n');

  let head = Buffer.alloc(0);
  const onHelloReply = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(0x0a);
    if (nl === -1) return;
    socket.off('data', onHelloReply);
    let reply: { ok?: boolean; error?: string };
    try {
      reply = JSON.parse(head.toString('utf8', 0, nl)) as typeof reply;
    } catch {
      reply = { ok: false, error: 'the Warden core sent an unreadable reply; update the shim and the app together' };
    }
    if (reply.ok !== true) {
      socket.destroy();
      fail(reply.error ?? 'the Warden core refused the connection', pendingInput);
      return;
    }
    relay(socket, pendingInput, hold, head.subarray(nl + 1));
  };
  socket.on('data', onHelloReply);
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (process.exitCode === undefined && !process.stdin.readableEnded) {
      process.stderr.write('warden: the connection to the Warden core closed\n');
      process.exitCode = 1;
    }
    process.stdin.destroy();
  });
}

/** After a good hello: flush what the client already sent, then pipe both ways. */
function relay(socket: Socket, pendingInput: Buffer[], hold: (chunk: Buffer) => void, rest: Buffer): void {
  process.stdin.off('data', hold);
  for (const chunk of pendingInput) socket.write(chunk);
  pendingInput.length = 0;
  if (rest.length > 0) process.stdout.write(rest);
  if (stdinEnded) socket.end();
  else process.stdin.pipe(socket);
  socket.pipe(process.stdout);
  process.stdout.on('error', () => socket.destroy());
}

void main();
