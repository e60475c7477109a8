// A small client of the control API over the local socket (the protocol the CLI speaks: an
// admin hello with the token, then numbered requests), for checks that would cost one CLI
// process each: paging the audit log, listing and answering approvals, the core's pid.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** One admin connection to the core of `dataDir`; `call` rejects with the core's sentence. */
export class AdminClient {
  static async connect(dataDir) {
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    const socket = connect(join(dataDir, 'warden.sock'));
    const client = new AdminClient(socket);
    await new Promise((resolve, reject) => {
      client.greeted = { resolve, reject };
      socket.once('error', reject);
      socket.write(JSON.stringify({ warden: 1, type: 'admin', token }) + '\n');
    });
    return client;
  }

  constructor(socket) {
    this.socket = socket;
    this.nextId = 1;
    this.waiting = new Map();
    this.buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      this.buffer += chunk;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const text = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.receive(JSON.parse(text));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error('the Warden core closed the admin connection'));
      this.waiting.clear();
      this.closed = true;
    });
  }

  receive(message) {
    if (this.greeted) {
      const { resolve, reject } = this.greeted;
      this.greeted = undefined;
      if (message.ok === true) resolve();
      else reject(new Error(message.error ?? 'the core refused the admin hello'));
      return;
    }
    const waiter = this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  }

  call(method, params = {}) {
    if (this.closed) return Promise.reject(new Error('the admin connection is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  /** Every audit row after `afterId`, oldest first. */
  async rowsAfter(afterId) {
    const rows = [];
    for (;;) {
      const { calls } = await this.call('log.query', { limit: 10_000, afterId: rows.at(-1)?.id ?? afterId });
      rows.push(...calls);
      if (calls.length < 10_000) return rows;
    }
  }

  close() {
    this.socket.end();
  }
}
