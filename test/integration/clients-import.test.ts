import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, WardenHarness } from '../helpers/warden-harness.js';

const PAT = 'ghp_R4nd0mL00k1ngT0kenV4lue0123456789ab';
const HIDDEN = 'sk-live-Q2x9Vb7Lm4Np8Rt6Ws3Yz1';

describe('importing a client config', () => {
  const warden = new WardenHarness();
  let path: string;

  beforeAll(async () => {
    await warden.startDaemon();
    path = join(warden.dataDir, 'claude_desktop_config.json');
    writeFileSync(
      path,
      JSON.stringify({
        mcpServers: {
          github: {
            command: process.execPath,
            args: [EVERYTHING, 'stdio'],
            env: {
              GITHUB_PERSONAL_ACCESS_TOKEN: PAT,
              LOG_LEVEL: 'debug',
              GITHUB_API_URL: 'https://api.github.com',
              UPSTREAM_SETTING: HIDDEN,
              NOTES: '${secret:GITHUB_PERSONAL_ACCESS_TOKEN}',
            },
          },
        },
      }),
    );
  });

  afterAll(async () => {
    await warden.stop();
  });

  it('moves only credentials into the vault, named without a doubled prefix, and says which went where', async () => {
    const out = await warden.ok(['claude', 'import', '--config', path, '--default-action', 'allow']);
    expect(out).toContain('imported "github" as server "github"');
    expect(out).toContain('GITHUB_PERSONAL_ACCESS_TOKEN → vault secret GITHUB_PERSONAL_ACCESS_TOKEN (its name (GITHUB_PERSONAL_ACCESS_TOKEN) says it is a credential)');
    expect(out).toContain('UPSTREAM_SETTING → vault secret GITHUB_UPSTREAM_SETTING (its value looks like an API key (sk-…))');
    expect(out).toContain('LOG_LEVEL stays plain');
    expect(out).toContain('GITHUB_API_URL stays plain');
    expect(out).not.toContain('GITHUB_GITHUB_');
    expect(out).not.toContain(PAT);

    const secrets = (JSON.parse(await warden.ok(['secret', 'list', '--json'])) as Array<{ name: string }>).map((s) => s.name);
    expect(secrets.sort()).toEqual(['GITHUB_NOTES', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'GITHUB_UPSTREAM_SETTING']);
    const server = (JSON.parse(await warden.ok(['server', 'list', '--json'])) as Array<{ name: string; env: Record<string, string> }>).find((s) => s.name === 'github');
    expect(server?.env).toEqual({
      GITHUB_PERSONAL_ACCESS_TOKEN: '${secret:GITHUB_PERSONAL_ACCESS_TOKEN}',
      LOG_LEVEL: 'debug',
      GITHUB_API_URL: 'https://api.github.com',
      UPSTREAM_SETTING: '${secret:GITHUB_UPSTREAM_SETTING}',
      NOTES: '${secret:GITHUB_NOTES}',
    });
    for (const file of readdirSync(warden.dataDir).filter((f) => f.startsWith('warden.db'))) {
      expect(readFileSync(join(warden.dataDir, file)).includes(Buffer.from(PAT))).toBe(false);
    }
  });

  it('hands the upstream each value as it was, the secret reference in a plain setting unexpanded', async () => {
    const key = await warden.clientKey('tester');
    const client = await warden.connect('github', key);
    const result = await client.callTool({ name: 'get-env', arguments: {} });
    const env = JSON.parse((result.content as Array<{ text: string }>)[0]!.text) as Record<string, string>;
    await client.close();
    expect(env).toMatchObject({ GITHUB_PERSONAL_ACCESS_TOKEN: PAT, LOG_LEVEL: 'debug', UPSTREAM_SETTING: HIDDEN, NOTES: '${secret:GITHUB_PERSONAL_ACCESS_TOKEN}' });
  });
});
