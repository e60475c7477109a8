import { auth, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { WardenError } from '../errors/warden-error.js';
import { checkExternalUrl } from '../security/url-guard.js';
import { VERSION } from '../version.js';
import { isPrivateHost } from './address-guard.js';
import type { BrowserOpener } from './browser-opener.js';
import type { CallbackServer } from './callback-server.js';
import { guardedFetch } from './guarded-fetch.js';
import type { OAuthStore } from './oauth-store.js';

/** How long a sign-in may take in the browser. */
const FLOW_TIMEOUT_MS = 5 * 60_000;
/** At most one browser tab per server in this long, however many sessions want a sign-in. */
const TAB_INTERVAL_MS = 5 * 60_000;

export type SignInState = { state: 'signed-in'; expiresAt: number | null } | { state: 'signed-out'; expiresAt: null };

/**
 * Warden's OAuth client for one remote server, driven by the SDK's `auth()`: PKCE S256
 * (enforced by the guarded fetch), `resource` on every request, pre-registered or dynamically
 * registered client (`application_type: native`), the loopback redirect, tokens sealed in the
 * vault. The SDK binds stored client information and tokens to the issuer they came from.
 */
class ServerOAuthProvider implements OAuthClientProvider {
  private verifier: string | undefined;
  private pendingState: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  waitingCode: Promise<string> | undefined;
  lastTabAt = 0;
  private stepUps: number[] = [];
  refreshing = false;
  /** Set when the server answered 403 insufficient_scope: a refresh cannot widen the scope. */
  stepUpWanted = false;

  constructor(
    private readonly server: string,
    private readonly serverUrl: string,
    private readonly manager: OAuthManager,
    private readonly settings: OAuthServerSettings,
  ) {}

  get clientMetadataUrl(): string | undefined {
    return this.settings.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.manager.callbacks.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'MCP Warden',
      client_uri: 'https://github.com/mcp-warden',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: this.settings.clientSecret ? 'client_secret_basic' : 'none',
      ...(this.settings.scope ? { scope: this.settings.scope } : {}),
      software_id: 'mcp-warden',
      software_version: VERSION,
      application_type: 'native',
    } as OAuthClientMetadata;
  }

  state(): string {
    this.pendingState = this.manager.callbacks.newState();
    return this.pendingState;
  }

  /** A pre-registered client from the server's settings comes first; then what was registered. */
  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    if (this.settings.clientId) {
      const secret = this.settings.clientSecret;
      return { client_id: this.settings.clientId, ...(secret ? { client_secret: secret } : {}) };
    }
    return (await this.manager.store.get(this.server)).clientInformation;
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    if (this.settings.clientId) return;
    await this.manager.store.update(this.server, (record) => ({ ...record, clientInformation }));
  }

  /** The tokens, refreshed first when they expire within a minute (one refresh per issuer at a time). */
  async tokens(): Promise<OAuthTokens | undefined> {
    const record = await this.manager.store.get(this.server);
    if (this.stepUpWanted && record.tokens) {
      // Without the refresh token the SDK asks for a new authorization, as a step-up needs.
      const withoutRefresh = { ...record.tokens };
      delete withoutRefresh.refresh_token;
      return withoutRefresh;
    }
    if (!this.refreshing && record.tokens?.refresh_token && record.expiresAt !== undefined && record.expiresAt - this.manager.now() < 60_000) {
      await this.manager.refresh(this.server, this.serverUrl, record.issuer ?? this.serverUrl);
      return (await this.manager.store.get(this.server)).tokens;
    }
    return record.tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    const expiresAt = tokens.expires_in === undefined ? undefined : this.manager.now() + tokens.expires_in * 1000;
    await this.manager.store.update(this.server, (record) => ({
      ...record,
      tokens,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      issuer: this.discovery?.authorizationServerUrl,
      resource: this.serverUrl,
    }));
    // Answered: the next sign-in this server needs (a step-up) may open its page at once.
    this.lastTabAt = 0;
    this.stepUpWanted = false;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const checked = checkExternalUrl(authorizationUrl.href);
    if (!checked.ok) throw new WardenError('unavailable', `the sign-in page of "${this.server}" is refused: ${checked.reason}`);
    const held = (await this.manager.store.get(this.server)).tokens;
    if (held) {
      // A sign-in while tokens are held is a step-up (insufficient_scope): ask for the union of
      // the scopes held and those wanted, and at most twice in ten minutes.
      const now = this.manager.now();
      this.stepUps = [...this.stepUps.filter((at) => now - at < 10 * 60_000), now];
      if (this.stepUps.length > 2) {
        throw new WardenError('unavailable', `"${this.server}" keeps asking for more access (3 step-ups in 10 minutes); refusing to sign in again`);
      }
      const scopes = new Set([...(held.scope?.split(' ') ?? []), ...(authorizationUrl.searchParams.get('scope')?.split(' ') ?? [])].filter(Boolean));
      if (scopes.size > 0) authorizationUrl.searchParams.set('scope', [...scopes].join(' '));
    }
    const state = this.pendingState ?? authorizationUrl.searchParams.get('state') ?? '';
    const metadata = this.discovery?.authorizationServerMetadata as (Record<string, unknown> & { issuer?: string }) | undefined;
    this.waitingCode = this.manager.callbacks.expect(
      state,
      { server: this.server, issuer: metadata?.issuer, requireIss: metadata?.authorization_response_iss_parameter_supported === true },
      FLOW_TIMEOUT_MS,
    );
    this.waitingCode.catch(() => undefined);
    if (!this.manager.signingIn(this.server)) {
      // Started by a session's 401, not by `warden login`: finish the flow when the answer comes.
      this.waitingCode.then(
        (code) => this.manager.complete(this.server, this.serverUrl, code),
        (error: Error) => this.manager.note(`"${this.server}": sign-in not completed: ${error.message}`),
      );
    }
    if (this.manager.now() - this.lastTabAt < TAB_INTERVAL_MS) {
      this.manager.note(`"${this.server}" needs a sign-in; a sign-in page was opened recently, not opening another`);
      return;
    }
    this.lastTabAt = this.manager.now();
    this.manager.note(`opening the sign-in page of "${this.server}" (${authorizationUrl.origin}) in the browser`);
    await this.manager.opener(authorizationUrl.href);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new WardenError('unavailable', 'no sign-in is in progress');
    return this.verifier;
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
    if (scope === 'verifier') {
      this.verifier = undefined;
      return;
    }
    if (scope === 'discovery') {
      this.discovery = undefined;
      return;
    }
    this.manager.note(`"${this.server}": the authorization server refused the stored ${scope === 'tokens' ? 'tokens' : 'credentials'}; signed out`);
    await this.manager.store.update(this.server, (record) => {
      const next = { ...record };
      if (scope === 'all' || scope === 'tokens') {
        delete next.tokens;
        delete next.expiresAt;
      }
      if (scope === 'all' || scope === 'client') delete next.clientInformation;
      return next;
    });
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
}

