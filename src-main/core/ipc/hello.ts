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
