import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, WardenHarness, waitForApproval } from '../helpers/warden-harness.js';

/**
 * The commands of the README's first ```sh block under `heading`, exactly as written: comment
 * lines dropped, `\`-continued lines joined.
 */
function readmeCommands(heading: string, nth = 0): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README.md has no heading "${heading}"`);
  const blocks = [...readme.slice(start).matchAll(/```sh\n([\s\S]*?)```/g)];
  const block = blocks[nth]?.[1];
  if (block === undefined) throw new Error(`no sh block ${nth} under "${heading}"`);
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Runs one README line with sh in the checkout, as a user would type it. */
function sh(command: string, warden: WardenHarness): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('sh', ['-c', command], { cwd: ROOT, env: warden.baseEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the README quick start', () => {
  const warden = new WardenHarness();

  afterAll(async () => {
    await warden.stop();
  });

  it('runs as written: a server behind Warden, its secret from the vault, a key, then the rules', { timeout: 300_000 }, async () => {
    const setup = readmeCommands('## Quick start: connect a client by hand');
    expect(setup.map((line) => line.split(' ').slice(0, 5).join(' '))).toEqual([
      'npx warden server add everything',
      "printf '%s' 'the-real-token' | npx",
      'npx warden client add claude-desktop',
    ]);
    const outputs: string[] = [];
    for (const command of setup) {
      const result = await sh(command, warden);
      expect(result.code, `${command}\n${result.stderr}`).toBe(0);
      outputs.push(result.stdout);
    }
    expect(outputs[0]).toMatch(/^added server "everything" \(calls no rule covers: ask\)/);
    expect(outputs[1]).toBe('stored secret API_TOKEN\n');
    const key = (outputs[2] as string).trim();
    expect(key).toMatch(/^wk_/);

    // The entry Claude Desktop would launch; the first call asks, as the README says.
    const client = await warden.connect('everything', key);
    try {
      const call = client.callTool({ name: 'get-env', arguments: {} });
      const ask = await waitForApproval(warden, (a) => a.tool === 'get-env');
      await warden.ok(['approvals', 'allow', ask.id]);
      const result = (await call) as { content: Array<{ text: string }> };
      // The vault's value reached the server (npx -y ran it from node_modules), never the config.
      expect(result.content[0]?.text).toContain('"API_TOKEN": "the-real-token"');
    } finally {
      await client.close();
    }

    const rules = readmeCommands('### Decide what agents may do', 1);
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const command of rules) {
      const result = await sh(command, warden);
      expect(result.code, `${command}\n${result.stderr}`).toBe(0);
    }
    expect(await warden.ok(['status'])).toMatch(/PAUSED/);
  });
});
