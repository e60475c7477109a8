import type { Peek } from './line-peek.js';
import type { Source } from './shim-io.js';

/** Most bytes held from the client while no core takes them; past it, reading stdin pauses. */
export const MAX_HELD = 8 * 1024 * 1024;

/** A client line that ended while held. */
export interface HeldLine {
  peek: Peek;
  /** A copy of the line when it is an initialize request to capture once sent. */
  initialize: Buffer | undefined;
}

/**
 * What the client sent while no core connection was ready to take it: copies of the chunks
 * (the read buffers are reused), and what each line that ended in them was. Bounded: past
 * MAX_HELD bytes the input pauses until the held bytes are taken; nothing is dropped.
 *
 * Node built-ins only: this file is part of the shim's bundle.
 */
export class HeldInput {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private lines: HeldLine[] = [];
  private paused = false;

  /** `onFirst` runs when something is held while nothing was. */
  constructor(
    private readonly input: Source,
    private readonly onFirst: () => void,
  ) {}

  get empty(): boolean {
    return this.chunks.length === 0;
  }

  /** Keeps a copy of `chunk`; false when the input must pause (it resumes on `take`). */
  add(chunk: Buffer): boolean {
    if (this.empty) this.onFirst();
    this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    if (this.bytes < MAX_HELD) return true;
    this.paused = true;
    return false;
  }

  /** Notes a line that ended in the held bytes. */
  addLine(line: HeldLine): void {
    this.lines.push(line);
  }

  /** Puts a whole line (with its newline) before everything held. */
  unshift(bytes: Buffer, line: HeldLine): void {
    if (this.empty) this.onFirst();
    this.chunks.unshift(bytes);
    this.bytes += bytes.length;
    this.lines.unshift(line);
  }

  /** Hands over everything held, in order, and forgets it; a paused input resumes. */
  take(): { chunks: Buffer[]; lines: HeldLine[] } {
    const taken = { chunks: this.chunks, lines: this.lines };
    this.chunks = [];
    this.bytes = 0;
    this.lines = [];
    if (this.paused) {
      this.paused = false;
      this.input.resume();
    }
    return taken;
  }
}
