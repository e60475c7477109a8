import type { Source } from './shim-io.js';

/** Most bytes read while waiting for a request to answer with the failure. */
const MAX_FAILURE_READ = 8 * 1024 * 1024;
const FAILURE_WAIT_MS = 5000;

/**
 * Reports a fatal failure (bad arguments, a core that cannot start, a refused hello): one line
 * on stderr, and an answer to the client's first request (in `held`, or the next one to
 * arrive within 5 s), so the client shows this sentence rather than "server disconnected".
 * Then exits with 1.
 */
export function reportFailure(message: string, input: Source, held: readonly Buffer[]): void {
  process.stderr.write(`warden: ${message}\n`);
  process.exitCode = 1;
  let buffered = Buffer.concat(held);
  const finish = (): void => {
    input.destroy();
    setImmediate(() => process.exit(1));
  };
  const answer = (): boolean => {
    const nl = buffered.indexOf(0x0a);
    if (nl === -1) return false;
    let id: unknown = null;
    try {
      id = (JSON.parse(buffered.toString('utf8', 0, nl)) as { id?: unknown }).id ?? null;
    } catch {
      // An unreadable request is answered with id null.
    }
    const reply = { jsonrpc: '2.0', id, error: { code: -32001, message: `MCP Warden: ${message}` } };
    process.stdout.write(JSON.stringify(reply) + '\n', finish);
    return true;
  };
  if (answer()) return;
  input.onChunk = (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length > MAX_FAILURE_READ) finish();
    else answer();
    return true;
  };
  input.onEnd = finish;
  input.resume();
  setTimeout(finish, FAILURE_WAIT_MS).unref();
}
