import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { checkExternalUrl } from '../security/url-guard.js';
import type { Agent, fetch as undiciFetch } from 'undici';
import { AddressRefusedError, addressProblem, addressesOf, guardedLookup } from './address-guard.js';

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 3;

/** A fetch refused by the guard; its message says which check refused and why. */
export class OAuthGuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthGuardError';
  }
}

/** The issuer a well-known metadata URL must describe (RFC 8414 and OIDC discovery forms). */
export function expectedIssuer(url: URL): string | undefined {
  const path = url.pathname;
  for (const suffix of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    if (path.startsWith(suffix)) return `${url.origin}${path.slice(suffix.length)}`.replace(/\/$/, '') || url.origin;
    if (path.endsWith(suffix)) return `${url.origin}${path.slice(0, -suffix.length)}`.replace(/\/$/, '') || url.origin;
  }
  return undefined;
}

const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'introspection_endpoint'];

/**
 * Says whether metadata at `url` may name `issuer` although it is not the issuer the URL
 * implies (RFC 8414 §3.3). Only the 2025-03-26 MCP layout needs it; see `OAuthManager.fetchFor`.
 */
export type IssuerException = (url: URL, issuer: string) => boolean;

/** Checks authorization-server metadata before the SDK uses any of it. */
function checkMetadata(url: URL, metadata: Record<string, unknown>, issuerException?: IssuerException): void {
  const issuer = expectedIssuer(url);
  const named = String(metadata.issuer ?? '').replace(/\/$/, '');
  if (issuer !== undefined && named !== issuer && !issuerException?.(url, named)) {
    throw new OAuthGuardError(`the authorization server metadata at ${url.origin} names issuer "${String(metadata.issuer).slice(0, 100)}", not "${issuer}"; refusing it`);
  }
  const methods = metadata.code_challenge_methods_supported;
  if (!Array.isArray(methods) || !methods.includes('S256')) {
    throw new OAuthGuardError(`the authorization server ${issuer ?? url.origin} does not list PKCE S256 support; Warden will not sign in without it`);
  }
  for (const key of ENDPOINTS) {
    const value = metadata[key];
    if (value === undefined) continue;
    const checked = typeof value === 'string' ? checkExternalUrl(value) : { ok: false as const, reason: 'it is not a string' };
    if (!checked.ok) throw new OAuthGuardError(`the authorization server's ${key} is refused: ${checked.reason}`);
  }
}

/** Checks protected-resource metadata: every authorization server it names must be a fetchable URL. */
function checkResourceMetadata(metadata: Record<string, unknown>): void {
  const servers = metadata.authorization_servers;
  if (servers === undefined) return;
  if (!Array.isArray(servers)) throw new OAuthGuardError('the resource metadata lists authorization servers in a malformed way');
  for (const server of servers) {
    const checked = typeof server === 'string' ? checkExternalUrl(server) : { ok: false as const, reason: 'it is not a string' };
    if (!checked.ok) throw new OAuthGuardError(`the resource metadata names an authorization server that is refused: ${checked.reason}`);
  }
}

/**
 * The fetch OAuth discovery, registration, token and revocation requests go through: only
 * https (or http to loopback), never to link-local or metadata addresses nor to private ones
 * unless the MCP server is there; every redirect checked again; a 10 s timeout and a 1 MiB
 * cap; and metadata documents checked (issuer echo, S256, endpoint schemes) before use.
 * The address check runs twice: before the request, for a clear sentence, and again in the
 * socket's own lookup, so the address connected to is one that was checked. `resolve` is
 * the name resolver (the system's; tests pass their own); `issuerException` may let one
 * issuer mismatch through, as the 2025-03-26 layout needs.
 */
