import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { WardenError } from '../errors/warden-error.js';
import { isPrivateHost } from './address-guard.js';
import type { BrowserOpener } from './browser-opener.js';
import type { CallbackServer } from './callback-server.js';
import { probeChallenge } from './challenge.js';
import { guardedFetch } from './guarded-fetch.js';
import type { OAuthServerSettings } from './oauth-settings.js';
import type { OAuthStore } from './oauth-store.js';
import { FLOW_TIMEOUT_MS, ServerOAuthProvider, type ProviderHost } from './server-oauth-provider.js';

export type { OAuthServerSettings } from './oauth-settings.js';

export type SignInState = { state: 'signed-in'; expiresAt: number | null } | { state: 'signed-out'; expiresAt: null };

/**
 * Sign-in for every remote server: one provider (and one sign-in page at a time) per server,
 * one loopback listener for all. Sessions and `warden login` take the same path: the server's
 * 401 challenge drives discovery and scope, and the code is exchanged when the answer comes.
 */
export class OAuthManager implements ProviderHost {
  private readonly providers = new Map<string, ServerOAuthProvider>();
  private readonly flows = new Map<string, Promise<SignInState>>();
  private readonly refreshes = new Map<string, Promise<void>>();
  private readonly knownSettings = new Map<string, OAuthServerSettings>();
  /** MCP URLs whose latest resource-metadata lookup found none (the 2025-03-26 layout). */
  private readonly withoutResourceMetadata = new Set<string>();

  constructor(
    readonly store: OAuthStore,
    readonly callbacks: CallbackServer,
    readonly opener: BrowserOpener,
    readonly note: (text: string) => void,
    readonly now: () => number,
    /** The OAuth settings of a server, secrets resolved. */
    private readonly serverSettings: (server: string) => OAuthServerSettings = () => ({}),
  ) {}

  get redirectUrl(): string {
    return this.callbacks.redirectUrl;
  }

  newState(): string {
    return this.callbacks.newState();
  }

  expect(state: string, flow: { server: string; issuer: string | undefined; requireIss: boolean }, timeoutMs: number): Promise<string> {
    return this.callbacks.expect(state, flow, timeoutMs);
  }

  open(url: string): Promise<void> {
    return this.opener(url);
  }

  /** The provider a remote upstream's transport uses (its 401s lead here). */
  async providerFor(server: string, serverUrl: string, settings?: OAuthServerSettings): Promise<OAuthClientProvider> {
    await this.callbacks.start();
    return this.providerForNow(server, serverUrl, settings);
  }

  /** The same, once the callback listener runs (the core starts it first). */
  providerForNow(server: string, serverUrl: string, settings?: OAuthServerSettings): OAuthClientProvider {
    return this.ownProvider(server, serverUrl, settings);
  }

  private ownProvider(server: string, serverUrl: string, settings?: OAuthServerSettings): ServerOAuthProvider {
    let provider = this.providers.get(server);
    if (!provider) {
      const resolved = settings ?? this.knownSettings.get(server) ?? this.serverSettings(server);
      provider = new ServerOAuthProvider(server, serverUrl, this, resolved);
      this.providers.set(server, provider);
      this.knownSettings.set(server, resolved);
    }
    return provider;
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
      await this.callbacks.start();
      const provider = this.ownProvider(server, serverUrl);
      provider.refreshing = true;
      try {
        const result = await sdkAuth(provider, { serverUrl, fetchFn: await this.fetchFor(serverUrl) });
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
    // 2025-03-26 servers (no resource metadata) are their own authorization server, and their
    // metadata at the MCP origin may name an issuer with a path there: that origin is trusted
    // already, so the mismatch is let through for it alone, and only while it has no resource
    // metadata. Everywhere else RFC 8414's issuer check holds.
    const legacyIssuer = (url: URL, issuer: string): boolean =>
      this.withoutResourceMetadata.has(mcp.href) && url.origin === mcp.origin && url.pathname === '/.well-known/oauth-authorization-server' && URL.canParse(issuer) && new URL(issuer).origin === mcp.origin;
    const guarded = guardedFetch(await isPrivateHost(mcp.hostname), undefined, legacyIssuer);
    return async (input, init) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : (input as Request).url);
      const isEndpoint = url.origin === mcp.origin && url.pathname === mcp.pathname;
      if (!isEndpoint) {
        const response = await guarded(input, init);
        if (url.pathname.startsWith('/.well-known/oauth-protected-resource')) {
          if (response.ok) this.withoutResourceMetadata.delete(mcp.href);
          else if (this.withoutResourceMetadata.size < 1000) this.withoutResourceMetadata.add(mcp.href);
        }
        return response;
      }
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

  /** Exchanges the code of a sign-in (the one `state` names); rejects with why it failed. */
  async exchange(server: string, serverUrl: string, code: string, state: string): Promise<void> {
    const provider = this.ownProvider(server, serverUrl);
    const fetchFn = await this.fetchFor(serverUrl);
    await provider.exchanging(state, () => sdkAuth(provider, { serverUrl, authorizationCode: code, fetchFn }));
  }

  /**
   * Waits, at most `timeoutMs`, for the sign-in a request of `server` just started (or joined).
   * Resolves once it is done; rejects with a sentence that says what to do when it failed, did
   * not finish in time, or none is out (the server wants a sign-in Warden could not start).
   */
  async waitForSignIn(server: string, timeoutMs: number): Promise<void> {
    const pending = this.providers.get(server)?.pending;
    const retry = `then call again (or run: warden login ${server})`;
    if (!pending) throw new WardenError('unavailable', `"${server}" wants a sign-in and none could start; ${retry}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new WardenError('unavailable', `"${server}" needs a sign-in that did not finish within ${Math.round(timeoutMs / 1000)} s; finish it on the page Warden opened in your browser, ${retry}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([
        pending.done.catch((error: Error) => {
          throw new WardenError('unavailable', `signing in to "${server}" failed (${error.message}); ${retry}`);
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
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

  /**
   * `warden login`: first the unauthenticated MCP request a session would make, so the 401's
   * `resource_metadata` and `scope` drive discovery; then the browser, once; then the exchange.
   * A failure drops what discovery found, so the next attempt starts clean.
   */
  private async runLogin(server: string, serverUrl: string): Promise<SignInState> {
    await this.callbacks.start();
    const provider = this.ownProvider(server, serverUrl);
    provider.lastTabAt = 0;
    const fetchFn = await this.fetchFor(serverUrl);
    try {
      const challenge = await probeChallenge(serverUrl, {}, fetchFn as typeof fetch);
      const first = await sdkAuth(provider, { serverUrl, fetchFn, ...challenge });
      if (first === 'REDIRECT') {
        if (!provider.pending) throw new WardenError('unavailable', `the sign-in of "${server}" did not start`);
        await provider.pending.done;
      }
    } catch (error) {
      provider.forgetDiscovery();
      throw error;
    }
    const status = await this.status(server);
    if (status.state !== 'signed-in') throw new WardenError('unavailable', `the sign-in of "${server}" ended without tokens`);
    return status;
  }
}

/** The SDK's `auth()`, loaded with the first sign-in instead of with the core. */
async function sdkAuth(...args: Parameters<typeof import('@modelcontextprotocol/sdk/client/auth.js').auth>): ReturnType<typeof import('@modelcontextprotocol/sdk/client/auth.js').auth> {
  const { auth } = await import('@modelcontextprotocol/sdk/client/auth.js');
  return auth(...args);
}
