import { connect } from 'node:net';

/**
 * Sends `bytes` on a fresh TCP connection to 127.0.0.1:`port` and resolves with everything the
 * server wrote before it closed the connection (or before `idleMs` of silence after the last
 * byte it wrote). For request lines no HTTP client would send.
 */
export function rawRequest(port: number, bytes: string | Buffer, options: { idleMs?: number; then?: Buffer } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const idle = (): void => {
      clearTimeout(timer);
      timer = setTimeout(finish, options.idleMs ?? 3000);
    };
    socket.on('connect', () => {
      socket.write(bytes);
      idle();
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      // After a WebSocket handshake, send what follows it (a frame) once.
      if (options.then && received.includes('\r\n\r\n')) {
        socket.write(options.then);
        options = { ...options, then: undefined };
      }
      idle();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

/** The status code of the first response line, or 0 when the server answered nothing. */
export function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}
