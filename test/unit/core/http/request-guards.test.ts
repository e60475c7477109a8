import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerToken, hostRefusal, originRefusal, parseBody, routeOf } from '../../../../src-main/core/http/request-guards.js';

describe('request guards of the HTTP endpoint', () => {
  describe('hostRefusal()', () => {
    it('lets 127.0.0.1, localhost and [::1] through only with the endpoint\'s port', () => {
      for (const host of ['127.0.0.1:7390', 'localhost:7390', 'LOCALHOST:7390', '[::1]:7390']) expect(hostRefusal(host, 7390)).toBeUndefined();
      for (const host of ['127.0.0.1', 'localhost:80', 'evil.example:7390', '127.0.0.1.evil.example:7390', '127.0.0.2:7390', undefined]) {
        expect(hostRefusal(host, 7390)?.status).toBe(403);
      }
    });

    it('names the guard and the address to use in its sentence', () => {
      expect(hostRefusal('evil.example:7390', 7390)?.message).toContain('guard: dns-rebinding');
      expect(hostRefusal('evil.example:7390', 7390)?.message).toContain('http://127.0.0.1:7390/mcp');
    });
  });

  describe('originRefusal()', () => {
    it('passes no Origin and pages on this computer, and refuses every other origin', () => {
      for (const origin of [undefined, 'http://localhost:3000', 'https://127.0.0.1', 'http://[::1]:8080']) expect(originRefusal(origin)).toBeUndefined();
      for (const origin of ['null', 'https://evil.example', 'http://localhost.evil.example', 'file://', 'chrome-extension://abc', 'not a url']) {
        expect(originRefusal(origin)?.status).toBe(403);
      }
    });
  });

  describe('routeOf()', () => {
    it('reads /mcp as the aggregated session and /mcp/<server> as one server, percent-decoded', () => {
      expect(routeOf('/mcp')).toEqual({ ok: true, server: undefined });
      expect(routeOf('/mcp/?x=1')).toEqual({ ok: true, server: undefined });
      expect(routeOf('/mcp/git%20hub')).toEqual({ ok: true, server: 'git hub' });
    });

    it('answers 404 for other paths and 400 for targets that are not plain paths', () => {
      expect(routeOf('/')).toMatchObject({ ok: false, refusal: { status: 404 } });
      expect(routeOf('/mcp/a/b')).toMatchObject({ ok: false, refusal: { status: 404 } });
      expect(routeOf('http://evil.example/mcp')).toMatchObject({ ok: false, refusal: { status: 400 } });
      expect(routeOf('/mcp/%ff')).toMatchObject({ ok: false, refusal: { status: 400 } });
    });
  });

  describe('bearerToken()', () => {
    it('takes the token of a Bearer header in any case of the scheme, and nothing else', () => {
      expect(bearerToken('Bearer wk_abc')).toBe('wk_abc');
      expect(bearerToken('bearer  wk_abc')).toBe('wk_abc');
      expect(bearerToken('Basic d2s6')).toBeUndefined();
      expect(bearerToken('Bearer')).toBeUndefined();
      expect(bearerToken(undefined)).toBeUndefined();
    });
  });

  describe('parseBody()', () => {
    it('refuses a body nested past the client depth limit before parsing it', () => {
      const deep = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
      const parsed = parseBody(deep);
      expect(parsed).toMatchObject({ ok: false, refusal: { status: 400 } });
      expect(parsed.ok ? '' : parsed.refusal.message).toContain('deeper than 64 levels');
    });

    it('refuses invalid UTF-8 and text that is not JSON, each with a sentence', () => {
      expect(parseBody(Buffer.from([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false, refusal: { status: 400 } });
      expect(parseBody(Buffer.from('{"jsonrpc":'))).toMatchObject({ ok: false, refusal: { status: 400 } });
      expect(parseBody(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}'))).toEqual({ ok: true, value: { jsonrpc: '2.0', id: 1, method: 'ping' } });
    });

    it('never throws, whatever the bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
          const parsed = parseBody(Buffer.from(bytes));
          return parsed.ok || parsed.refusal.status === 400;
        }),
      );
    });
  });
});
