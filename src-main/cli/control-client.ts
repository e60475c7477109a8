import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { ControlError, ControlMethod, ControlRequest, ControlResults } from '../../src-shared/control-api.js';
import { adminTokenPath, socketPath } from '../core/paths.js';
import { CliError } from './cli-error.js';
import { connectOrStart } from './connect-or-start.js';

type Waiter = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * The CLI's side of the control API: one admin connection to the running core (started when
 * absent), typed by the shared contract.
 */
export class ControlClient {
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private readonly eventListeners = new Set<(event: string, data: unknown) => void>();
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {}

  static async connect(dataDir: string, wardenScript: URL, start = true): Promise<ControlClient> {
    const socket = await connectOrStart(dataDir, socketPath(dataDir), wardenScript, start);
    let token: string;
    try {
      token = readFileSync(adminTokenPath(dataDir), 'utf8').trim();
    } catch {
      socket.destroy();
      throw new CliError(`cannot read the admin token in ${dataDir}; is it the data dir of the running core?`);
    }
    const client = new ControlClient(socket);
    await client.handshake(token);
    return client;
  }

  /** Calls one control method; rejects with a CliError carrying the core's sentence. */
  call<M extends ControlMethod>(method: M, params: ControlRequest<M>): Promise<ControlResults[M]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  onEvent(listener: (event: string, data: unknown) => void): void {
    this.eventListeners.add(listener);
  }

  /** Resolves when the core closes the connection. */
  closed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.socket.once('close', () => resolve());
    });
  }

  close(): void {
    this.socket.end();
  }

  private handshake(token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let buffer = '';
      let greeted = false;
      this.socket.setEncoding('utf8');
      this.socket.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!greeted) {
            const reply = JSON.parse(line) as { ok?: boolean; error?: string };
            if (reply.ok !== true) {
              reject(new CliError(reply.error ?? 'the Warden core refused the connection'));
              return;
            }
            greeted = true;
            resolve();
            continue;
          }
          this.dispatch(line);
        }
      });
      this.socket.on('error', (error) => reject(new CliError(`lost the connection to the Warden core: ${error.message}`)));
      this.socket.on('close', () => {
        this.closedError = new CliError('the Warden core closed the connection');
        for (const waiter of this.waiters.values()) waiter.reject(this.closedError);
        this.waiters.clear();
        if (!greeted) reject(this.closedError);
      });
      this.socket.write(JSON.stringify({ warden: 1, type: 'admin', token }) + '\n');
    });
  }

  private dispatch(line: string): void {
    const message = JSON.parse(line) as { id?: number; result?: unknown; error?: ControlError; event?: string; data?: unknown };
    if (message.event !== undefined) {
      for (const listener of this.eventListeners) listener(message.event, message.data);
      return;
    }
    const waiter = message.id === undefined ? undefined : this.waiters.get(message.id);
    if (!waiter) return;
    this.waiters.delete(message.id as number);
    if (message.error) waiter.reject(new CliError(message.error.message));
    else waiter.resolve(message.result);
  }
}
