import * as fs from 'node:fs';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../helpers/temp-dir.js';
import { editEntries, parseConfig, writeConfigAtomic, type ConfigFs } from '../../../../src-main/core/integrations/config-file.js';

const dir = (): string => tempDir('warden-config-');

describe('parseConfig()', () => {
  it('refuses invalid JSON naming the line and column', () => {
    expect(() => parseConfig('{\n  "mcpServers": {\n    "a": { "command": "x" }\n    "b": {}\n  }\n}', '/c.json', false)).toThrow(
      /^\/c\.json is not valid JSON at line 4, column 5 \(comma expected\); Warden left it untouched/,
    );
  });

  it('refuses comments in strict JSON but accepts them in JSONC', () => {
    const text = '{\n  // my servers\n  "servers": {},\n}';
    expect(() => parseConfig(text, '/c.json', false)).toThrow(/line 2, column 3/);
    expect(parseConfig(text, '/mcp.json', true)).toEqual({ servers: {} });
  });

  it('refuses a top level that is not an object', () => {
    expect(() => parseConfig('[1,2]', '/c.json', false)).toThrow(/does not hold a JSON object/);
  });
});

describe('editEntries()', () => {
  it('changes only the named entries, keeping comments, order and formatting of the rest', () => {
    const text = '{\n  // keep me\n  "theme":   "dark",\n  "servers": {\n    "a": {"command": "x"},\n    "b": {"command": "y"}\n  }\n}\n';
    const edited = editEntries(text, 'servers', new Map([['a', { command: 'warden' }]]));
    expect(edited).toContain('// keep me\n  "theme":   "dark",');
    expect(edited).toContain('"b": {"command": "y"}');
    expect(parseConfig(edited, 'x', true)).toEqual({ theme: 'dark', servers: { a: { command: 'warden' }, b: { command: 'y' } } });
  });

  it('creates the servers object in an empty file', () => {
    expect(JSON.parse(editEntries('', 'mcpServers', new Map([['a', { command: 'x' }]])))).toEqual({ mcpServers: { a: { command: 'x' } } });
  });
});

describe('writeConfigAtomic()', () => {
  const original = '{ "mcpServers": { "a": { "command": "x" } } }\n';

  it('keeps a byte-identical backup and the original permissions', () => {
    const path = join(dir(), 'claude_desktop_config.json');
    writeFileSync(path, original);
    chmodSync(path, 0o640);
    const backup = writeConfigAtomic(path, '{"new": true}', 0o640, new Date('2026-11-26T10:00:00Z'));
    expect(backup).toBe(`${path}.warden-backup-20261126T100000Z`);
    expect(readFileSync(backup as string, 'utf8')).toBe(original);
    expect(readFileSync(path, 'utf8')).toBe('{"new": true}');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('leaves the original whole when the write is interrupted before the rename', () => {
    const folder = dir();
    const path = join(folder, 'mcp.json');
    writeFileSync(path, original);
    const failing: ConfigFs = {
      ...fs,
      renameSync: () => {
        throw new Error('power went out');
      },
    };
    expect(() => writeConfigAtomic(path, '{}', 0o600, new Date(), failing)).toThrow(/could not write .*: power went out; the original is unchanged/);
    expect(readFileSync(path, 'utf8')).toBe(original);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp') || name.endsWith('-lock'))).toEqual([]);
  });

  it('refuses a read-only file, saying how to fix it', () => {
    const path = join(dir(), 'mcp.json');
    writeFileSync(path, original);
    chmodSync(path, 0o444);
    expect(() => writeConfigAtomic(path, '{}', 0o444, new Date())).toThrow(/is read-only; make it writable \(chmod u\+w\)/);
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('refuses to write while another command holds the lock', () => {
    const path = join(dir(), 'mcp.json');
    writeFileSync(path, original);
    writeFileSync(`${path}.warden-lock`, '');
    expect(() => writeConfigAtomic(path, '{}', 0o600, new Date())).toThrow(/being changed by another Warden command/);
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('takes over a lock left by a command that died, and releases it', () => {
    const path = join(dir(), 'mcp.json');
    writeFileSync(path, original);
    writeFileSync(`${path}.warden-lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.warden-lock`, old, old);
    writeConfigAtomic(path, '{}', 0o600, new Date());
    expect(readFileSync(path, 'utf8')).toBe('{}');
    expect(existsSync(`${path}.warden-lock`)).toBe(false);
    expect(existsSync(`${path}.warden-lock.takeover`)).toBe(false);
  });
});

describe('G7: config backups', () => {
  it('are written 0600 even when the original is world-readable', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'warden-backup-')), 'mcp.json');
    writeFileSync(path, '{"env": {"KEY": "old-secret"}}');
    chmodSync(path, 0o644);
    const backup = writeConfigAtomic(path, '{}', 0o644, new Date('2026-11-26T10:00:00Z')) as string;
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(readFileSync(backup, 'utf8')).toBe('{"env": {"KEY": "old-secret"}}');
    rmSync(dirname(path), { recursive: true, force: true });
  });

  it('leave no half-written backup when writing one fails, and change nothing', () => {
    const folder = mkdtempSync(join(tmpdir(), 'warden-backup-'));
    const path = join(folder, 'mcp.json');
    writeFileSync(path, '{}');
    const failing: ConfigFs = {
      ...fs,
      fsyncSync: () => {
        throw new Error('disk full');
      },
    };
    expect(() => writeConfigAtomic(path, '{"new": 1}', 0o600, new Date(), failing)).toThrow(/could not back up .*: disk full; nothing was changed/);
    expect(readdirSync(folder)).toEqual(['mcp.json']);
    rmSync(folder, { recursive: true, force: true });
  });
});