/** What a server's settings say about its OAuth client (the secret already resolved). */
export interface OAuthServerSettings {
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  scope?: string;
}

/** Sign-in for every remote server: one flow at a time per server, one listener for all. */
export class OAuthManager {
  private readonly providers = new Map<string, ServerOAuthProvider>();
  private readonly flows = new Map<string, Promise<SignInState>>();
  private readonly refreshes = new Map<string, Promise<void>>();

  constructor(
    readonly store: OAuthStore,
    readonly callbacks: CallbackServer,
    readonly opener: BrowserOpener,
    readonly note: (text: string) => void,
    readonly now: () => number,
    /** The OAuth settings of a server, secrets resolved. */
    private readonly serverSettings: (server: string) => OAuthServerSettings = () => ({}),
  ) {}

  /** The provider a remote upstream's transport uses (its 401s lead here). */
  async providerFor(server: string, serverUrl: string, settings: OAuthServerSettings = this.settingsOf(server)): Promise<OAuthClientProvider> {
    await this.callbacks.start();
    return this.providerForNow(server, serverUrl, settings);
  }

  /** The same, once the callback listener runs (the core starts it first). */
  providerForNow(server: string, serverUrl: string, settings: OAuthServerSettings = this.settingsOf(server)): OAuthClientProvider {
    let provider = this.providers.get(server);
    if (!provider) {
      provider = new ServerOAuthProvider(server, serverUrl, this, settings);
      this.providers.set(server, provider);
      this.knownSettings.set(server, settings);
    }
    return provider;
  }

  private readonly knownSettings = new Map<string, OAuthServerSettings>();

  private settingsOf(server: string): OAuthServerSettings {
    return this.knownSettings.get(server) ?? this.serverSettings(server);
  }

  /** Forgets a server's provider (its settings changed, or it was removed). */
  forget(server: string): void {
    this.providers.delete(server);
    this.knownSettings.delete(server);
  }

  /**
   * Refreshes a server's tokens now, one refresh per issuer at a time: callers that arrive
   * while one runs wait for it. A refused refresh (invalid_grant) signs the server out.
   */
  refresh(server: string, serverUrl: string, issuer: string): Promise<void> {
    const running = this.refreshes.get(issuer);
    if (running) return running;
    const work = (async () => {
      const provider = (await this.providerFor(server, serverUrl)) as ServerOAuthProvider;
      provider.refreshing = true;
      try {
        const result = await auth(provider, { serverUrl, fetchFn: await this.fetchFor(serverUrl) });
        if (result !== 'AUTHORIZED') this.note(`"${server}": the refresh was refused; sign in again: warden login ${server}`);
      } catch (error) {
        this.note(`"${server}": refreshing the token failed: ${(error as Error).message}`);
      } finally {
        provider.refreshing = false;
      }
    })().finally(() => this.refreshes.delete(issuer));
    this.refreshes.set(issuer, work);
    return work;
  }

