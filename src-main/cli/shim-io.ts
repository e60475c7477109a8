/**
 * The shim's relay plumbing: reusable read buffers, standard input as a source that reads into
 * them, and a write that lends a buffer out while the destination still holds its bytes. So
 * relaying allocates nothing per message however large the messages are.
 *
 * Node built-ins only: this file is part of the shim's bundle.
 */
import { fstatSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import type { Writable } from 'node:stream';

const CHUNK = 64 * 1024;

/**
 * A few reusable read buffers for one direction. A buffer is busy from the read that fills it
 * until the write of its bytes completes; reading pauses only when all are busy.
 */
export class BufferPool {
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
export interface Source {
  onChunk: (chunk: Buffer) => boolean;
  onEnd: () => void;
  resume(): void;
  destroy(): void;
}

/** Standard input as a source reading into pooled buffers (pipes and sockets). */
export function stdinSource(pool: BufferPool): Source {
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
export function forward(destination: Writable, chunk: Buffer, pool: BufferPool, source: { resume(): void }): boolean {
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
