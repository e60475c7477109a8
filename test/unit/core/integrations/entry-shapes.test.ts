import { describe, expect, it } from 'vitest';
import { clientApp } from '../../../../src-main/core/integrations/client-apps.js';
import { httpEntry, masked, shimEntry, wardenEntryOf } from '../../../../src-main/core/integrations/entry-shapes.js';

const KEY = `wk_${'a'.repeat(43)}`;
const SHIM = { command: '/usr/bin/node', args: ['/opt/warden/stdio.mjs'], env: {} };

describe('wardenEntryOf()', () => {
  it('reads a per-server shim entry and the aggregated one apart', () => {
    expect(wardenEntryOf(shimEntry(clientApp('claude'), SHIM, KEY, 'github'))).toEqual({ transport: 'stdio', server: 'github', key: KEY });
    expect(wardenEntryOf(shimEntry(clientApp('claude'), SHIM, KEY, undefined))).toEqual({ transport: 'stdio', server: undefined, key: KEY });
  });

  it('reads each client’s URL entry with its bearer key', () => {
    expect(httpEntry(clientApp('claude-code'), 'http://127.0.0.1:7390/mcp/github', KEY)).toEqual({ type: 'http', url: 'http://127.0.0.1:7390/mcp/github', headers: { Authorization: `Bearer ${KEY}` } });
    expect(httpEntry(clientApp('cursor'), 'http://127.0.0.1:7390/mcp', KEY)).toEqual({ url: 'http://127.0.0.1:7390/mcp', headers: { Authorization: `Bearer ${KEY}` } });
    expect(wardenEntryOf(httpEntry(clientApp('vscode'), 'http://127.0.0.1:7390/mcp/a%20b', KEY))).toEqual({ transport: 'http', server: 'a b', key: KEY });
    expect(wardenEntryOf(httpEntry(clientApp('cursor'), 'http://localhost:9/mcp', KEY))?.server).toBeUndefined();
  });

  it.each([
    ['a remote host', { url: 'http://evil.example/mcp', headers: { Authorization: `Bearer ${KEY}` } }],
    ['https on a remote host', { url: 'https://127.0.0.1.evil.example/mcp', headers: { Authorization: `Bearer ${KEY}` } }],
    ['another path', { url: 'http://127.0.0.1:7390/other', headers: { Authorization: `Bearer ${KEY}` } }],
    ['a key that is not Warden’s', { url: 'http://127.0.0.1:7390/mcp', headers: { Authorization: 'Bearer ghp_x' } }],
    ['a bad percent escape', { url: 'http://127.0.0.1:7390/mcp/%E0%A4%A', headers: { Authorization: `Bearer ${KEY}` } }],
    ['no key in the env', { command: 'node', args: ['stdio.mjs', '--server', 'x'], env: {} }],
    ['a non-string server', { command: 'node', args: ['--server', 5], env: { WARDEN_CLIENT_KEY: KEY } }],
    ['an array', [1, 2]],
  ])('does not count an entry with %s as Warden’s', (_what, entry) => {
    expect(wardenEntryOf(entry)).toBeUndefined();
  });
});

describe('masked()', () => {
  it('hides env and header values and shortens the client key', () => {
    const shown = JSON.stringify([masked({ env: { TOKEN: 'secret-1', WARDEN_CLIENT_KEY: KEY } }), masked({ headers: { Authorization: `Bearer ${KEY}`, 'X-Api-Key': 'secret-2' } })]);
    expect(shown).not.toContain('secret-1');
    expect(shown).not.toContain('secret-2');
    expect(shown).not.toContain(KEY);
    expect(shown).toContain('Bearer wk_aaaaaaaa…');
  });
});
