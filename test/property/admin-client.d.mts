/** One admin connection to a running core over its local socket. */
export class AdminClient {
  static connect(dataDir: string): Promise<AdminClient>;
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  /** Every audit row after `afterId`, oldest first. */
  rowsAfter(afterId: number): Promise<Array<Record<string, unknown>>>;
  close(): void;
}
