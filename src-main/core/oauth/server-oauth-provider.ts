import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { WardenError } from '../errors/warden-error.js';
import { checkExternalUrl } from '../security/url-guard.js';
import { VERSION } from '../version.js';
import { clientAuthentication, type AddClientAuthentication } from './client-auth.js';
import type { OAuthServerSettings } from './oauth-settings.js';
import type { OAuthStore } from './oauth-store.js';

/** How long a sign-in may take in the browser. */
export const FLOW_TIMEOUT_MS = 5 * 60_000;
/** At most one browser tab per server in this long while its sign-in is still out. */
const TAB_INTERVAL_MS = 5 * 60_000;
/** Sign-ins whose answer may still come (older ones are dropped). */
const MAX_FLOWS = 8;

/** What the provider needs of the manager that owns it. */
export interface ProviderHost {
  readonly store: OAuthStore;
  readonly redirectUrl: string;
  newState(): string;
  expect(state: string, flow: { server: string; issuer: string | undefined; requireIss: boolean }, timeoutMs: number): Promise<string>;
  /** Exchanges the code of a sign-in; rejects with the reason it failed. */
  exchange(server: string, serverUrl: string, code: string, state: string): Promise<void>;
  refresh(server: string, serverUrl: string, issuer: string): Promise<void>;
  open(url: string): Promise<void>;
  note(text: string): void;
  now(): number;
}

/** A sign-in out in the browser: the calls that wait for it await `done`. */
interface PendingSignIn {
  state: string;
  done: Promise<void>;
}

/**
 * Warden's OAuth client for one remote server, driven by the SDK's `auth()`: PKCE S256
 * (enforced by the guarded fetch), `resource` on every request, a pre-registered, CIMD or
 * dynamically registered client (`application_type: native`), the loopback redirect, tokens
 * sealed in the vault; or, for the `client_credentials` grant, no browser at all.
 * Discovery is trusted only once it led to tokens (or while its sign-in is out): a failed
 * attempt leaves nothing behind, so the next one discovers afresh.
 */
export class ServerOAuthProvider implements OAuthClientProvider {
  private pendingState: string | undefined;
  /** Per sign-in (by state): its PKCE verifier and what its discovery found. */
  private readonly flows = new Map<string, { verifier?: string; discovery?: OAuthDiscoveryState | undefined }>();
  private exchangeState: string | undefined;
  /** What the latest discovery found (possibly from an attempt that will fail). */
  private discovery: OAuthDiscoveryState | undefined;
  /** The discovery that led to the tokens held. */
  private confirmed: OAuthDiscoveryState | undefined;
  pending: PendingSignIn | undefined;
  lastTabAt = 0;
  private stepUps: number[] = [];
  refreshing = false;
  /** Set when the server answered 403 insufficient_scope: a refresh cannot widen the scope. */
  stepUpWanted = false;
  readonly addClientAuthentication: AddClientAuthentication | undefined;

  constructor(
    private readonly server: string,
    private readonly serverUrl: string,
    private readonly host: ProviderHost,
    private readonly settings: OAuthServerSettings,
  ) {
    this.addClientAuthentication = clientAuthentication(server, settings, () => host.now());
  }

  private get machine(): boolean {
    return this.settings.grant === 'client_credentials';
  }

  get clientMetadataUrl(): string | undefined {
    return this.settings.clientMetadataUrl;
  }

  /** None for the client_credentials grant: the SDK then asks the token endpoint directly. */
  get redirectUrl(): string | undefined {
    return this.machine ? undefined : this.host.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    const method = this.settings.authMethod ?? (this.settings.privateKey ? 'private_key_jwt' : this.settings.clientSecret ? 'client_secret_basic' : 'none');
    return {
      client_name: 'MCP Warden',
      client_uri: 'https://github.com/mcp-warden',
      redirect_uris: this.machine ? [] : [this.host.redirectUrl],
      grant_types: this.machine ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
      response_types: this.machine ? [] : ['code'],
      token_endpoint_auth_method: method,
      ...(this.settings.scope ? { scope: this.settings.scope } : {}),
      software_id: 'mcp-warden',
      software_version: VERSION,
      application_type: 'native',
    } as OAuthClientMetadata;
  }

