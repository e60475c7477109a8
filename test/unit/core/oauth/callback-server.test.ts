import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackServer } from '../../../../src-main/core/oauth/callback-server.js';
import { rawRequest, statusOf } from '../../../helpers/raw-http.js';

describe('G5: CallbackServer', () => {
  const notes: string[] = [];
  const server = new CallbackServer((text) => notes.push(text));
  let port = 0;
  beforeAll(async () => {
    await server.start();
    port = Number(new URL(server.redirectUrl).port);
  });
  afterAll(() => server.close());

  const request = (target: string): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
  const worst: Array<[string, string | Buffer]> = [
    ['two slashes', request('//')],
    ['a lone percent sign', request('/%')],
    ['a truncated UTF-8 escape', request('/%E0%A4%A')],
    ['an absolute-form target', request('http://x/callback?state=a&code=b')],
    ['an asterisk', request('*')],
    ['a protocol-relative target', request('//evil.example/callback')],
    ['a path of 9,000 characters', request(`/callback/${'%'.repeat(9000)}`)],
    ['a query with a bad escape', request('/callback?state=%E0%A4%A&code=%')],
    ['a raw NUL byte', Buffer.from(request('/\u0000'), 'latin1')],
    ['a bad Host', Buffer.from(`GET /callback HTTP/1.1\r\nHost: \u00ff\u0000\r\n\r\n`, 'latin1')],
  ];

  for (const [name, bytes] of worst) {
    it(`refuses ${name} with a 4xx and still takes the next sign-in answer`, async () => {
      const status = statusOf(await rawRequest(port, bytes, { idleMs: 1000 }));
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      const state = server.newState();
      const answer = server.expect(state, { server: 'demo', issuer: undefined, requireIss: false }, 10_000);
      expect(statusOf(await rawRequest(port, request(`/callback?state=${state}&code=the-code`), { idleMs: 1000 }))).toBe(200);
      await expect(answer).resolves.toBe('the-code');
    });
  }

  it('answers a bad target with one sentence saying what was wrong', async () => {
    const answer = await rawRequest(port, request('/%E0%A4%A'), { idleMs: 1000 });
    expect(answer).toContain('percent-escape that is not valid UTF-8');
    expect(notes).toEqual([]);
  });
});
