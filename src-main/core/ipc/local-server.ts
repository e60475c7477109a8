import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Hello } from './hello.js';
import { MAX_HELLO_BYTES } from './hello.js';

/**
 * What the server does with a connection once its hello line is read. Connections are
 * half-open: for a client hello the handler also owns what happens when the shim ends its
 * side (its replies in flight must still reach it); for any other hello the server ends its
 * side when the peer ends.
 */
export type HelloHandler = (hello: Hello, socket: Socket, rest: Buffer) => void;

const HELLO_TIMEOUT_MS = 10_000;

/**
 * Listens on the local socket (0600, in a 0700 folder) or named pipe, reads each connection's
 * hello line and hands the connection on. A connection that sends no valid hello in time is
 * closed with a one-line reason.
 */
export class LocalServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly path: string,
    private readonly onHello: HelloHandler,
    private readonly note: (text: string) => void = () => undefined,
  ) {
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  /** Starts listening; a stale socket file left by a dead core is replaced. */
  async listen(): Promise<void> {
    if (process.platform !== 'win32') {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      if (existsSync(this.path)) unlinkSync(this.path);
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.path, () => {
        this.server.off('error', reject);
        // Later errors (an accept failing with EMFILE) are the listener's own, not a crash.
        this.server.on('error', (error: NodeJS.ErrnoException) => this.note(`the local socket: ${error.code ?? error.message}`));
        resolve();
      });
    });
    if (process.platform !== 'win32') chmodSync(this.path, 0o600);
  }

  /** Stops accepting, ends every connection and removes the socket file. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let halfOpen = false;
    socket.on('end', () => {
      if (!halfOpen) socket.end();
    });
    const parts: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => refuse('no hello line within 10 s'), HELLO_TIMEOUT_MS);
    const refuse = (why: string): void => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.end(JSON.stringify({ warden: 1, ok: false, error: why }) + '\n');
    };
    const onData = (chunk: Buffer): void => {
      const nl = chunk.indexOf(0x0a);
      if (nl === -1) {
        parts.push(chunk);
        size += chunk.length;
        if (size > MAX_HELLO_BYTES) refuse('the hello line is too long');
        return;
      }
      clearTimeout(timer);
      socket.removeListener('data', onData);
      parts.push(chunk.subarray(0, nl));
      const rest = chunk.subarray(nl + 1);
      let hello: unknown;
      try {
        hello = JSON.parse(Buffer.concat(parts).toString('utf8'));
      } catch {
        refuse('the hello line is not JSON; is this an MCP client talking to the Warden socket directly? Launch "warden stdio" instead');
        return;
      }
      if (!isHello(hello)) {
        refuse('the hello line is not a Warden hello; update the shim and the app together');
        return;
      }
      halfOpen = hello.type === 'client';
      this.onHello(hello, socket, rest);
    };
    socket.on('data', onData);
  }
}

function isHello(value: unknown): value is Hello {
  if (typeof value !== 'object' || value === null) return false;
  const hello = value as Record<string, unknown>;
  if (hello.warden !== 1) return false;
  if (hello.type === 'client') return hello.server === undefined || typeof hello.server === 'string';
  return hello.type === 'admin';
}
