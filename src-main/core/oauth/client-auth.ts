import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { AuthorizationServerMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { WardenError } from '../errors/warden-error.js';
import type { OAuthServerSettings } from './oauth-settings.js';

/** The SDK's hook for client authentication at the token endpoint. */
export type AddClientAuthentication = (headers: Headers, params: URLSearchParams, url: string | URL, metadata?: AuthorizationServerMetadata) => void | Promise<void>;

/** A client assertion is valid this long (RFC 7523 asks for a short life; servers allow some skew). */
const ASSERTION_LIFETIME_S = 60;

interface SigningKey {
  key: KeyObject;
  alg: string;
  hash: string | null;
}

/** The JWS algorithm a key signs with, from its type and curve; refuses kinds we do not sign with. */
function signingKey(pem: string, server: string, ref: string | undefined): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // The crypto error may quote the input: it stays out of the sentence.
    throw new WardenError('invalid_request', `the private key of "${server}"${ref ? ` (${ref})` : ''} is not a PEM private key; store a PKCS#8 or PKCS#1 PEM with: warden secret set NAME`);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1') return { key, alg: 'ES256', hash: 'sha256' };
  if (key.asymmetricKeyType === 'ec' && curve === 'secp384r1') return { key, alg: 'ES384', hash: 'sha384' };
  if (key.asymmetricKeyType === 'ec' && curve === 'secp521r1') return { key, alg: 'ES512', hash: 'sha512' };
  if (key.asymmetricKeyType === 'rsa') return { key, alg: 'RS256', hash: 'sha256' };
  if (key.asymmetricKeyType === 'ed25519') return { key, alg: 'EdDSA', hash: null };
  throw new WardenError('invalid_request', `the private key of "${server}" is a ${key.asymmetricKeyType ?? 'unknown'} key; private_key_jwt signs with EC P-256/384/521, RSA or Ed25519 keys`);
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * A client assertion (RFC 7523 §2.2) for `clientId`: iss = sub = the client ID, aud = the
 * authorization server's issuer (the token endpoint when metadata names none), a fresh jti, and
 * a one-minute life. ECDSA signatures are in the JWS (r || s) form.
 */
export function clientAssertion(pem: string, clientId: string, audience: string, nowMs: number, server = 'this server', ref?: string): string {
  const { key, alg, hash } = signingKey(pem, server, ref);
  const iat = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ alg, typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iss: clientId, sub: clientId, aud: audience, jti: randomUUID(), iat, exp: iat + ASSERTION_LIFETIME_S }));
  const signature = sign(hash, Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${base64url(signature)}`;
}

/**
 * The token-endpoint authentication a server's settings ask for, or undefined to let the SDK
 * pick from what the authorization server offers (and what registration returned). An explicit
 * `authMethod`, or a private key (private_key_jwt), is applied to every token request.
 */
export function clientAuthentication(server: string, settings: OAuthServerSettings, now: () => number): AddClientAuthentication | undefined {
  const method = settings.authMethod ?? (settings.privateKey ? 'private_key_jwt' : undefined);
  const clientId = settings.clientId;
  if (!method || !clientId) return undefined;
  return (headers, params, url, metadata) => {
    if (method === 'client_secret_basic') {
      // RFC 6749 §2.3.1: both parts form-encoded before Basic.
      const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
      headers.set('Authorization', `Basic ${Buffer.from(`${encode(clientId)}:${encode(settings.clientSecret ?? '')}`).toString('base64')}`);
      return;
    }
    params.set('client_id', clientId);
    if (method === 'client_secret_post') params.set('client_secret', settings.clientSecret ?? '');
    if (method !== 'private_key_jwt') return;
    const audience = metadata?.issuer ?? String(url);
    params.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    params.set('client_assertion', clientAssertion(settings.privateKey ?? '', clientId, audience, now(), server, settings.privateKeyRef));
  };
}
