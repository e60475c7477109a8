import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, WardenHarness, startFixtureServer } from '../helpers/warden-harness.js';

const BROWSER = `${process.execPath} ${join(ROOT, 'test', 'fixtures', 'browser.mjs')}`;

async function startOAuthServer(mode: string, children: ChildProcess[]): Promise<{ url: string; origin: string; lines: string[] }> {
  const { port, child, lines } = await startFixtureServer('oauth-server.mjs', [mode]);
  children.push(child);
  return { url: `http://127.0.0.1:${port}/mcp`, origin: `http://127.0.0.1:${port}/`, lines };
}

const text = (result: unknown): string => ((result as { content: Array<{ text: string }> }).content[0] as { text: string }).text;

describe('Sign-in that a call starts, and sign-in that failed before (real authorization servers on 127.0.0.1)', () => {
  const warden = new WardenHarness();
  const children: ChildProcess[] = [];
  const clients: Client[] = [];
  let key: string;

  beforeAll(async () => {
    await warden.startDaemon({ BROWSER });
    key = await warden.clientKey('claude');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    for (const child of children) child.kill();
    await warden.stop();
  });

  it('holds the first call while the browser signs in, then answers it, with no warden login and no retry', async () => {
    const server = await startOAuthServer('good', children);
    await warden.ok(['server', 'add', 'held', '--url', server.url, '--transport', 'http', '--default-action', 'allow']);
    const client = await warden.connect('held', key);
    clients.push(client);
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toMatch(/^client \S+/);
    // One page for the session, however many requests met the 401.
    expect(server.lines.filter((line) => line.startsWith('authorize ')).length).toBe(1);
    expect(await warden.ok(['server', 'list'])).toMatch(/held.*signed in/);
  });

  it('discovers afresh after a sign-in that failed, instead of reusing the authorization server it found', async () => {
    const server = await startOAuthServer('switchable', children);
    // An authorization server that cannot register Warden: the first sign-in fails after discovery.
    const unusable = await startOAuthServer('prereg', children);
    const switchTo = (to: string): Promise<Response> =>
      fetch(new URL('/test/switch', server.url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ to }) });
    await switchTo(unusable.origin);
    await warden.ok(['server', 'add', 'fresh', '--url', server.url, '--transport', 'http', '--default-action', 'allow']);
    const failed = await warden.cli(['login', 'fresh']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/dynamic client registration|registration/i);
    await switchTo(server.origin);
    const out = await warden.ok(['login', 'fresh']);
    expect(out).toMatch(/^signed in to "fresh"/);
    expect(server.lines.some((line) => line.startsWith(`authorize resource=${server.url}`))).toBe(true);
  });
});

describe('A held call whose sign-in does not finish in time', () => {
  const warden = new WardenHarness();
  const children: ChildProcess[] = [];
  let client: Client | undefined;

  beforeAll(async () => {
    // A browser that opens nothing: the sign-in never finishes.
    await warden.startDaemon({ BROWSER: '/bin/true' });
    await warden.ok(['settings', 'set', 'approvalTimeoutSeconds', '5']);
  });

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    for (const child of children) child.kill();
    await warden.stop();
  });

  it('fails after the approval timeout with a sentence that says what to do', async () => {
    const server = await startOAuthServer('good', children);
    await warden.ok(['server', 'add', 'slow', '--url', server.url, '--transport', 'http', '--default-action', 'allow']);
    const key = await warden.clientKey('claude');
    const outcome = await warden.connect('slow', key).then(
      async (connected) => {
        client = connected;
        return connected.callTool({ name: 'whoami', arguments: {} }).then(
          () => 'answered',
          (error: Error) => error.message,
        );
      },
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/"slow" needs a sign-in that did not finish within 5 s; finish it on the page Warden opened in your browser, then call again \(or run: warden login slow\)/);
    expect(server.lines.some((line) => line.startsWith('issued '))).toBe(false);
  });
});

describe('Client credentials and OAuth flags on the command line', () => {
  const warden = new WardenHarness();

  beforeAll(async () => {
    await warden.startDaemon();
  });

  afterAll(async () => {
    await warden.stop();
  });

  it.each([
    [['--oauth-grant', 'client_credentials', '--oauth-client-id', 'ci'], /the client_credentials grant needs a client secret \(--oauth-client-secret\) or a private key/],
    [['--oauth-grant', 'client_credentials', '--oauth-client-secret', '${secret:S}'], /needs the client ID \(--oauth-client-id\)/],
    [['--oauth-client-id', 'ci', '--oauth-client-secret', '${secret:S}', '--oauth-private-key', '${secret:K}'], /give a client secret or a private key, not both/],
    [['--oauth-client-id', 'ci', '--oauth-private-key', '${secret:K}', '--oauth-auth-method', 'client_secret_post'], /a private key is used with private_key_jwt, not client_secret_post/],
    [['--oauth-client-id', 'ci', '--oauth-auth-method', 'private_key_jwt'], /private_key_jwt needs the private key \(--oauth-private-key\)/],
    [['--oauth-client-id', 'ci', '--oauth-private-key', 'ci-key.pem'], /--oauth-private-key takes a vault reference such as \$\{secret:CI_CLIENT_KEY\}/],
    [['--oauth-grant', 'password'], /--oauth-grant is one of authorization_code, client_credentials/],
    [['--oauth-client-id', 'ci', '--oauth-client-metadata-url', 'https://example.com/client.json'], /a pre-registered client ID and a client metadata document URL exclude each other/],
  ])('refuses %j with one sentence and adds nothing', async (flags, message) => {
    const result = await warden.cli(['server', 'add', 'machine', '--url', 'https://mcp.example.com/mcp', ...flags]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(await warden.ok(['server', 'list'])).not.toContain('machine');
  });

  it('keeps a client_credentials server whose private key is a vault reference, reported missing until it is set', async () => {
    await warden.ok(['server', 'add', 'machine', '--url', 'https://mcp.example.com/mcp', '--oauth-grant', 'client_credentials', '--oauth-client-id', 'ci', '--oauth-private-key', '${secret:CI_KEY}']);
    const listed = JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ name: string; missingSecrets: string[] }>;
    expect(listed.find((server) => server.name === 'machine')?.missingSecrets).toEqual(['CI_KEY']);
  });

  it('refuses a global client metadata document URL that is not https with a path', async () => {
    const result = await warden.cli(['settings', 'set', 'oauthClientMetadataUrl', 'http://example.com/client.json']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/a client metadata document URL is https with a path, or empty for none/);
    expect(await warden.ok(['settings', 'set', 'oauthClientMetadataUrl', 'https://warden.example/client.json'])).toContain('"https://warden.example/client.json"');
  });
});
