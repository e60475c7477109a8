import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressRefusedError, guardedLookup } from '../../../../src-main/core/oauth/address-guard.js';
import { guardedFetch } from '../../../../src-main/core/oauth/guarded-fetch.js';

type Answer = { error: Error | null; address: unknown; family?: number };

function lookupOnce(answers: string[], allowPrivate: boolean, options: { all?: boolean; family?: number } = {}): Promise<Answer> {
  const lookup = guardedLookup(allowPrivate, async () => answers);
  return new Promise((resolve) => lookup('host.test', options, (error, address, family) => resolve({ error, address, family })));
}

describe('guardedLookup()', () => {
  it.each([
    [['93.184.216.34', '169.254.169.254'], false, /169\.254\.169\.254, a link-local or metadata address/],
    [['169.254.169.254'], true, /link-local or metadata address/],
    [['::ffff:169.254.169.254'], true, /link-local or metadata address/],
    [['10.1.2.3'], false, /10\.1\.2\.3, a private address/],
    [['::1'], false, /::1, a private address/],
  ])('refuses %j (private allowed: %s)', async (answers, allowPrivate, message) => {
    const { error } = await lookupOnce(answers, allowPrivate);
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect(error?.message).toMatch(message);
  });

  it('hands over checked addresses in the form the socket asked for', async () => {
    expect(await lookupOnce(['10.1.2.3'], true)).toEqual({ error: null, address: '10.1.2.3', family: 4 });
    expect((await lookupOnce(['93.184.216.34', '2606:2800::1'], false, { all: true })).address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800::1', family: 6 },
    ]);
    expect(await lookupOnce(['93.184.216.34', '2606:2800::1'], false, { family: 6 })).toEqual({ error: null, address: '2606:2800::1', family: 6 });
    expect((await lookupOnce(['93.184.216.34'], false, { family: 6 })).error?.message).toMatch(/no usable address/);
  });
});

describe('guardedFetch() and DNS rebinding', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      hits += 1;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('connects through the checking lookup', async () => {
    const asked: string[] = [];
    const fetch = guardedFetch(true, async (hostname) => {
      asked.push(hostname);
      return ['127.0.0.1'];
    });
    const response = await fetch(`http://localhost:${port}/token`);
    expect(response.status).toBe(200);
    // Once for the check before the request and once more by the socket itself.
    expect(asked).toEqual(['localhost', 'localhost']);
  });

  it('refuses a name that answers a public address to the check and a private one to connect', async () => {
    let answers = 0;
    const before = hits;
    const fetch = guardedFetch(false, async () => (answers++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']));
    await expect(fetch(`https://rebind.test:${port}/.well-known/oauth-authorization-server`)).rejects.toThrow(
      /refused to connect to https:\/\/rebind\.test:\d+: rebind\.test resolves to 127\.0\.0\.1, a private address/,
    );
    expect(answers).toBe(2);
    expect(hits).toBe(before);
  });
});
