import { ErrorCode, errorLine, MAX_UPSTREAM_DEPTH, parseMessage, type JsonRpcId } from '../jsonrpc/json-rpc.js';
import { filterList, isFilteredList } from './list-filter.js';
import { describe } from './pending-calls.js';
import type { SessionPort } from './session-port.js';

/** How long a tools/list refresh (for a call to a tool never listed) may take. */
const REFRESH_TIMEOUT_MS = 5000;
/** Most pages of tools/list a refresh follows. */
const REFRESH_PAGES = 10;

/**
 * What the upstream sends a session: answers to the client's requests (their rows completed,
 * lists filtered by policy and pins), Warden's own answers claimed, and everything else passed
 * to the client unchanged. A line Warden cannot classify is noted and, when it answers a
 * waiting request, replaced by an error naming the server.
 */
export class UpstreamInbound {
  private refreshing: Promise<void> | undefined;

  constructor(private readonly port: SessionPort) {}

  /** One upstream line, with its failure confined to it. */
  line(line: Buffer, length: number): void {
    try {
      this.handle(line, length);
    } catch (error) {
      this.port.options.note(`failed while handling a message from upstream "${this.port.options.serverName}": ${this.port.options.redact(describe(error))}`);
    }
  }

  private handle(line: Buffer, length: number): void {
    const { port } = this;
    const text = line.toString('utf8', 0, length);
    const parsed = parseMessage(text, MAX_UPSTREAM_DEPTH);
    if (!parsed.ok) {
      port.upstream.note(`ignored a line on stdout that is not a usable JSON-RPC message (${parsed.message}): ${port.options.redact(text.slice(0, 200))}`);
      if (parsed.id !== null) this.answerFromWarden(parsed.id, `upstream "${port.options.serverName}" sent an invalid reply: ${parsed.message}`);
      return;
    }
    const message = parsed.message;
    if (parsed.kind === 'response' && message.id !== null && message.id !== undefined) {
      if (port.upstream.claim(message)) return;
      const entry = port.pending.get(message.id);
      if (entry !== undefined) {
        port.pending.delete(message.id);
        port.rows.complete(entry, message, length);
        const result = message.result;
        if (result !== undefined && isFilteredList(entry.method) && this.filter(entry.method, result)) {
          port.toClient(JSON.stringify(message) + '\n');
        } else {
          port.toClient(line);
        }
        port.endIfDone();
        return;
      }
    }
    port.toClient(line);
  }

  /**
   * Asks the upstream for its tools again (one refresh at a time, following at most
   * {@link REFRESH_PAGES} pages), pinning what it lists. Never rejects.
   */
  refreshTools(): Promise<void> {
    const { port } = this;
    this.refreshing ??= (async () => {
      let cursor: string | undefined;
      for (let page = 0; page < REFRESH_PAGES; page++) {
        const answer = await port.upstream.request('tools/list', cursor === undefined ? {} : { cursor }, REFRESH_TIMEOUT_MS);
        const result = answer?.result;
        if (!result || typeof result !== 'object') break;
        this.filter('tools/list', result);
        if (typeof result.nextCursor !== 'string') break;
        cursor = result.nextCursor;
      }
    })()
      .catch((error: unknown) => port.options.note(`could not refresh the tools of "${port.options.serverName}": ${port.options.redact(describe(error))}`))
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Applies policy, pins and hidden-content stripping to a list result; true when it changed it. */
  private filter(method: string, result: Record<string, unknown>): boolean {
    const { options } = this.port;
    const server = options.serverName;
    return filterList(method, result, {
      denied: (kind, target) =>
        options.policy.rules.decide({ client: options.clientName, server, kind, target }, options.policy.defaultActionOf(server)).action === 'deny',
      held: (tool) => {
        const state = options.pins.observe(server, tool);
        if (state === 'new') {
          const shadows = options.pins.shadows(server, tool.name);
          if (shadows.length > 0) options.note(`tool "${tool.name}" of server "${server}" shadows the same name on: ${shadows.join(', ')}`);
        }
        return state === 'changed';
      },
      note: (text) => options.note(`server "${server}": ${text}`),
    });
  }

  /** Ends a waiting request with Warden's own error (the upstream's answer was unusable). */
  private answerFromWarden(id: JsonRpcId, reason: string): void {
    const { port } = this;
    const entry = port.pending.get(id);
    if (entry === undefined) return;
    port.pending.delete(id);
    entry.approval?.withdraw();
    port.rows.end(entry, 'error', reason, null);
    port.toClient(errorLine(id, ErrorCode.UpstreamUnavailable, reason));
    port.endIfDone();
  }
}
