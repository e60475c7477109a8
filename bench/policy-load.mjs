// The bench's big policy, loaded on the control socket as the CLI would add it.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/**
 * 200 rules and 20 limits on the daemon of `dataDir`: most name other clients, servers and
 * tools; one allows echo for client "bench" on server `server`; the limits are generous so none
 * refuses, but several match every call and are checked and consumed.
 */
export async function loadPolicy(dataDir, server = 'everything-policy', client = 'bench') {
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const socket = connect(join(dataDir, 'warden.sock'));
  await new Promise((r) => socket.once('connect', r));
  let buffer = '';
  const waiting = new Map();
  socket.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const message = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      waiting.get(message.id)?.(message);
    }
  });
  let id = 0;
  const call = (method, params) =>
    new Promise((resolveCall, reject) => {
      const mine = ++id;
      waiting.set(mine, (m) => (m.error ? reject(new Error(m.error.message)) : resolveCall(m.result)));
      socket.write(JSON.stringify({ id: mine, method, params }) + '\n');
    });
  socket.write(JSON.stringify({ warden: 1, type: 'admin', token }) + '\n');
  waiting.set(undefined, () => undefined);
  await new Promise((r) => setTimeout(r, 50));
  const verbs = ['get', 'list', 'create', 'delete', 'update', 'search', 'send', 'read', 'write', 'drop'];
  for (let i = 0; i < 199; i++) {
    const verb = verbs[i % verbs.length];
    await call('rule.add', {
      client: i % 3 === 0 ? '*' : `client-${i % 7}`,
      server: i % 4 === 0 ? '*' : `server-${i % 11}`,
      kind: 'tool',
      target: i % 2 === 0 ? `${verb}_*` : `${verb}_thing_${i}`,
      action: ['allow', 'ask', 'deny'][i % 3],
    });
  }
  await call('rule.add', { client, server, kind: 'tool', target: 'echo', action: 'allow' });
  for (let i = 0; i < 20; i++) {
    await call('limit.add', { client: i % 2 === 0 ? '*' : client, server: i % 5 === 0 ? '*' : server, target: i % 3 === 0 ? '*' : i % 3 === 1 ? 'ech?' : `tool_${i}`, max: 1_000_000, perMs: 60_000 });
  }
  socket.end();
}
