import { SCAN_LIMIT, peekLine, peekParts, type Peek } from './line-peek.js';

/** Lines up to this size that span reads are kept whole (so a handshake can be copied). */
export const WHOLE_LINE_BYTES = 16 * 1024;

/**
 * Called at the end of each line. `line[start, end)` is the whole line (without its newline)
 * when it is at hand, only until the call returns (it lives in a reused buffer); undefined for
 * a line longer than WHOLE_LINE_BYTES that spanned reads.
 */
export type LineListener = (peek: Peek, line: Buffer | undefined, start: number, end: number) => void;

/**
 * Follows the line boundaries of a byte stream that is relayed chunk by chunk, peeking at each
 * line as it ends, without holding the stream: a line inside one chunk is peeked where it is;
 * of a line that spans chunks only the first WHOLE_LINE_BYTES and the last SCAN_LIMIT bytes
 * are copied, into two buffers allocated once.
 */
export class LineTracker {
  private readonly head = Buffer.allocUnsafe(WHOLE_LINE_BYTES);
  private readonly tail = Buffer.allocUnsafe(SCAN_LIMIT);
  private tailLength = 0;
  /** Bytes of the current line seen in earlier chunks; 0 at a line start. */
  private carried = 0;

  constructor(
    private readonly onLine: LineListener,
    /** For a reader that only needs responses (see peekLine). */
    private readonly responsesOnly = false,
  ) {}

  /** Whether part of a line has been seen but not its end. */
  get midLine(): boolean {
    return this.carried > 0;
  }

  /** Follows `chunk[from, to)`, calling the listener for each line that ends in it. */
  push(chunk: Buffer, from = 0, to = chunk.length): void {
    let start = from;
    while (start < to) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1 || nl >= to) {
        this.carry(chunk, start, to);
        return;
      }
      if (this.carried === 0) {
        this.onLine(peekLine(chunk, start, nl, this.responsesOnly), chunk, start, nl);
      } else {
        this.carry(chunk, start, nl);
        this.endCarried();
      }
      start = nl + 1;
    }
  }

  /** Forgets the current partial line (its bytes went nowhere, or were dropped). */
  reset(): void {
    this.carried = 0;
    this.tailLength = 0;
  }

  private endCarried(): void {
    const total = this.carried;
    this.reset();
    if (total <= WHOLE_LINE_BYTES) this.onLine(peekLine(this.head, 0, total, this.responsesOnly), this.head, 0, total);
    else this.onLine(peekParts(this.head, WHOLE_LINE_BYTES, this.tail, this.tailLength), undefined, 0, 0);
  }

  private carry(chunk: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.carried < WHOLE_LINE_BYTES) chunk.copy(this.head, this.carried, start, Math.min(end, start + WHOLE_LINE_BYTES - this.carried));
    if (length >= SCAN_LIMIT) {
      chunk.copy(this.tail, 0, end - SCAN_LIMIT, end);
      this.tailLength = SCAN_LIMIT;
    } else {
      const keep = Math.min(this.tailLength, SCAN_LIMIT - length);
      this.tail.copyWithin(0, this.tailLength - keep, this.tailLength);
      chunk.copy(this.tail, keep, start, end);
      this.tailLength = keep + length;
    }
    this.carried += length;
  }
}
