/** Parts of the control API's client-config answers (`clients.import`, `clients.connect`). */

/** A value an import moved into the vault: the env (or header) name, the secret, and why. */
export interface VaultedValueInfo {
  env: string;
  secret: string;
  why: string;
}

/** What `clients.connect` says beyond the rewritten entries. */
export interface ConnectReportExtra {
  transport: 'stdio' | 'http';
  /** The one entry serving the aggregated session, when connected that way. */
  aggregateEntry: string | null;
  /** Entries Warden did not touch, and why. */
  left: Array<{ entry: string; why: string }>;
  /**
   * Values the user had written into a connected entry (a new token): taken into the vault
   * (`updated`: an existing secret; `vaulted`: a new one) or kept plain, before reconnecting.
   */
  adopted: Array<{ entry: string; server: string; updated: string[]; vaulted: string[]; kept: string[] }>;
}
