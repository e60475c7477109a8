import { VERSION } from '../version.js';

/** What a server's 401 says about signing in to it (RFC 9728 §5.1, MCP scope selection). */
export interface Challenge {
  resourceMetadataUrl?: URL;
  scope?: string;
}

const PROBE_TIMEOUT_MS = 10_000;

/**
 * Asks the MCP endpoint, without credentials, what it wants: an `initialize` POST, as a session's
 * first request is. A 401 yields the `resource_metadata` and `scope` of its `WWW-Authenticate`;
 * any other answer (the server lets initialize through, or is down) yields nothing, and sign-in
 * falls back to the well-known discovery paths. A session the server opened is ended at once.
 * The body is never read: the answer is bounded to its headers.
 */
export async function probeChallenge(serverUrl: string, headers: Record<string, string>, fetchFn: typeof fetch = fetch): Promise<Challenge> {
  // The SDK's modules load with the first remote sign-in, not with the core.
  const [{ extractWWWAuthenticateParams }, { LATEST_PROTOCOL_VERSION }] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/auth.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  let response: Response;
  try {
    response = await fetchFn(serverUrl, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'mcp-warden', version: VERSION } },
      }),
      redirect: 'manual',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch {
    return {};
  }
  await response.body?.cancel().catch(() => undefined);
  const session = response.headers.get('mcp-session-id');
  if (session && response.ok) {
    await fetchFn(serverUrl, { method: 'DELETE', headers: { ...headers, 'mcp-session-id': session }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
      (answer) => answer.body?.cancel(),
      () => undefined,
    );
  }
  if (response.status !== 401) return {};
  const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
  return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
}
