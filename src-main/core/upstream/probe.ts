import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { loadSdkClient } from './sdk-client.js';
import { WardenError } from '../errors/warden-error.js';
import { VERSION } from '../version.js';
import type { RemoteLaunch } from './remote-upstream.js';

const PROBE_TIMEOUT_MS = 20_000;

/**
 * Connects to a remote MCP server as Warden would (Streamable HTTP, falling back to SSE for
 * `auto`), and reports its name, version and tools. The first thing to run when a remote
 * server misbehaves.
 */
export interface ProbeAuth {
  authProvider: OAuthClientProvider;
  fetch: FetchLike;
  /** Resolves once the sign-in the first attempt started has finished (or rejects). */
  waitForSignIn(): Promise<void>;
}

export async function probeServer(launch: RemoteLaunch, oauth?: ProbeAuth): Promise<{
  name: string;
  version: string;
  transport: 'http' | 'sse';
  tools: Array<{ name: string; description: string | null }>;
}> {
  const { Client, SSEClientTransport, StreamableHTTPClientTransport, StreamableHTTPError, UnauthorizedError } = await loadSdkClient();
  const url = new URL(launch.url);
  const options = { requestInit: { headers: launch.headers }, ...(oauth ? { authProvider: oauth.authProvider, fetch: oauth.fetch } : {}) };
  const once = async (kind: 'http' | 'sse') => {
    const client = new Client({ name: 'mcp-warden-probe', version: VERSION }, { capabilities: {} });
    const transport = kind === 'http' ? new StreamableHTTPClientTransport(url, options) : new SSEClientTransport(url, options);
    try {
      await client.connect(transport, { timeout: PROBE_TIMEOUT_MS });
      const server = client.getServerVersion();
      const { tools } = await client.listTools(undefined, { timeout: PROBE_TIMEOUT_MS });
      return {
        name: server?.name ?? '(unnamed)',
        version: server?.version ?? '(no version)',
        transport: kind,
        tools: tools.map((tool) => ({ name: tool.name, description: tool.description ?? null })),
      };
    } finally {
      await client.close().catch(() => undefined);
    }
  };
  // Challenged for a sign-in: the browser opened; wait for it, then try once more.
  const attempt = async (kind: 'http' | 'sse') => {
    try {
      return await once(kind);
    } catch (error) {
      if (!oauth || !(error instanceof UnauthorizedError)) throw error;
      await oauth.waitForSignIn();
      return once(kind);
    }
  };
  try {
    if (launch.transport === 'sse') return await attempt('sse');
    try {
      return await attempt('http');
    } catch (error) {
      const refused = error instanceof StreamableHTTPError && [400, 404, 405].includes(error.code ?? 0);
      if (launch.transport !== 'auto' || !refused) throw error;
      return await attempt('sse');
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new WardenError('unavailable', `could not talk MCP with ${url.origin}${url.pathname}: ${detail.slice(0, 300)}`, { cause: error });
  }
}
