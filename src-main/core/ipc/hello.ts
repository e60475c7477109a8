/**
 * The first line on a local connection. Shims send `client`; the CLI sends `admin`.
 * Kept tiny and dependency-free: the shim bundles it.
 */
export interface ClientHello {
  warden: 1;
  type: 'client';
  key: string;
  /** The server to reach; absent for the aggregated session over every server. */
  server?: string;
  /**
   * The shim's parent process id (the MCP client that launched it): the shims of one client
   * process are one conversation for the flow guard. Optional; validated by the core.
   */
  parentPid?: number;
}

export interface AdminHello {
  warden: 1;
  type: 'admin';
  token: string;
}

export type Hello = ClientHello | AdminHello;

/** The core's answer to a hello; after `ok: true` the connection carries its protocol. */
export type HelloReply = { warden: 1; ok: true } | { warden: 1; ok: false; error: string };

/** Longest hello line accepted. */
export const MAX_HELLO_BYTES = 16 * 1024;

/**
 * What a shim sends when its client's input ended (stdin EOF), in place of a half-close: the
 * core then delivers the replies still owed and ends the connection. A connection that simply
 * closes is a client gone (its asks are withdrawn at once): a dead shim and a half-closing one
 * would look alike on the socket. A client that sends these bytes itself only ends its input.
 */
export const END_OF_INPUT = '{"warden":1,"type":"end-of-input"}\n';
