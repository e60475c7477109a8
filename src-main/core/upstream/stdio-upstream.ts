import type { ChildProcess } from 'node:child_process';
import { LineSplitter } from '../jsonrpc/line-splitter.js';
import { guarded } from '../errors/guarded.js';
import type { CappedLog } from './capped-log.js';
import { StreamRedactor, type StreamRedaction } from './stream-redactor.js';
import type { Upstream, UpstreamHandlers } from './upstream.js';

/** Starts a process; tests and the composition root pass `child_process.spawn`. */
export type Spawner = (
  command: string,
  args: readonly string[],
  options: { env: Record<string, string>; cwd?: string; stdio: ['pipe', 'pipe', 'pipe']; windowsHide: boolean },
) => ChildProcess;

export type { UpstreamHandlers } from './upstream.js';

export interface StdioLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** Largest line an upstream may print; a longer one is dropped and reported. */
const MAX_UPSTREAM_LINE = 64 * 1024 * 1024;
/** How long a process gets after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * One running upstream process speaking newline-delimited JSON-RPC on stdio. Its stderr goes
 * to a capped per-server log, redacted across chunk boundaries. Backpressure: when the consumer
 * is slow the caller pauses stdout. Every listener confines its own failures to the server log.
 */
export class StdioUpstream implements Upstream {
  private readonly child: ChildProcess;
  private exited = false;
  private exitReason = '';
  private stopping = false;
  private readonly stderr: StreamRedactor;

  constructor(
    readonly serverName: string,
    launch: StdioLaunch,
    spawn: Spawner,
    private readonly log: CappedLog,
    private readonly redaction: StreamRedaction,
    private readonly handlers: UpstreamHandlers,
  ) {
    this.child = spawn(launch.command, launch.args, {
      env: launch.env,
      cwd: launch.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const splitter = new LineSplitter(
      {
        onLine: (line, length) => handlers.onLine(line, length),
        onOversize: (_head, bytes) =>
          this.note(`dropped a ${bytes}-byte line from stdout: larger than ${MAX_UPSTREAM_LINE} bytes`),
      },
      MAX_UPSTREAM_LINE,
    );
    const report = (text: string): void => this.note(text);
    this.stderr = new StreamRedactor(redaction, (text) => this.log.write(text));
    this.child.stdout?.on('data', guarded(report, 'reading stdout', (chunk: Buffer) => splitter.push(chunk)));
    this.child.stderr?.on('data', guarded(report, 'reading stderr', (chunk: Buffer) => this.stderr.push(chunk)));
    this.child.stderr?.on('end', guarded(report, 'ending stderr', () => this.stderr.end()));
    this.child.stdout?.on('error', guarded(report, 'stdout', (error: Error) => this.note(`stdout: ${error.message}`)));
    this.child.stderr?.on('error', guarded(report, 'stderr', (error: Error) => this.note(`stderr: ${error.message}`)));
    // A write to a process that already died raises EPIPE here; the exit handler reports it.
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', guarded(report, 'starting the process', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT'
          ? `could not start upstream "${serverName}": command "${launch.command}" was not found`
          : `could not start upstream "${serverName}": ${error.code ?? 'spawn failed'}`;
      this.finish(reason);
    }));
    this.child.on('exit', guarded(report, 'the exit handler', (code: number | null, signal: NodeJS.Signals | null) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.finish(`upstream "${serverName}" ${how}`);
    }));
    this.note(`started: ${launch.command} (pid ${this.child.pid ?? 'none'})`);
  }

  get alive(): boolean {
    return !this.exited;
  }

  get reason(): string {
    return this.exitReason;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Writes messages in one system call where the OS allows; returns false when the pipe is
   * full (wait for `onDrain`).
   */
  write(messages: ReadonlyArray<string | Buffer>): boolean {
    const stdin = this.child.stdin;
    if (this.exited || !stdin) return true;
    if (messages.length === 1) return stdin.write(messages[0] as string | Buffer);
    stdin.cork();
    let ok = true;
    for (const message of messages) ok = stdin.write(message) && ok;
    stdin.uncork();
    return ok;
  }

  onDrain(callback: () => void): void {
    this.child.stdin?.once('drain', callback);
  }

  pauseOutput(): void {
    this.child.stdout?.pause();
  }

  resumeOutput(): void {
    this.child.stdout?.resume();
  }

  /** Notes a line in the server log (for non-JSON output and lifecycle events). */
  note(text: string): void {
    this.log.write(`[warden ${new Date().toISOString()}] ${this.redaction.redact(text)}\n`);
  }

  /**
   * Ends the process: closes stdin (the MCP stdio way to ask a server to stop), then SIGTERM,
   * then SIGKILL after a grace period. Resolves when it has exited.
   */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    this.stopping = true;
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve());
      this.child.stdin?.end();
      const report = (text: string): void => this.note(text);
      const term = setTimeout(guarded(report, 'SIGTERM', () => this.child.kill('SIGTERM')), 200);
      const kill = setTimeout(guarded(report, 'SIGKILL', () => this.child.kill('SIGKILL')), KILL_GRACE_MS);
      term.unref();
      kill.unref();
      this.child.once('exit', () => {
        clearTimeout(term);
        clearTimeout(kill);
      });
    });
  }

  private finish(reason: string): void {
    if (this.exited) return;
    this.exited = true;
    this.exitReason = reason;
    this.note(reason);
    this.handlers.onExit(reason, this.stopping);
  }
}
