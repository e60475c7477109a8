import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, WardenHarness, startFixtureServer } from '../helpers/warden-harness.js';

interface OAuthServer {
  url: string;
  child: ChildProcess;
  lines: string[];
}

async function startOAuthServer(mode: string): Promise<OAuthServer> {
  const { port, child, lines } = await startFixtureServer('oauth-server.mjs', [mode]);
  return { url: `http://127.0.0.1:${port}/mcp`, child, lines };
}

describe('OAuth sign-in for remote upstreams (real authorization servers on 127.0.0.1)', () => {
  const warden = new WardenHarness();
  const servers: ChildProcess[] = [];
  const clients: Client[] = [];
  let good: OAuthServer;
  let key: string;
  const browserLog = (): string => join(warden.dataDir, 'browser.log');

  beforeAll(async () => {
    await warden.startDaemon({
      BROWSER: `${process.execPath} ${join(ROOT, 'test', 'fixtures', 'browser.mjs')}`,
      BROWSER_LOG: browserLog(),
      BROWSER_STRAY: '1',
    });
    key = await warden.clientKey('claude');
    good = await startOAuthServer('good');
    servers.push(good.child);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    for (const child of servers) child.kill();
    await warden.stop();
  });

  const add = async (name: string, url: string): Promise<void> => {
    await warden.ok(['server', 'add', name, '--url', url, '--transport', 'http', '--default-action', 'allow']);
  };

  it('signs in through the browser (PKCE, resource, native registration), then a client uses the tools through the shim', async () => {
    await add('remote-oauth', good.url);
    const out = await warden.ok(['login', 'remote-oauth']);
    expect(out).toMatch(/^signed in to "remote-oauth" \(the access token expires at /);
    expect(good.lines.some((line) => /^registration request application_type=native redirect_uris=\["http:\/\/127\.0\.0\.1:\d+\/callback"\]$/.test(line))).toBe(true);
    expect(good.lines.some((line) => line.startsWith(`authorize resource=${good.url} challenge=yes`))).toBe(true);
    const listed = await warden.ok(['server', 'list']);
    expect(listed).toMatch(/remote-oauth.*signed in \(expires/);
    const client = await warden.connect('remote-oauth', key);
    clients.push(client);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(/^client \S+/);
  });

  it('refused the stray callback that came first, and refuses the real one replayed', async () => {
    const delivered = readFileSync(browserLog(), 'utf8').trim().split('\n')[0] as string;
    const replay = await fetch(delivered);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('was already used');
    const stray = await fetch(`${new URL(delivered).origin}/callback?state=made-up&code=x`);
    expect(stray.status).toBe(400);
  });

  it('keeps tokens only sealed: the data dir holds no token in plain text', () => {
    const issued = good.lines.filter((line) => line.startsWith('issued ')).flatMap((line) => line.split(' ').slice(1));
    expect(issued.length).toBeGreaterThan(1);
    const files = readdirSync(warden.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const entry of files) {
      const bytes = readFileSync(join(entry.parentPath, entry.name));
      for (const token of issued) expect(bytes.includes(Buffer.from(token)), `${entry.name} holds ${token.slice(0, 6)}…`).toBe(false);
    }
  });

  it('refreshes an expired access token without a new sign-in', async () => {
    const short = await startOAuthServer('short');
    servers.push(short.child);
    await add('short-lived', short.url);
    await warden.ok(['login', 'short-lived']);
    await new Promise((r) => setTimeout(r, 1500));
    const client = await warden.connect('short-lived', key);
    clients.push(client);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(/^client /);
    expect(short.lines.some((line) => line === `refreshed resource=${short.url}`)).toBe(true);
  });

  it('signs out, revoking the token, and then asks for a sign-in again', async () => {
    await warden.ok(['logout', 'remote-oauth']);
    expect(good.lines.some((line) => line.startsWith('revoked rt_'))).toBe(true);
    expect(await warden.ok(['server', 'list'])).toMatch(/remote-oauth.*signed out/);
  });

  const waitFor = async (check: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('probes an OAuth-protected server, signing in when challenged', async () => {
    const probed = await startOAuthServer('good');
    servers.push(probed.child);
    const out = await warden.ok(['probe', probed.url]);
    expect(out).toContain('oauth-protected 3.0.0 over Streamable HTTP; 2 tool(s):');
    expect(probed.lines.some((line) => line.startsWith('issued '))).toBe(true);
  });

  it('signs in with an independent authorization server (oidc-provider, OpenID discovery, iss, resource)', async () => {
    const { port, child, lines } = await startFixtureServer('oidc-server.mjs', []);
    servers.push(child);
    const url = `http://127.0.0.1:${port}/mcp`;
    await add('oidc', url);
    const out = await warden.ok(['login', 'oidc']);
    expect(out).toMatch(/^signed in to "oidc"/);
    expect(lines).toContain(`issued-for ${url}`);
    const client = await warden.connect('oidc', key);
    clients.push(client);
    const result = await client.callTool({ name: 'account', arguments: {} });
    expect((result.content as Array<{ text: string }>)[0]!.text).toBe('account test-user');
  });

  it('uses a pre-registered client from the server settings instead of registering', async () => {
    const prereg = await startOAuthServer('prereg');
    servers.push(prereg.child);
    await warden.ok(['secret', 'set', 'STATIC_CLIENT_SECRET'], 'static-client-secret-55');
    await warden.ok(['server', 'add', 'prereg', '--url', prereg.url, '--transport', 'http', '--default-action', 'allow', '--oauth-client-id', 'warden-static', '--oauth-client-secret', '${secret:STATIC_CLIENT_SECRET}']);
    await warden.ok(['login', 'prereg']);
    expect(prereg.lines.some((line) => line.startsWith('registration request'))).toBe(false);
    expect(prereg.lines.some((line) => /^authorize .* client=warden-static$/.test(line))).toBe(true);
    expect(prereg.lines.some((line) => line.startsWith('issued '))).toBe(true);
  });

  it('steps up to the union of the scopes held and wanted when a tool needs more, holding the call meanwhile', async () => {
    const stepUp = await startOAuthServer('step-up');
    servers.push(stepUp.child);
    await add('step-up', stepUp.url);
    await warden.ok(['login', 'step-up']);
    expect(stepUp.lines.some((line) => /^authorize .* scope=read client=/.test(line))).toBe(true);
    const client = await warden.connect('step-up', key);
    clients.push(client);
    // The call waits while the browser stand-in answers the step-up sign-in, then goes on.
    const result = await client.callTool({ name: 'admin-op', arguments: {} });
    expect((result.content as Array<{ text: string }>)[0]!.text).toBe('admin done with scopes read admin');
    expect(stepUp.lines.filter((line) => line.startsWith('issued ')).length).toBeGreaterThanOrEqual(2);
    expect(stepUp.lines.some((line) => /^authorize .* scope=read admin client=/.test(line))).toBe(true);
  });

  it('never sends a refresh token to an authorization server the resource switched to', async () => {
    const first = await startOAuthServer('switchable');
    servers.push(first.child);
    await add('switching', first.url);
    await warden.ok(['login', 'switching']);
    const heldRefresh = first.lines.find((line) => line.startsWith('issued '))!.split(' ')[2] as string;
    await fetch(new URL('/test/switch', first.url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ to: new URL('/', good.url).href }) });
    // A restarted core discovers afresh, and the held token has expired by then.
    await warden.ok(['stop']);
    await warden.startDaemon({
      BROWSER: `${process.execPath} ${join(ROOT, 'test', 'fixtures', 'browser.mjs')}`,
      BROWSER_LOG: browserLog(),
    });
    await new Promise((r) => setTimeout(r, 1200));
    const client = await warden.connect('switching', key).catch(() => undefined);
    if (client) clients.push(client);
    // The expired token's refresh found the new authorization server: a new sign-in went there,
    // and the refresh token held for the first one never did.
    await waitFor(() => good.lines.some((line) => line.startsWith(`authorize resource=${first.url}`)), 'a sign-in at the new authorization server');
    expect(good.lines.some((line) => line.includes(heldRefresh))).toBe(false);
    expect(first.lines.filter((line) => line.startsWith('refresh attempt')).every((line) => line.endsWith(heldRefresh))).toBe(true);
  });

  it('stops at a server that refuses every token, instead of signing in forever', async () => {
    const stubborn = await startOAuthServer('always-401');
    servers.push(stubborn.child);
    await add('stubborn', stubborn.url);
    await warden.ok(['login', 'stubborn']);
    const started = Date.now();
    await expect(warden.connect('stubborn', key)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stubborn.lines.filter((line) => line === 'refused a valid-looking token').length).toBeLessThanOrEqual(3);
    expect(stubborn.lines.filter((line) => line.startsWith('issued ')).length).toBeLessThanOrEqual(3);
  });

  it.each([
    ['no-s256', /does not list PKCE S256 support; Warden will not sign in without it/],
    ['issuer-mismatch', /names issuer "http:\/\/127\.0\.0\.1:\d+\/someone-else", not "http:\/\/127\.0\.0\.1:\d+"; refusing it/],
    ['js-endpoint', /authorization_endpoint is refused: links with the javascript: scheme are never opened/],
    ['metadata-ssrf', /169\.254\.169\.254.*(link-local or metadata address|refused)/],
    ['wrong-iss', /came from issuer "https:\/\/evil\.example"/],
    ['wrong-resource', /names http:\/\/127\.0\.0\.1:\d+\/someone-elses-api, not this server's URL; refusing to sign in/],
  ])('refuses to sign in when the server plays %s, with no token issued', async (mode, message) => {
    const evil = await startOAuthServer(mode);
    servers.push(evil.child);
    await add(`evil-${mode}`, evil.url);
    const result = await warden.cli(['login', `evil-${mode}`]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(message);
    if (mode !== 'wrong-iss') expect(evil.lines.some((line) => line.startsWith('issued '))).toBe(false);
    expect(await warden.ok(['server', 'list'])).toMatch(new RegExp(`evil-${mode}.*signed out`));
  });
});
