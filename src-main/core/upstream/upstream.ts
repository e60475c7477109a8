/**
 * An upstream MCP server as the session sees it: a local process or a remote connection.
 * Messages go in as serialized lines and come out as lines; an ending is reported once.
 */
export interface Upstream {
  readonly alive: boolean;
  readonly pid: number | undefined;
  /** Sends messages; returns false when the upstream cannot take more now (wait for `onDrain`). */
  write(messages: ReadonlyArray<string | Buffer>): boolean;
  onDrain(callback: () => void): void;
  pauseOutput(): void;
  resumeOutput(): void;
  /** Notes a line in the server's log. */
  note(text: string): void;
  /** Ends it; resolves when it has ended. */
  stop(): Promise<void>;
}

export interface UpstreamHandlers {
  /** One message from the upstream (including a trailing newline) and its length without it. */
  onLine(line: Buffer, length: number): void;
  /**
   * The upstream ended (or could not start); `reason` is a sentence without secrets, and
   * `expected` is true when Warden asked it to stop.
   */
  onExit(reason: string, expected: boolean): void;
}
