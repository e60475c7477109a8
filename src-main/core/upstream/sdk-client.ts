import type { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** The SDK's client side: what remote upstreams and probes use. */
export interface SdkClient {
  UnauthorizedError: typeof UnauthorizedError;
  Client: typeof Client;
  SSEClientTransport: typeof SSEClientTransport;
  StreamableHTTPClientTransport: typeof StreamableHTTPClientTransport;
  StreamableHTTPError: typeof StreamableHTTPError;
}

let loading: Promise<SdkClient> | undefined;

/**
 * Loads the SDK's client modules once, the first time a remote server or a probe needs them: a
 * core with only local servers never holds them (about 20 MiB of a core's memory).
 */
export function loadSdkClient(): Promise<SdkClient> {
  loading ??= Promise.all([
    import('@modelcontextprotocol/sdk/client/auth.js'),
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/sse.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  ]).then(([auth, index, sse, http]) => ({
    UnauthorizedError: auth.UnauthorizedError,
    Client: index.Client,
    SSEClientTransport: sse.SSEClientTransport,
    StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
    StreamableHTTPError: http.StreamableHTTPError,
  }));
  return loading;
}