export function guardedFetch(allowPrivate: boolean, resolve: (hostname: string) => Promise<string[]> = addressesOf, issuerException?: IssuerException): FetchLike {
  let dispatcher: Agent | undefined;
  // undici's own fetch, so the connect-time lookup below is the one that picks the address.
  const fetch = async (url: URL, init: RequestInit | undefined): Promise<Response> => {
    const undici = await loadUndici();
    dispatcher ??= resolve === addressesOf ? agentFor(undici, allowPrivate) : new undici.Agent({ connect: { lookup: guardedLookup(allowPrivate, resolve) } });
    try {
      return (await undici.fetch(url, { ...(init as object), dispatcher })) as unknown as Response;
    } catch (error) {
      const refused = refusedCause(error);
      if (refused) throw new OAuthGuardError(`refused to connect to ${url.origin}: ${refused.message}`);
      throw error;
    }
  };
  return async (input, init) => {
    let url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : (input as Request).url);
    let requestInit = init;
    for (let hop = 0; ; hop++) {
      const checked = checkExternalUrl(url.href);
      if (!checked.ok) throw new OAuthGuardError(`refused to fetch ${url.origin}: ${checked.reason}`);
      const problem = await addressProblem(url, allowPrivate, resolve);
      if (problem) throw new OAuthGuardError(`refused to fetch ${url.origin}${url.pathname}: ${problem}`);
      const signal = requestInit?.signal ? AbortSignal.any([requestInit.signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS);
      let response = await fetch(url, { ...requestInit, redirect: 'manual', signal });
      // A GET (discovery) that meets a server error is tried again with back-off; a POST
      // (token, registration) is not: a rotated refresh token must not be spent twice.
      for (let attempt = 1; response.status >= 500 && (requestInit?.method ?? 'GET') === 'GET' && attempt <= 2; attempt++) {
        await response.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 250 * 4 ** (attempt - 1)));
        response = await fetch(url, { ...requestInit, redirect: 'manual', signal });
      }
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        if (hop >= MAX_REDIRECTS) throw new OAuthGuardError(`too many redirects from ${url.origin}`);
        url = new URL(response.headers.get('location') as string, url);
        if (response.status === 303) requestInit = { ...requestInit, method: 'GET', body: undefined };
        continue;
      }
      const body = await readCapped(response, url);
      if (response.ok && url.pathname.includes('/.well-known/')) {
        const json = parseJson(body);
        if (json && /oauth-authorization-server|openid-configuration/.test(url.pathname)) checkMetadata(url, json, issuerException);
        if (json && url.pathname.includes('oauth-protected-resource')) checkResourceMetadata(json);
      }
      const empty = [101, 204, 205, 304].includes(response.status);
      return new Response(empty ? null : (body as unknown as BodyInit), { status: response.status, statusText: response.statusText, headers: response.headers });
    }
  };
}

const agents = new Map<boolean, Agent>();
/** What Warden uses of undici. */
interface Undici {
  Agent: typeof Agent;
  fetch: typeof undiciFetch;
}
let undiciLoading: Promise<Undici> | undefined;

/** undici, loaded with the first guarded fetch (a remote server or a sign-in), not with the core. */
function loadUndici(): Promise<Undici> {
  undiciLoading ??= import('undici').then((module) => ({ Agent: module.Agent, fetch: module.fetch }));
  return undiciLoading;
}

/** One pooled agent per address policy; its sockets connect only to addresses the guard accepts. */
function agentFor(undici: Undici, allowPrivate: boolean): Agent {
  let agent = agents.get(allowPrivate);
  if (!agent) {
    agent = new undici.Agent({ connect: { lookup: guardedLookup(allowPrivate) }, keepAliveTimeout: 4_000 });
    agents.set(allowPrivate, agent);
  }
  return agent;
}

function refusedCause(error: unknown): AddressRefusedError | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof AddressRefusedError) return cause;
  }
  return undefined;
}

async function readCapped(response: Response, url: URL): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BYTES) {
      await reader.cancel();
      throw new OAuthGuardError(`the response from ${url.origin} is larger than 1 MiB`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

function parseJson(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
