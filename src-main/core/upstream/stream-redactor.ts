import { StringDecoder } from 'node:string_decoder';

/** The redactor a stream needs: whole-text redaction, and how much of an end to hold back. */
export interface StreamRedaction {
  redact(text: string): string;
  /** Length of the end of `text` that could be the start of a secret value (see `Redactor`). */
  unfinishedSuffix(text: string): number;
}

/**
 * Redacts a byte stream (an upstream's stderr) that arrives in arbitrary chunks: UTF-8 is
 * decoded across chunk boundaries, and the end of what arrived is held back, unwritten, while
 * it could be the beginning of a secret value, so a value split across writes or 64 KiB
 * reads is still replaced whole. What is held is at most one character shorter than the
 * longest secret, so memory stays bounded and everything else is written at once.
 * `end()` writes what is held (the stream ended: no secret can be completed any more).
 *
 * Limit: when a secret's value begins with another whole secret's value and the stream is cut
 * right after the shorter one, the shorter is replaced and the rest of the longer is written.
 */
export class StreamRedactor {
  private readonly decoder = new StringDecoder('utf8');
  private held = '';

  constructor(
    private readonly redaction: StreamRedaction,
    private readonly write: (text: string) => void,
  ) {}

  push(chunk: Buffer): void {
    this.drain(this.held + this.decoder.write(chunk), false);
  }

  end(): void {
    this.drain(this.held + this.decoder.end(), true);
  }

  private drain(text: string, final: boolean): void {
    // Redact first, then hold back: a complete value anywhere (even across the old cut) is
    // already replaced, and only an unfinished one at the very end is kept for later.
    const redacted = this.redaction.redact(text);
    const hold = final ? 0 : this.redaction.unfinishedSuffix(redacted);
    this.held = redacted.slice(redacted.length - hold);
    const ready = redacted.slice(0, redacted.length - hold);
    if (ready !== '') this.write(ready);
  }
}
