import type { OAuthAuthMethod, OAuthGrant } from '../../../src-shared/control-api.js';

/** What a server's settings say about its OAuth client, secrets already resolved. */
export interface OAuthServerSettings {
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  scope?: string;
  grant?: OAuthGrant;
  authMethod?: OAuthAuthMethod;
  /** The PEM private key for private_key_jwt (resolved from the vault). */
  privateKey?: string;
  /** The vault reference the key came from, to name it in a sentence without showing it. */
  privateKeyRef?: string;
}

/** A remote server's stored OAuth settings, as the control API schema keeps them. */
export interface StoredOAuthSettings {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  clientMetadataUrl?: string | undefined;
  scope?: string | undefined;
  grant?: OAuthGrant | undefined;
  authMethod?: OAuthAuthMethod | undefined;
  privateKey?: string | undefined;
}

/**
 * The settings the OAuth client runs with: the server's own, its `${secret:NAME}` references
 * resolved through `resolve` (which throws, naming the secret, when one is not set), and the
 * global Client ID Metadata Document URL where the server names none and no pre-registered
 * client. The global URL is offered only to authorization servers that advertise
 * `client_id_metadata_document_supported`; the SDK registers dynamically with the others.
 */
export function resolveOAuthSettings(stored: StoredOAuthSettings | undefined, resolve: (template: string) => string, globalMetadataUrl: string): OAuthServerSettings {
  const out: OAuthServerSettings = {};
  if (stored?.clientId) out.clientId = stored.clientId;
  if (stored?.clientSecret) out.clientSecret = resolve(stored.clientSecret);
  if (stored?.scope) out.scope = stored.scope;
  if (stored?.grant) out.grant = stored.grant;
  if (stored?.authMethod) out.authMethod = stored.authMethod;
  if (stored?.privateKey) {
    out.privateKey = resolve(stored.privateKey);
    out.privateKeyRef = stored.privateKey;
  }
  const metadataUrl = stored?.clientMetadataUrl ?? (stored?.clientId || out.grant === 'client_credentials' ? '' : globalMetadataUrl);
  if (metadataUrl) out.clientMetadataUrl = metadataUrl;
  return out;
}
