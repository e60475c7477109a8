import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, statusOf } from '../helpers/raw-http.js';
import { WardenHarness } from '../helpers/warden-harness.js';
import { daemonLogPath } from '../../src-main/core/paths.js';

describe('G5: no request to the window\'s web server crashes the core', () => {
  const warden = new WardenHarness();
  let port = 0;
  let token = '';
  const host = (): string => `Host: 127.0.0.1:${port}\r\n`;
  const cookie = (): string => `Cookie: warden_token=${token}\r\n`;
  const wsHeaders = (key = 'dGhlIHNhbXBsZSBub25jZQ=='): string =>
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:${port}\r\n`;

  beforeAll(async () => {
    const url = new URL(await warden.startWebDaemon());
    port = Number(url.port);
    token = url.searchParams.get('token') as string;
  }, 30_000);
  afterAll(() => warden.stop());

  /** The core is alive and its web server still serves the window to the token's holder. */
  const expectAlive = async (): Promise<void> => {
    expect(warden.daemon?.exitCode).toBeNull();
    const answer = await rawRequest(port, `GET / HTTP/1.1\r\n${host()}${cookie()}Connection: close\r\n\r\n`);
    expect(statusOf(answer)).toBe(200);
  };

  const cases: Array<[string, () => string | Buffer, (status: number) => void]> = [
    ['a target of two slashes, without a token', () => `GET // HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(400)],
    ['a lone percent sign', () => `GET /% HTTP/1.1\r\n${host()}${cookie()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(400)],
    ['a truncated UTF-8 escape, with the token', () => `GET /%E0%A4%A HTTP/1.1\r\n${host()}${cookie()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(400)],
    ['an escaped NUL', () => `GET /%00 HTTP/1.1\r\n${host()}${cookie()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(400)],
    ['an absolute-form target', () => `GET http://x/ HTTP/1.1\r\n${host()}${cookie()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(400)],
    ['an asterisk target', () => `OPTIONS * HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(400)],
    ['a protocol-relative target', () => `GET //evil.example/x HTTP/1.1\r\n${host()}${cookie()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(400)],
    ['a path of 9,000 characters', () => `GET /${'a'.repeat(9000)} HTTP/1.1\r\n${host()}${cookie()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(400)],
    ['a path of 100,000 characters', () => `GET /${'%'.repeat(100_000)} HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`, (s) => expect([400, 414, 431]).toContain(s)],
    ['a raw NUL byte in the request line', () => Buffer.from(`GET /\u0000 HTTP/1.1\r\n${host()}\r\n\r\n`, 'latin1'), (s) => expect(s).toBe(400)],
    ['a Host of another site', () => `GET / HTTP/1.1\r\nHost: evil.example\r\n${cookie()}Connection: close\r\n\r\n`, (s) => expect(s).toBe(403)],
    ['a Host of bytes that are not text', () => Buffer.from(`GET / HTTP/1.1\r\nHost: \u00ff\u00fe:${port}\r\nConnection: close\r\n\r\n`, 'latin1'), (s) => expect([400, 403]).toContain(s)],
    ['no Host at all', () => `GET / HTTP/1.1\r\nConnection: close\r\n\r\n`, (s) => expect([400, 403]).toContain(s)],
    ['garbage instead of a request', () => Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]), (s) => expect(s).toBe(400)],
    ['an upgrade to a truncated escape', () => `GET /%E0%A4%A HTTP/1.1\r\n${host()}${cookie()}${wsHeaders()}\r\n`, (s) => expect(s).toBe(400)],
    ['an upgrade to two slashes', () => `GET // HTTP/1.1\r\n${host()}${wsHeaders()}\r\n`, (s) => expect(s).toBe(400)],
    ['an upgrade with a bad key and version', () => `GET /api HTTP/1.1\r\n${host()}${cookie()}${wsHeaders('not a key').replace('Version: 13', 'Version: 99')}\r\n`, (s) => expect(s).toBe(400)],
    ['an upgrade to something else than WebSocket', () => `GET /api HTTP/1.1\r\n${host()}${cookie()}${wsHeaders().replace('Upgrade: websocket', 'Upgrade: h2c')}\r\n`, (s) => expect(s).toBe(400)],
  ];

  for (const [name, request, check] of cases) {
    it(`answers ${name} with a refusal and keeps serving`, async () => {
      const answer = await rawRequest(port, request());
      check(statusOf(answer));
      await expectAlive();
    });
  }

  it('survives a WebSocket frame of garbage after a valid handshake', async () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02, 0x03, 0xde, 0xad, 0xbe, 0xef]);
    const answer = await rawRequest(port, `GET /api HTTP/1.1\r\n${host()}${cookie()}${wsHeaders()}\r\n`, { then: garbage });
    expect(statusOf(answer)).toBe(101);
    await expectAlive();
  });

  it('logged no uncaught error in the core', () => {
    expect(readFileSync(daemonLogPath(warden.dataDir), 'utf8')).not.toContain('uncaught:');
  });
});
