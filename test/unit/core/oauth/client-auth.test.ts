import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientAssertion, clientAuthentication } from '../../../../src-main/core/oauth/client-auth.js';

const NOW = Date.UTC(2026, 0, 1);
const decode = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('clientAssertion()', () => {
  it('signs an ES256 assertion with iss = sub = the client ID and aud = the issuer, verifiable with the public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwt = clientAssertion(pem, 'ci-client', 'https://as.example/tenant', NOW);
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    expect(decode(header)).toEqual({ alg: 'ES256', typ: 'JWT' });
    expect(decode(payload)).toMatchObject({ iss: 'ci-client', sub: 'ci-client', aud: 'https://as.example/tenant', iat: NOW / 1000, exp: NOW / 1000 + 60 });
    expect(typeof decode(payload).jti).toBe('string');
    const valid = verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
    expect(valid).toBe(true);
  });

  it('signs with RS256 for an RSA key and EdDSA for an Ed25519 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    const rsaJwt = clientAssertion(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'c', 'https://as', NOW);
    const edJwt = clientAssertion(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'c', 'https://as', NOW);
    expect(decode(rsaJwt.split('.')[0] as string).alg).toBe('RS256');
    const [h, p, s] = edJwt.split('.') as [string, string, string];
    expect(decode(h).alg).toBe('EdDSA');
    expect(verify(null, Buffer.from(`${h}.${p}`), ed.publicKey, Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('refuses what is not a PEM private key with a sentence that names the vault reference, not the bytes', () => {
    expect(() => clientAssertion('not a key: s3cr3t-bytes', 'c', 'https://as', NOW, 'machine', '${secret:CI_KEY}')).toThrow(
      /^the private key of "machine" \(\$\{secret:CI_KEY\}\) is not a PEM private key; store a PKCS#8 or PKCS#1 PEM with: warden secret set NAME$/,
    );
    try {
      clientAssertion('not a key: s3cr3t-bytes', 'c', 'https://as', NOW);
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });
});

describe('clientAuthentication()', () => {
  const apply = (settings: Parameters<typeof clientAuthentication>[1]): { headers: Headers; params: URLSearchParams } => {
    const headers = new Headers();
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    const add = clientAuthentication('srv', settings, () => NOW);
    if (!add) throw new Error('no authentication');
    void add(headers, params, 'https://as.example/token', { issuer: 'https://as.example', authorization_endpoint: 'x', token_endpoint: 'y', response_types_supported: ['code'] });
    return { headers, params };
  };

  it('leaves the choice to the SDK when nothing is forced and no key is held', () => {
    expect(clientAuthentication('srv', { clientId: 'c', clientSecret: 's' }, () => NOW)).toBeUndefined();
  });

  it('sends client_secret_basic as form-encoded id:secret in the Authorization header, and nothing in the body', () => {
    const { headers, params } = apply({ clientId: 'ci client', clientSecret: 'p:w', authMethod: 'client_secret_basic' });
    expect(headers.get('authorization')).toBe(`Basic ${Buffer.from('ci+client:p%3Aw').toString('base64')}`);
    expect(params.has('client_secret')).toBe(false);
  });

  it('sends client_secret_post in the body, with no Authorization header', () => {
    const { headers, params } = apply({ clientId: 'ci', clientSecret: 'pw', authMethod: 'client_secret_post' });
    expect(headers.has('authorization')).toBe(false);
    expect(Object.fromEntries(params)).toMatchObject({ client_id: 'ci', client_secret: 'pw' });
  });

  it('sends private_key_jwt as a jwt-bearer assertion addressed to the issuer when a key is held', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { params } = apply({ clientId: 'ci', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    expect(params.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(decode((params.get('client_assertion') as string).split('.')[1] as string).aud).toBe('https://as.example');
    expect(params.has('client_secret')).toBe(false);
  });
});
