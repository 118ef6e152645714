import { gatewayError } from '../error-codes.ts';
import type { GatewayObserver } from '../observer.ts';
import {
  type AuthConfig,
  type Principal as AuthPrincipal,
  createAuthenticator,
  SCOPES,
} from './auth.ts';
import { type HygieneLimits, hygiene } from './hygiene.ts';
import { createIdempotency } from './idempotency.ts';
import { createOwnership } from './ownership.ts';
import { type CallPolicy, DEFAULT_POLICY } from './policy.ts';
import { createRateLimiter } from './rate-limit.ts';
import type { Store } from './store.ts';
import { createMemoryStore } from './store-memory.ts';

export { SCOPES };

/**
 * The header that carries a caller's own VoIPBIN token in pass-through mode. `Authorization:
 * Bearer` carries it too, unless gateway JWT auth is configured: that header is then the
 * gateway's, and never goes upstream (docs/decisions/2026-11-27-passthrough-and-gateway-auth.md).
 */
export const VOIPBIN_TOKEN_HEADER = 'x-voipbin-token';

/** Who is calling, as resolvers see it. */
export interface Principal extends Omit<AuthPrincipal, 'via'> {
  /** How it was known: gateway auth, a pass-through VoIPBIN token alone, or nothing. */
  via: AuthPrincipal['via'] | 'voipbin-token' | 'none';
  /**
   * The VoIPBIN account a pass-through request goes to, `voipbin:<first 16 hex of the
   * token's SHA-256>`: never the token itself.
   */
  account?: string;
}

/** Everything that makes the gateway safe to expose. */
export interface SecurityConfig {
  /** JWTs and/or API keys; with neither, every caller is `anonymous`. */
  auth?: AuthConfig;
  /** Serve a server-side VoIPBIN credential without gateway auth (a loud warning). */
  insecureNoAuth?: boolean;
  policy?: Partial<CallPolicy>;
  /** createCall per principal; `perMinute: 0` (the programmatic default) turns it off. */
  rateLimit?: { perMinute: number; burst?: number };
  /** Where rate-limit buckets, idempotency keys and call owners live; default in memory (one instance). */
  store?: Store;
  idempotencyTtlMs?: number;
  /** How long who placed a call is remembered, in ms. Default 30 days. */
  ownershipTtlMs?: number;
  /**
   * The default memory store's budget of idempotency keys (`DEFAULT_BUDGETS.idem`, 10,000);
   * past it a new key is refused (`IDEMPOTENCY_UNAVAILABLE`). Unused with a `store` given.
   */
  idempotencyMaxKeys?: number;
  corsOrigins?: string[];
  trustedDocuments?: Record<string, string> | null;
  limits?: HygieneLimits;
}

const ALL_SCOPES: ReadonlySet<string> = new Set(Object.values(SCOPES));

const ANONYMOUS: Principal = {
  id: 'anonymous',
  scopes: new Set(ALL_SCOPES),
  via: 'none',
};

/** `voipbin:<first 16 hex of SHA-256(token)>`: names a VoIPBIN account without holding its token. */
export async function voipbinAccount(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  const hex = Array.from(new Uint8Array(digest).subarray(0, 8), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
  return `voipbin:${hex}`;
}

/**
 * Whose idempotency keys a request uses: the principal's, and in pass-through the VoIPBIN
 * account's too, so that a key never replays a call of another account (one gateway
 * principal may hold several VoIPBIN tokens).
 */
export function idempotencyScope(principal: Principal): string {
  return principal.account && principal.account !== principal.id
    ? `${principal.id} ${principal.account}`
    : principal.id;
}

/**
 * Builds the gateway's protections. Fails closed: a gateway holding a server-side VoIPBIN
 * credential refuses to start without an auth method, unless `insecureNoAuth` says otherwise.
 */
export function createSecurity(
  config: SecurityConfig,
  {
    serverCredential,
    production,
    observer,
  }: { serverCredential: boolean; production: boolean; observer?: GatewayObserver },
) {
  const authConfigured = Boolean(config.auth?.jwt || config.auth?.apiKeyHashes?.length);
  if (serverCredential && !authConfigured && !config.insecureNoAuth) {
    throw new Error(
      'Refusing to start: the gateway holds a VoIPBIN credential but has no auth method. Set GATEWAY_JWT_SECRET, GATEWAY_JWKS_URL or GATEWAY_API_KEY_HASHES (or GATEWAY_INSECURE_NO_AUTH=true to accept the risk).',
    );
  }
  // Said by the runtime entry when it starts (`Gateway.warnings`), not on every createGateway.
  const warnings =
    serverCredential && !authConfigured
      ? [
          'WARNING: GATEWAY_INSECURE_NO_AUTH is set: anyone who reaches this gateway can place calls billed to your VoIPBIN account.',
        ]
      : [];
  const authenticator = authConfigured ? createAuthenticator(config.auth ?? {}) : undefined;
  const unobserved =
    config.store ??
    createMemoryStore(
      config.idempotencyMaxKeys
        ? { budgets: { idem: { maxKeys: config.idempotencyMaxKeys } } }
        : {},
    );
  const store = observer?.wrapStore?.(unobserved, { shared: Boolean(config.store) }) ?? unobserved;
  const rate = config.rateLimit ?? { perMinute: 0 };

  return {
    /** What the gateway's start should say about these protections (e.g. no auth on a real account). */
    warnings,
    /**
     * The caller, or a GraphQL UNAUTHENTICATED error (HTTP 401) before any resolver runs. With
     * a pass-through VoIPBIN token and no gateway auth, the caller is its VoIPBIN account
     * (`voipbin:<hash>`), so that accounts never share a rate bucket or idempotency keys; with
     * gateway auth, the authenticated principal, its `account` set.
     */
    async authenticate(request: Request, passThroughToken?: string): Promise<Principal> {
      let principal: Principal = ANONYMOUS;
      if (authenticator) {
        const result = await authenticator(request);
        if (!result.ok) {
          throw gatewayError(result.code, result.message, { http: { status: 401 } });
        }
        principal = result.principal;
      }
      if (!passThroughToken) return principal;
      const account = await voipbinAccount(passThroughToken);
      return authenticator
        ? { ...principal, account }
        : { id: account, scopes: new Set(ALL_SCOPES), via: 'voipbin-token', account };
    },
    policy: { ...DEFAULT_POLICY, ...config.policy },
    /** What the store holds in this process, as counts (`Store.stats`); undefined when elsewhere. */
    storeStats: () => store.stats?.(),
    limit: createRateLimiter(store, rate),
    ownership: createOwnership(
      store,
      config.ownershipTtlMs ? { ttlMs: config.ownershipTtlMs } : {},
    ),
    idempotency: createIdempotency(
      store,
      config.idempotencyTtlMs ? { ttlMs: config.idempotencyTtlMs } : {},
    ),
    yoga: hygiene({
      production,
      corsOrigins: config.corsOrigins ?? [],
      trustedDocuments: config.trustedDocuments ?? null,
      ...(config.limits ? { limits: config.limits } : {}),
    }),
  };
}

export type Security = ReturnType<typeof createSecurity>;

/**
 * Whose calls and flows a request may see and act on: the principal's own (its id), or the
 * whole account (null) for an operator (`calls:admin`) and for a caller's own VoIPBIN token in
 * pass-through mode, where VoIPBIN's account is the boundary.
 */
export function ownerOf(principal: Principal): string | null {
  if (principal.account || principal.scopes.has(SCOPES.admin)) return null;
  return principal.id;
}
