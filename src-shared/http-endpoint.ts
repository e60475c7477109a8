/** The port Warden's local MCP endpoint listens on unless the `httpPort` setting says otherwise. */
export const DEFAULT_HTTP_PORT = 7390;

/**
 * The URL of Warden's local Streamable HTTP endpoint: `/mcp` is the aggregated session over every
 * server, `/mcp/<server>` one server with its own tool names.
 */
export function httpEndpointUrl(port: number, server?: string): string {
  return `http://127.0.0.1:${port}/mcp${server === undefined ? '' : `/${encodeURIComponent(server)}`}`;
}
