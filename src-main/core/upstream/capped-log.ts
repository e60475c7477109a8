import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only text log that rolls over to `FILE.1` past `maxBytes`, so a chatty upstream
 * can never fill the disk. Callers redact before writing.
 */
export class CappedLog {
  private fd: number | undefined;
  private size = 0;

  constructor(
    private readonly file: string,
    private readonly maxBytes = 1024 * 1024,
  ) {}

  write(text: string): void {
    try {
      if (this.fd === undefined) this.openFile();
      const bytes = Buffer.from(text, 'utf8');
      if (this.size + bytes.length > this.maxBytes) this.roll();
      writeSync(this.fd as number, bytes);
      this.size += bytes.length;
    } catch {
      // A log that cannot be written must not take a session down with it.
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private openFile(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.file, 'a', 0o600);
    try {
      this.size = statSync(this.file).size;
    } catch {
      this.size = 0;
    }
  }

  private roll(): void {
    this.close();
    renameSync(this.file, `${this.file}.1`);
    this.openFile();
  }
}