  state(): string {
    this.pendingState = this.host.newState();
    return this.pendingState;
  }

  /** A pre-registered client from the server's settings comes first; then what was registered. */
  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    if (this.settings.clientId) {
      const secret = this.settings.clientSecret;
      const method = this.settings.authMethod ?? (this.settings.privateKey ? 'private_key_jwt' : undefined);
      return { client_id: this.settings.clientId, ...(secret ? { client_secret: secret } : {}), ...(method ? { token_endpoint_auth_method: method } : {}) };
    }
    return (await this.host.store.get(this.server)).clientInformation;
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    if (this.settings.clientId) return;
    await this.host.store.update(this.server, (record) => ({ ...record, clientInformation }));
  }

  /** The client_credentials grant's token request; undefined lets the SDK build the code exchange. */
  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (!this.machine) return undefined;
    return new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  }

  /** The tokens, refreshed first when they expire within a minute (one refresh per issuer at a time). */
  async tokens(): Promise<OAuthTokens | undefined> {
    const record = await this.host.store.get(this.server);
    if (this.stepUpWanted && record.tokens) {
      // Without the refresh token the SDK asks for a new authorization, as a step-up needs.
      const withoutRefresh = { ...record.tokens };
      delete withoutRefresh.refresh_token;
      return withoutRefresh;
    }
    if (!this.refreshing && record.tokens?.refresh_token && record.expiresAt !== undefined && record.expiresAt - this.host.now() < 60_000) {
      await this.host.refresh(this.server, this.serverUrl, record.issuer ?? this.serverUrl);
      return (await this.host.store.get(this.server)).tokens;
    }
    return record.tokens;
  }

  async saveTokens(tokens: OAuthTokens & { issuer?: string }): Promise<void> {
    const expiresAt = tokens.expires_in === undefined ? undefined : this.host.now() + tokens.expires_in * 1000;
    const discovery = this.exchangeDiscovery() ?? this.discovery;
    await this.host.store.update(this.server, (record) => ({
      ...record,
      tokens,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      issuer: tokens.issuer ?? discovery?.authorizationServerUrl,
      resource: this.serverUrl,
    }));
    this.confirmed = discovery;
    // Answered: the next sign-in this server needs (a step-up) may open its page at once.
    this.lastTabAt = 0;
    this.stepUpWanted = false;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const checked = checkExternalUrl(authorizationUrl.href);
    if (!checked.ok) throw new WardenError('unavailable', `the sign-in page of "${this.server}" is refused: ${checked.reason}`);
    const state = this.pendingState ?? authorizationUrl.searchParams.get('state') ?? '';
    if (this.pending && this.host.now() - this.lastTabAt < TAB_INTERVAL_MS) {
      // One page per sign-in: this request waits for the one already open.
      this.flows.delete(state);
      this.host.note(`"${this.server}" needs a sign-in; its sign-in page is already open, waiting for it`);
      return;
    }
    const held = (await this.host.store.get(this.server)).tokens;
    if (held) {
      // A sign-in while tokens are held is a step-up (insufficient_scope): ask for the union of
      // the scopes held and those wanted, and at most twice in ten minutes.
      const now = this.host.now();
      this.stepUps = [...this.stepUps.filter((at) => now - at < 10 * 60_000), now];
      if (this.stepUps.length > 2) {
        throw new WardenError('unavailable', `"${this.server}" keeps asking for more access (3 step-ups in 10 minutes); refusing to sign in again`);
      }
      const scopes = new Set([...(held.scope?.split(' ') ?? []), ...(authorizationUrl.searchParams.get('scope')?.split(' ') ?? [])].filter(Boolean));
      if (scopes.size > 0) authorizationUrl.searchParams.set('scope', [...scopes].join(' '));
    }
    const metadata = this.discovery?.authorizationServerMetadata as (Record<string, unknown> & { issuer?: string }) | undefined;
    const code = this.host.expect(
      state,
      { server: this.server, issuer: metadata?.issuer, requireIss: metadata?.authorization_response_iss_parameter_supported === true },
      FLOW_TIMEOUT_MS,
    );
    this.flows.set(state, { ...this.flows.get(state), discovery: this.discovery });
    const signIn: PendingSignIn = { state, done: Promise.resolve() };
    signIn.done = code
      .then((answer) => this.host.exchange(this.server, this.serverUrl, answer, state))
      .then(
        () => this.host.note(`"${this.server}": signed in`),
        (error: Error) => {
          // A failed sign-in leaves nothing behind: the next attempt discovers afresh and may open a page.
          this.discovery = undefined;
          this.lastTabAt = 0;
          this.host.note(`"${this.server}": sign-in not completed: ${error.message}`);
          throw error;
        },
      )
      .finally(() => {
        this.flows.delete(state);
        if (this.pending === signIn) this.pending = undefined;
      });
    signIn.done.catch(() => undefined);
    this.pending = signIn;
    this.lastTabAt = this.host.now();
    this.host.note(`opening the sign-in page of "${this.server}" (${authorizationUrl.origin}) in the browser`);
    await this.host.open(authorizationUrl.href);
  }

  saveCodeVerifier(codeVerifier: string): void {
    if (this.pendingState === undefined) return;
    this.flows.set(this.pendingState, { ...this.flows.get(this.pendingState), verifier: codeVerifier });
    while (this.flows.size > MAX_FLOWS) this.flows.delete(this.flows.keys().next().value as string);
  }

  /** Runs `work` (the code exchange) with the verifier and discovery of the sign-in `state` answered. */
  async exchanging<T>(state: string, work: () => Promise<T>): Promise<T> {
    this.exchangeState = state;
    try {
      return await work();
    } finally {
      this.exchangeState = undefined;
    }
  }

  codeVerifier(): string {
    const verifier = this.exchangeState === undefined ? undefined : this.flows.get(this.exchangeState)?.verifier;
    if (verifier === undefined) throw new WardenError('unavailable', 'no sign-in is in progress');
    return verifier;
  }

  private exchangeDiscovery(): OAuthDiscoveryState | undefined {
    return this.exchangeState === undefined ? undefined : this.flows.get(this.exchangeState)?.discovery;
  }

  validateResourceURL(serverUrl: string | URL, resource?: string): Promise<URL | undefined> {
    if (resource === undefined) return Promise.resolve(new URL(serverUrl));
    const wanted = new URL(serverUrl);
    const named = new URL(resource);
    const sameResource = named.origin === wanted.origin && (wanted.pathname === named.pathname || wanted.pathname.startsWith(named.pathname.replace(/\/?$/, '/')));
    if (!sameResource) {
      return Promise.reject(new WardenError('unavailable', `the resource metadata of "${this.server}" names ${named.origin}${named.pathname}, not this server's URL; refusing to sign in`));
    }
    return Promise.resolve(named);
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'verifier') return;
    if (scope === 'discovery') {
      this.forgetDiscovery();
      return;
    }
    this.host.note(`"${this.server}": the authorization server refused the stored ${scope === 'tokens' ? 'tokens' : 'credentials'}; signed out`);
    await this.host.store.update(this.server, (record) => {
      const next = { ...record };
      if (scope === 'all' || scope === 'tokens') {
        delete next.tokens;
        delete next.expiresAt;
      }
      if (scope === 'all' || scope === 'client') delete next.clientInformation;
      return next;
    });
  }

  /** Drops what discovery found (after a failed attempt), so the next one starts clean. */
  forgetDiscovery(): void {
    this.discovery = undefined;
    this.confirmed = undefined;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  /** During a code exchange, what its sign-in discovered; otherwise only what led to tokens. */
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.exchangeDiscovery() ?? this.confirmed;
  }
}
