/** What a splitter hands on for each line. */
export interface LineSink {
  /** A complete line: `line` includes its trailing "\n"; `length` excludes it. */
  onLine(line: Buffer, length: number): void;
  /** A line longer than the limit was dropped; `head` holds its first bytes, `bytes` its size. */
  onOversize(head: string, bytes: number): void;
}

const HEAD_BYTES = 512;
const NEWLINE = 0x0a;

/**
 * Splits a byte stream into newline-delimited lines without decoding it, so forwarding a line
 * unchanged costs no copy. A line over `maxBytes` is dropped as it streams (never buffered
 * whole) and reported once its end arrives.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private discarding = false;
  private discardHead = '';
  private discardBytes = 0;

  constructor(
    private readonly sink: LineSink,
    private maxBytes: number,
  ) {}

  setLimit(maxBytes: number): void {
    this.maxBytes = maxBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.finish(chunk, start, nl);
      start = nl + 1;
    }
  }

  private keep(piece: Buffer): void {
    if (this.discarding) {
      this.discardBytes += piece.length;
      return;
    }
    this.parts.push(piece);
    this.partBytes += piece.length;
    if (this.partBytes > this.maxBytes) {
      const whole = Buffer.concat(this.parts);
      this.discarding = true;
      this.discardHead = whole.toString('utf8', 0, Math.min(HEAD_BYTES, whole.length));
      this.discardBytes = whole.length;
      this.parts = [];
      this.partBytes = 0;
    }
  }

  private finish(chunk: Buffer, start: number, nl: number): void {
    if (this.discarding) {
      const bytes = this.discardBytes + (nl - start);
      const head = this.discardHead;
      this.discarding = false;
      this.discardHead = '';
      this.discardBytes = 0;
      this.sink.onOversize(head, bytes);
      return;
    }
    let line: Buffer;
    if (this.parts.length === 0) {
      line = chunk.subarray(start, nl + 1);
    } else {
      this.parts.push(chunk.subarray(start, nl + 1));
      line = Buffer.concat(this.parts);
      this.parts = [];
      this.partBytes = 0;
    }
    const length = line.length - 1;
    if (length > this.maxBytes) {
      this.sink.onOversize(line.toString('utf8', 0, Math.min(HEAD_BYTES, length)), length);
      return;
    }
    // Tolerate CRLF senders.
    const end = length > 0 && line[length - 1] === 0x0d ? length - 1 : length;
    if (end === 0) return;
    this.sink.onLine(line, end);
  }
}
