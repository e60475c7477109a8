import { describe, expect, it } from 'vitest';
import { resolveOAuthSettings } from '../../../../src-main/core/oauth/oauth-settings.js';
import { oauthConfigProblem } from '../../../../src-shared/control-api.js';

const vault: Record<string, string> = { S: 'the-secret', K: '-----BEGIN PRIVATE KEY-----' };
const resolve = (template: string): string =>
  template.replace(/\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = vault[name];
    if (value === undefined) throw new Error(`secret ${name} is not set`);
    return value;
  });
const GLOBAL = 'https://warden.example/client.json';

describe('resolveOAuthSettings()', () => {
  it('offers the global client metadata document URL to a server with no client of its own', () => {
    expect(resolveOAuthSettings(undefined, resolve, GLOBAL)).toEqual({ clientMetadataUrl: GLOBAL });
    expect(resolveOAuthSettings({ scope: 'read' }, resolve, GLOBAL)).toEqual({ scope: 'read', clientMetadataUrl: GLOBAL });
  });

  it('prefers the server\'s own metadata URL, and offers none with a pre-registered client or the client_credentials grant', () => {
    expect(resolveOAuthSettings({ clientMetadataUrl: 'https://own.example/c.json' }, resolve, GLOBAL).clientMetadataUrl).toBe('https://own.example/c.json');
    expect(resolveOAuthSettings({ clientId: 'c' }, resolve, GLOBAL).clientMetadataUrl).toBeUndefined();
    expect(resolveOAuthSettings({ clientId: 'c', grant: 'client_credentials', clientSecret: '${secret:S}' }, resolve, GLOBAL).clientMetadataUrl).toBeUndefined();
    expect(resolveOAuthSettings(undefined, resolve, '').clientMetadataUrl).toBeUndefined();
  });

  it('resolves the secret and the private key from the vault and keeps the key\'s reference to name it', () => {
    const out = resolveOAuthSettings({ clientId: 'c', privateKey: '${secret:K}', grant: 'client_credentials' }, resolve, '');
    expect(out).toEqual({ clientId: 'c', grant: 'client_credentials', privateKey: vault.K, privateKeyRef: '${secret:K}' });
    expect(resolveOAuthSettings({ clientId: 'c', clientSecret: '${secret:S}' }, resolve, '').clientSecret).toBe('the-secret');
  });

  it('lets a missing secret\'s error through, naming it', () => {
    expect(() => resolveOAuthSettings({ clientId: 'c', clientSecret: '${secret:NOPE}' }, resolve, '')).toThrow(/secret NOPE is not set/);
  });
});

describe('oauthConfigProblem()', () => {
  it('accepts the combinations that work', () => {
    expect(oauthConfigProblem({})).toBeUndefined();
    expect(oauthConfigProblem({ clientId: 'c', clientSecret: 's' })).toBeUndefined();
    expect(oauthConfigProblem({ clientId: 'c', clientSecret: 's', grant: 'client_credentials', authMethod: 'client_secret_post' })).toBeUndefined();
    expect(oauthConfigProblem({ clientId: 'c', privateKey: 'k', grant: 'client_credentials' })).toBeUndefined();
    expect(oauthConfigProblem({ clientId: 'c', authMethod: 'none' })).toBeUndefined();
  });

  it('refuses the ones that cannot work, each with one sentence', () => {
    expect(oauthConfigProblem({ clientId: 'c', authMethod: 'none', clientSecret: 's' })).toMatch(/^the auth method none sends no secret/);
    expect(oauthConfigProblem({ clientId: 'c', authMethod: 'client_secret_basic' })).toBe('client_secret_basic needs the client secret (--oauth-client-secret)');
    expect(oauthConfigProblem({ privateKey: 'k' })).toMatch(/needs the client ID/);
    expect(oauthConfigProblem({ clientId: 'c', grant: 'client_credentials', clientSecret: 's', authMethod: 'none' })).toMatch(/fits neither/);
  });
});
