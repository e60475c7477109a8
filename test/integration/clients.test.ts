import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, FAULT_SERVER, WardenHarness } from '../helpers/warden-harness.js';

interface Entry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const TOKEN = 'tok-everything-7f3e9a';
const NOTES_KEY = 'key-notes-41c2d8';

/** A Claude Desktop config as users have them: several servers, other settings, odd names. */
function fixture(): string {
  return JSON.stringify(
    {
      globalShortcut: 'Ctrl+Space',
      mcpServers: {
        everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], env: { API_TOKEN: TOKEN, LOG_LEVEL: 'debug' } },
        'mémoire notes': { command: process.execPath, args: [FAULT_SERVER], env: { NOTES_KEY } },
        'win-tool': { command: 'C:\\Program Files\\nodejs\\node.exe', args: ['C:\\Users\\me\\tool\\index.js'] },
        remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer remote-header-secret-7' } },
      },
      preferences: { theme: 'dark', unknownFutureKey: [1, 2, { nested: null }] },
    },
    null,
    2,
  ) + '\n';
}

describe('pointing Claude Desktop at Warden', () => {
  const warden = new WardenHarness();
  let path: string;
  let original: string;
  const read = (): { mcpServers: Record<string, Entry>; [key: string]: unknown } => JSON.parse(readFileSync(path, 'utf8'));

  /** Launches an entry exactly as Claude Desktop does: its command, args and env. */
  async function launch(entry: Entry): Promise<Client> {
    const client = new Client({ name: 'claude-ai', version: '0.1' }, { capabilities: {} });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: entry.env ?? {}, stderr: 'pipe' }));
    return client;
  }

  beforeAll(async () => {
    await warden.startDaemon();
    await warden.addFaultServer('everything');
    path = join(warden.dataDir, 'claude_desktop_config.json');
    original = fixture();
    writeFileSync(path, original);
  });

  afterAll(async () => {
    await warden.stop();
  });

  it('imports every local server, moving env values into the vault and reporting what it did', async () => {
    const out = await warden.ok(['claude', 'import', '--config', path, '--keep-env', 'LOG_LEVEL', '--default-action', 'allow']);
    expect(out).toContain('imported "everything" as server "everything-2" (the name "everything" was taken or not allowed)\n  API_TOKEN → vault secret EVERYTHING_2_API_TOKEN (its name (API_TOKEN) says it is a credential)\n  LOG_LEVEL stays plain');
    expect(out).toContain('imported "mémoire notes" as server "memoire-notes" (the name "mémoire notes" was taken or not allowed)\n  NOTES_KEY → vault secret MEMOIRE_NOTES_NOTES_KEY');
    expect(out).toContain('imported "win-tool" as server "win-tool"');
    expect(out).toContain('imported "remote" as server "remote"');
    expect(readFileSync(path, 'utf8')).toBe(original);
    const servers = JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ name: string; env: Record<string, string> }>;
    expect(servers.find((s) => s.name === 'everything-2')?.env).toEqual({ API_TOKEN: '${secret:EVERYTHING_2_API_TOKEN}', LOG_LEVEL: 'debug' });
    for (const file of readdirSync(warden.dataDir).filter((f) => f.startsWith('warden.db'))) {
      const bytes = readFileSync(join(warden.dataDir, file));
      expect(bytes.includes(Buffer.from(TOKEN))).toBe(false);
      expect(bytes.includes(Buffer.from(NOTES_KEY))).toBe(false);
    }
    const again = await warden.ok(['claude', 'import', '--config', path]);
    expect(again).toContain('skipped "everything": it was imported before');
  });

  it('shows the change with --dry-run and writes nothing', async () => {
    const out = await warden.ok(['claude', 'connect', '--config', path, '--dry-run']);
    expect(out).toContain('would point "everything" at Warden server "everything-2"');
    expect(out).not.toContain(TOKEN);
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('rewrites only the imported entries, after a byte-identical backup, and each reaches its upstream through Warden', async () => {
    const out = await warden.ok(['claude', 'connect', '--config', path]);
    const backup = /backup of the original: (.+)/.exec(out)?.[1] as string;
    expect(readFileSync(backup, 'utf8')).toBe(original);
    const config = read();
    const before = JSON.parse(original) as typeof config;
    expect(config.globalShortcut).toBe(before.globalShortcut);
    expect(config.preferences).toEqual(before.preferences);
    expect(JSON.stringify(config)).not.toContain(TOKEN);
    expect(JSON.stringify(config)).not.toContain(NOTES_KEY);
    expect(JSON.stringify(config)).not.toContain('remote-header-secret-7');
    const entry = config.mcpServers.everything as Entry;
    expect(entry.args.slice(-2)).toEqual(['--server', 'everything-2']);
    expect(entry.env?.WARDEN_CLIENT_KEY).toMatch(/^wk_/);

    const everything = await launch(entry);
    const env = await everything.callTool({ name: 'get-env', arguments: {} });
    const seen = JSON.parse((env.content as Array<{ text: string }>)[0]!.text) as Record<string, string>;
    expect(seen).toMatchObject({ API_TOKEN: TOKEN, LOG_LEVEL: 'debug' });
    await everything.close();
    const notes = await launch(config.mcpServers['mémoire notes'] as Entry);
    expect((await notes.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([{ type: 'text', text: 'echo: hi' }]);
    await notes.close();
    expect(await warden.ok(['claude', 'status'])).toMatch(/claude\s+Claude Desktop\s+connected\s+4\/4/);
    const remote = (JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ name: string; url?: string; headers?: Record<string, string> }>).find((s) => s.name === 'remote');
    expect(remote).toMatchObject({ url: 'https://mcp.example.com/mcp', headers: { Authorization: '${secret:REMOTE_AUTHORIZATION}' } });
  });

  it('notices when the client rewrites an entry and re-applies on request', async () => {
    const config = read();
    config.mcpServers.everything = (JSON.parse(original) as typeof config).mcpServers.everything as Entry;
    writeFileSync(path, JSON.stringify(config, null, 2));
    // The core watches the file and notes the drift by itself.
    const logFile = join(warden.dataDir, 'logs', 'warden.log');
    const deadline = Date.now() + 10_000;
    while (!readFileSync(logFile, 'utf8').includes('Claude Desktop: everything no longer point(s) at Warden')) {
      if (Date.now() > deadline) throw new Error('the core did not notice the rewritten entry');
      await new Promise((r) => setTimeout(r, 100));
    }
    const status = await warden.ok(['claude', 'status']);
    expect(status).toMatch(/DRIFTED \(1\)/);
    expect(status).toContain('"everything" no longer launches Warden; run: warden clients connect claude');
    await warden.ok(['claude', 'connect', '--config', path]);
    expect(await warden.ok(['claude', 'status'])).toMatch(/connected\s+4\/4/);
  });

  it('points a rewritten entry back by itself when autoReconnect is on', async () => {
    await warden.ok(['settings', 'set', 'autoReconnect', 'true']);
    const config = read();
    const connected = config.mcpServers.everything as Entry;
    config.mcpServers.everything = (JSON.parse(original) as typeof config).mcpServers.everything as Entry;
    writeFileSync(path, JSON.stringify(config, null, 2));
    const deadline = Date.now() + 10_000;
    while ((read().mcpServers.everything as Entry).args.at(-1) !== 'everything-2') {
      if (Date.now() > deadline) throw new Error('the entry was not pointed back');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(read().mcpServers.everything).toEqual(connected);
    await warden.ok(['settings', 'set', 'autoReconnect', 'false']);
  });

  it('restores entries without secrets, keeps the others on Warden until --restore-secrets, then brings the old file back', async () => {
    const first = await warden.ok(['claude', 'disconnect', '--config', path]);
    expect(first).toContain('restored "win-tool"');
    expect(first).toContain('left "everything": its environment held secrets (API_TOKEN); add --restore-secrets');
    expect(read().mcpServers['win-tool']).toEqual((JSON.parse(original) as ReturnType<typeof read>).mcpServers['win-tool']);
    await warden.ok(['claude', 'disconnect', '--config', path, '--restore-secrets']);
    expect(read()).toEqual(JSON.parse(original));
  });

  it('refuses a malformed file with its line and column and leaves it untouched', async () => {
    const broken = '{\n  "mcpServers": {\n    "a": { "command": "x", }\n  }\n}\n';
    const bad = join(warden.dataDir, 'broken.json');
    writeFileSync(bad, broken);
    const result = await warden.cli(['claude', 'import', '--config', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is not valid JSON at line 3, column 28 .*; Warden left it untouched/);
    expect(readFileSync(bad, 'utf8')).toBe(broken);

    writeFileSync(bad, '{ "mcpServers": [] }');
    expect((await warden.cli(['claude', 'import', '--config', bad])).stderr).toMatch(/"mcpServers" in .* is not an object; Warden left the file untouched/);
    expect((await warden.cli(['claude', 'import', '--config', join(warden.dataDir, 'nope.json')])).stderr).toMatch(/there is no Claude Desktop config at .*nope\.json; nothing to import/);
  });

  it('refuses to connect into a read-only file, saying how to fix it', async () => {
    chmodSync(path, 0o444);
    const result = await warden.cli(['claude', 'connect', '--config', path]);
    chmodSync(path, 0o600);
    expect(result.stderr).toMatch(/is read-only; make it writable \(chmod u\+w\) and try again/);
    expect(read()).toEqual(JSON.parse(original));
  });
});

describe('pointing VS Code at Warden', () => {
  const warden = new WardenHarness();

  beforeAll(async () => {
    await warden.startDaemon();
  });

  afterAll(async () => {
    await warden.stop();
  });

  it('keeps the comments of its JSONC file and writes typed stdio entries', async () => {
    const path = join(warden.dataDir, 'mcp.json');
    const text = `{\n  // servers I use every day\n  "servers": {\n    "notes": { "type": "stdio", "command": ${JSON.stringify(process.execPath)}, "args": [${JSON.stringify(FAULT_SERVER)}] },\n  },\n  "inputs": [],\n}\n`;
    writeFileSync(path, text);
    await warden.ok(['clients', 'import', 'vscode', '--config', path, '--default-action', 'allow']);
    await warden.ok(['clients', 'connect', 'vscode', '--config', path]);
    const after = readFileSync(path, 'utf8');
    expect(after).toContain('// servers I use every day');
    expect(after).toContain('"inputs": []');
    const entry = JSON.parse(after.replace(/\/\/.*\n/g, '\n').replace(/,(\s*[}\]])/g, '$1')).servers.notes as Entry & { type: string };
    expect(entry.type).toBe('stdio');
    const client = new Client({ name: 'vscode', version: '1' }, { capabilities: {} });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: entry.env ?? {}, stderr: 'pipe' }));
    expect((await client.callTool({ name: 'echo', arguments: { text: 'code' } })).content).toEqual([{ type: 'text', text: 'echo: code' }]);
    await client.close();
  });
});
