// The floor for any two-hop design: `core SOCKET SERVER_SCRIPT` listens on a Unix socket and
// pipes each connection to a fresh upstream process; `shim SOCKET` pipes stdio to that socket.
// No parsing, no checks, no log: what two Node relays cost on this machine.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const [mode, path, script] = process.argv.slice(2);
if (mode === 'core') {
  rmSync(path, { force: true });
  createServer((socket) => {
    const child = spawn(process.execPath, [script, 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
    socket.pipe(child.stdin);
    child.stdout.pipe(socket);
    socket.on('close', () => child.kill());
    socket.on('error', () => child.kill());
  }).listen(path, () => process.stdout.write('ready\n'));
} else {
  const socket = connect(path);
  process.stdin.pipe(socket);
  socket.pipe(process.stdout);
  socket.on('close', () => process.exit(0));
}
