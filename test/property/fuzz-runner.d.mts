import type { AdminClient } from './admin-client.mjs';
import type { Batch } from './jsonrpc-arbitraries.mjs';

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}
/** A shim session as the runner drives it: raw bytes in, raw reply lines out. */
export interface FuzzShim {
  send(bytes: Buffer): void;
  readonly lines: string[];
  close(): Promise<unknown>;
}
export interface FuzzDriver {
  dataDir: string;
  recordFiles: { rec: string; plain: string };
  admin: AdminClient;
  openShim(server: 'rec' | 'plain'): Promise<FuzzShim>;
  cli(args: string[]): Promise<CliOutcome>;
  /** The core's pid while it runs, else undefined. */
  corePid(): number | undefined;
}
export interface Cursor {
  rec: number;
  plain: number;
  rowId: number;
  wardenLog: number;
}
export type Category = 'alive' | 'rows' | 'refused' | 'replies' | 'verify' | 'uncaught' | 'approvals';
export interface RunResult {
  violations: Record<Category, string[]>;
  stats: { lines: number; received: number; rows: number; replies: number };
}

export const APPROVAL_TIMEOUT_S: number;
export function setupWorld(ok: (args: string[]) => Promise<unknown>, dataDir: string, recordingServer: string): Promise<{ rec: string; plain: string }>;
export function readFrom(path: string, offset: number): { bytes: Buffer; offset: number };
export function freshCursor(): Cursor;
export function runBatch(driver: FuzzDriver, batch: Batch, run: number, cursor: Cursor, options?: { verifyWithCli?: boolean; replyWaitMs?: number }): Promise<RunResult>;