  /**
   * The fetch for a server's OAuth traffic: guarded for everything but the MCP endpoint itself
   * (which streams). Private addresses are allowed only when the MCP server is on one.
   */
  async fetchFor(serverUrl: string, server?: string): Promise<FetchLike> {
    const mcp = new URL(serverUrl);
    const guarded = guardedFetch(await isPrivateHost(mcp.hostname));
    return async (input, init) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : (input as Request).url);
      const isEndpoint = url.origin === mcp.origin && url.pathname === mcp.pathname;
      if (!isEndpoint) return guarded(input, init);
      const response = await fetch(input, init);
      if (server !== undefined && response.status === 403 && /error="?insufficient_scope/.test(response.headers.get('www-authenticate') ?? '')) {
        const provider = this.providers.get(server);
        if (provider) provider.stepUpWanted = true;
      }
      return response;
    };
  }

  /** Signs in (the browser opens once); concurrent callers share the flow. */
  login(server: string, serverUrl: string): Promise<SignInState> {
    const running = this.flows.get(server);
    if (running) return running;
    const flow = this.runLogin(server, serverUrl).finally(() => this.flows.delete(server));
    this.flows.set(server, flow);
    return flow;
  }

  /** True while `login` runs for the server (it exchanges the code itself). */
  signingIn(server: string): boolean {
    return this.flows.has(server);
  }

  /** Exchanges the code of a sign-in a session started. */
  async complete(server: string, serverUrl: string, code: string): Promise<void> {
    try {
      const provider = await this.providerFor(server, serverUrl);
      await auth(provider, { serverUrl, authorizationCode: code, fetchFn: await this.fetchFor(serverUrl) });
      this.note(`"${server}": signed in`);
    } catch (error) {
      this.note(`"${server}": the sign-in could not be completed: ${(error as Error).message}`);
    }
  }

  /** Resolves when the server holds tokens (a sign-in finished), or rejects after `timeoutMs`. */
  async waitForTokens(server: string, timeoutMs = FLOW_TIMEOUT_MS): Promise<void> {
    const deadline = this.now() + timeoutMs;
    while (!(await this.store.get(server)).tokens) {
      if (this.now() > deadline) throw new WardenError('unavailable', `no sign-in to "${server}" within ${Math.round(timeoutMs / 60_000)} min`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async status(server: string): Promise<SignInState> {
    const record = await this.store.get(server);
    return record.tokens ? { state: 'signed-in', expiresAt: record.expiresAt ?? null } : { state: 'signed-out', expiresAt: null };
  }

  /** Forgets the tokens, revoking them first where the server offers revocation. */
  async logout(server: string, serverUrl: string): Promise<void> {
    const record = await this.store.get(server);
    const provider = this.providers.get(server);
    const endpoint = (provider?.discoveryState()?.authorizationServerMetadata as { revocation_endpoint?: string } | undefined)?.revocation_endpoint;
    const token = record.tokens?.refresh_token ?? record.tokens?.access_token;
    if (endpoint && token && record.clientInformation) {
      try {
        const fetchFn = await this.fetchFor(serverUrl);
        await fetchFn(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, token_type_hint: record.tokens?.refresh_token ? 'refresh_token' : 'access_token', client_id: record.clientInformation.client_id }).toString(),
        });
      } catch (error) {
        this.note(`"${server}": revoking the token failed (${(error as Error).message}); forgetting it anyway`);
      }
    }
    await this.store.update(server, (stored) => {
      const next = { ...stored };
      delete next.tokens;
      delete next.expiresAt;
      return next;
    });
  }

  private async runLogin(server: string, serverUrl: string): Promise<SignInState> {
    const provider = (await this.providerFor(server, serverUrl)) as ServerOAuthProvider;
    provider.lastTabAt = 0;
    const fetchFn = await this.fetchFor(serverUrl);
    const first = await auth(provider, { serverUrl, fetchFn });
    if (first === 'REDIRECT') {
      if (!provider.waitingCode) throw new WardenError('unavailable', `the sign-in of "${server}" did not start`);
      const code = await provider.waitingCode;
      await auth(provider, { serverUrl, authorizationCode: code, fetchFn });
    }
    const status = await this.status(server);
    if (status.state !== 'signed-in') throw new WardenError('unavailable', `the sign-in of "${server}" ended without tokens`);
    return status;
  }
}
