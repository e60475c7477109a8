import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, WardenHarness } from '../helpers/warden-harness.js';

interface Entry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const OLD = 'ghp_0ldT0kenV4lue0123456789abcdefghijkl';
const NEW = 'ghp_N3wT0kenP4sted9876543210zyxwvutsrqp';

describe('a connected Claude Desktop config over its life', () => {
  const warden = new WardenHarness();
  let path: string;
  let original: string;
  const read = (): { mcpServers: Record<string, Entry> } => JSON.parse(readFileSync(path, 'utf8'));
  const logText = (): string => readFileSync(join(warden.dataDir, 'logs', 'warden.log'), 'utf8');

  async function until(what: string, done: () => boolean): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function envThrough(entry: Entry): Promise<Record<string, string>> {
    const client = new Client({ name: 'claude-ai', version: '0.1' }, { capabilities: {} });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: entry.env ?? {}, stderr: 'pipe' }));
    const result = await client.callTool({ name: 'get-env', arguments: {} });
    await client.close();
    return JSON.parse((result.content as Array<{ text: string }>)[0]!.text) as Record<string, string>;
  }

  beforeAll(async () => {
    await warden.startDaemon();
    path = join(warden.dataDir, 'claude_desktop_config.json');
    original = JSON.stringify({ mcpServers: { github: { command: process.execPath, args: [EVERYTHING, 'stdio'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: OLD, LOG_LEVEL: 'debug' } } } }, null, 2);
    writeFileSync(path, original);
    await warden.ok(['claude', 'import', '--config', path, '--default-action', 'allow']);
    const out = await warden.ok(['claude', 'connect', '--config', path]);
    expect(out).toContain('made a new client key for it');
  });

  afterAll(async () => {
    await warden.stop();
  });

  it('takes a token the user pasted over the connected entry into the vault, then points the entry back, logging no secret', async () => {
    await warden.ok(['settings', 'set', 'autoReconnect', 'true']);
    const connected = read().mcpServers.github as Entry;
    try {
      writeFileSync(path, JSON.stringify({ mcpServers: { github: { command: process.execPath, args: [EVERYTHING, 'stdio'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: NEW, LOG_LEVEL: 'debug' } } } }, null, 2));
      await until('the entry is pointed back', () => read().mcpServers.github?.env?.WARDEN_CLIENT_KEY !== undefined);
    } finally {
      await warden.ok(['settings', 'set', 'autoReconnect', 'false']);
    }
    expect(read().mcpServers.github).toEqual(connected);
    await until('the change is logged', () => logText().includes('reconnected github'));
    expect(logText()).toContain('Claude Desktop: "github" held new value(s) for GITHUB_PERSONAL_ACCESS_TOKEN; took them into the vault for server "github" before pointing it back');
    expect(logText()).not.toContain(NEW);
    expect(logText()).not.toContain(OLD);
    expect(await envThrough(connected)).toMatchObject({ GITHUB_PERSONAL_ACCESS_TOKEN: NEW, LOG_LEVEL: 'debug' });
  });

  it('after disconnect --restore-secrets reports no drift, writes the new token back and revokes the key connect made', async () => {
    const out = await warden.ok(['claude', 'disconnect', '--config', path, '--restore-secrets']);
    expect(out).toContain('restored "github"');
    expect(out).toContain('revoked the client key "claude-desktop" that connect had made: no client config holds it any more');
    expect(read().mcpServers.github?.env).toEqual({ GITHUB_PERSONAL_ACCESS_TOKEN: NEW, LOG_LEVEL: 'debug' });
    const status = await warden.ok(['claude', 'status']);
    expect(status).not.toMatch(/DRIFTED/);
    expect(status).toMatch(/claude\s+Claude Desktop\s+imported\s+0\/1/);
    const clients = JSON.parse(await warden.ok(['client', 'list', '--json'])) as Array<{ name: string; revoked: boolean }>;
    expect(clients.find((c) => c.name === 'claude-desktop')?.revoked).toBe(true);
  });

  it('stops counting an entry the client rewrote as drifted once the user disconnects', async () => {
    await warden.ok(['claude', 'connect', '--config', path]);
    writeFileSync(path, original);
    const out = await warden.ok(['claude', 'disconnect', '--config', path]);
    expect(out).toContain('left "github": it no longer launches Warden (changed since); left as it is');
    expect(await warden.ok(['claude', 'status'])).not.toMatch(/DRIFTED/);
    const clients = JSON.parse(await warden.ok(['client', 'list', '--json'])) as Array<{ name: string; revoked: boolean }>;
    expect(clients.filter((c) => !c.revoked)).toEqual([]);
  });
});
