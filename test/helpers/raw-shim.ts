import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { WARDEN_BIN } from './warden-harness.js';

/**
 * The real shim process driven line by line, for input no SDK client would send.
 */
export class RawShim {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Array<Record<string, unknown>> = [];
  stderr = '';
  private buffer = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>, args: string[]) {
    this.child = spawn(process.execPath, [WARDEN_BIN, 'stdio', ...args], { env });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        this.lines.push(JSON.parse(this.buffer.slice(0, nl)) as Record<string, unknown>);
        this.buffer = this.buffer.slice(nl + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(text: string | Buffer): void {
    this.child.stdin.write(text);
  }

  sendJson(message: unknown): void {
    this.send(JSON.stringify(message) + '\n');
  }

  /** Waits for a line matching `match`, failing after `timeoutMs`. */
  async waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching line; got ${JSON.stringify(this.lines).slice(0, 2000)}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request and waits for the reply with its id. */
  async request(id: number | string, method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    this.sendJson({ jsonrpc: '2.0', id, method, params });
    return this.waitFor((line) => line.id === id);
  }

  /** Runs the MCP handshake. */
  async initialize(): Promise<void> {
    const reply = await this.request('init', 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'raw-test', version: '1' },
    });
    if (!reply.result) throw new Error(`initialize failed: ${JSON.stringify(reply)}`);
    this.sendJson({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  close(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}
