import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { ControlMethod, ControlRequest, ControlResults } from '../../src-shared/control-api.js';
import { ControlCalls } from '../../src-shared/control-calls.js';
import { adminTokenPath, socketPath } from '../core/paths.js';
import { CliError } from './cli-error.js';
import { connectOrStart } from './connect-or-start.js';


/**
 * The CLI's side of the control API: one admin connection to the running core (started when
 * absent), typed by the shared contract.
 */
export class ControlClient {
  private readonly calls: ControlCalls;
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    this.calls = new ControlCalls(
      (text) => socket.write(text + '\n'),
      (error) => new CliError(error.message),
    );
  }

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
    return this.calls.call(method, params) as Promise<ControlResults[M]>;
  }

  onEvent(listener: (event: string, data: unknown) => void): void {
    this.calls.onEvent(listener);
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
          this.calls.receive(line);
        }
      });
      this.socket.on('error', (error) => reject(new CliError(`lost the connection to the Warden core: ${error.message}`)));
      this.socket.on('close', () => {
        this.closedError = new CliError('the Warden core closed the connection');
        this.calls.failAll(this.closedError);
        if (!greeted) reject(this.closedError);
      });
      this.socket.write(JSON.stringify({ warden: 1, type: 'admin', token }) + '\n');
    });
  }
}
