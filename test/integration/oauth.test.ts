import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, WardenHarness } from '../helpers/warden-harness.js';

interface OAuthServer {
  url: string;
  child: ChildProcess;
  lines: string[];
}

function startOAuthServer(mode: string): Promise<OAuthServer> {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', 'oauth-server.mjs'), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  return new Promise((resolve) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts);
      const port = parts.map((line) => /^listening (\d+)/.exec(line)?.[1]).find(Boolean);
      if (port) resolve({ url: `http://127.0.0.1:${port}/mcp`, child, lines });
    });
  });
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
      BROWSER_LOG: join(warden.dataDir, 'browser.log'),
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
    expect(good.lines).toContain(`authorize resource=${good.url} challenge=yes`);
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

  it.each([
    ['no-s256', /does not list PKCE S256 support; Warden will not sign in without it/],
    ['issuer-mismatch', /names issuer "http:\/\/127\.0\.0\.1:\d+\/someone-else", not "http:\/\/127\.0\.0\.1:\d+"; refusing it/],
    ['js-endpoint', /authorization_endpoint is refused: links with the javascript: scheme are never opened/],
    ['metadata-ssrf', /169\.254\.169\.254.*(link-local or metadata address|refused)/],
    ['wrong-iss', /came from issuer "https:\/\/evil\.example"/],
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
