import { describe, expect, it } from 'vitest';
import { secretNameFor, vaultReason } from '../../../../src-main/core/integrations/entry-values.js';

describe('secretNameFor()', () => {
  const none = (): boolean => false;

  it('keeps a key that already starts with the server’s name instead of doubling it', () => {
    expect(secretNameFor('github', 'github', 'GITHUB_PERSONAL_ACCESS_TOKEN', none)).toBe('GITHUB_PERSONAL_ACCESS_TOKEN');
    expect(secretNameFor('github-2', 'github', 'GITHUB_PERSONAL_ACCESS_TOKEN', none)).toBe('GITHUB_PERSONAL_ACCESS_TOKEN');
  });

  it('prefixes a key that does not name its server', () => {
    expect(secretNameFor('everything-2', 'everything', 'API_TOKEN', none)).toBe('EVERYTHING_2_API_TOKEN');
  });

  it('suffixes a name that is taken', () => {
    const taken = new Set(['GITHUB_TOKEN', 'GITHUB_TOKEN_2']);
    expect(secretNameFor('github', 'github', 'GITHUB_TOKEN', (name) => taken.has(name))).toBe('GITHUB_TOKEN_3');
  });
});

describe('vaultReason()', () => {
  it('vaults a value holding a secret reference, so a rewritten config cannot make Warden expand another secret', () => {
    expect(vaultReason('LOG_LEVEL', '${secret:AWS_SECRET}')).toMatch(/reference, kept literal in the vault/);
  });

  it('keeps a plain setting plain', () => {
    expect(vaultReason('LOG_LEVEL', 'debug')).toBeUndefined();
  });
});
