import { GraphQLError } from 'graphql';
import { type AuthConfig, createAuthenticator, type Principal, SCOPES } from './auth.ts';
import { type HygieneLimits, hygiene } from './hygiene.ts';
import { createIdempotency } from './idempotency.ts';
import { type CallPolicy, DEFAULT_POLICY } from './policy.ts';
import { createRateLimiter } from './rate-limit.ts';
import type { Store } from './store.ts';
import { createMemoryStore } from './store-memory.ts';

export { type Principal, SCOPES };

/** Everything that makes the gateway safe to expose. */
export interface SecurityConfig {
  /** JWTs and/or API keys; with neither, every caller is `anonymous`. */
  auth?: AuthConfig;
  /** Serve a server-side VoIPBIN credential without gateway auth (a loud warning). */
  insecureNoAuth?: boolean;
  policy?: Partial<CallPolicy>;
  /** createCall per principal; `perMinute: 0` (the programmatic default) turns it off. */
  rateLimit?: { perMinute: number; burst?: number };
  /** Where rate-limit buckets and idempotency keys live; default in memory (one instance). */
  store?: Store;
  idempotencyTtlMs?: number;
  corsOrigins?: string[];
  trustedDocuments?: Record<string, string> | null;
  limits?: HygieneLimits;
}

const ANONYMOUS: Principal = {
  id: 'anonymous',
  scopes: new Set(Object.values(SCOPES)),
  via: 'api-key',
};

/**
 * Builds the gateway's protections. Fails closed: a gateway holding a server-side VoIPBIN
 * credential refuses to start without an auth method, unless `insecureNoAuth` says otherwise.
 */
export function createSecurity(
  config: SecurityConfig,
  { serverCredential, production }: { serverCredential: boolean; production: boolean },
) {
  const authConfigured = Boolean(config.auth?.jwt || config.auth?.apiKeyHashes?.length);
  if (serverCredential && !authConfigured && !config.insecureNoAuth) {
    throw new Error(
      'Refusing to start: the gateway holds a VoIPBIN credential but has no auth method. Set GATEWAY_JWT_SECRET, GATEWAY_JWKS_URL or GATEWAY_API_KEY_HASHES (or GATEWAY_INSECURE_NO_AUTH=true to accept the risk).',
    );
  }
  if (serverCredential && !authConfigured) {
    console.warn(
      'WARNING: GATEWAY_INSECURE_NO_AUTH is set: anyone who reaches this gateway can place calls billed to your VoIPBIN account.',
    );
  }
  const authenticator = authConfigured ? createAuthenticator(config.auth ?? {}) : undefined;
  const store = config.store ?? createMemoryStore();
  const rate = config.rateLimit ?? { perMinute: 0 };

  return {
    /** The caller, or a GraphQL UNAUTHENTICATED error (HTTP 401) before any resolver runs. */
    async authenticate(request: Request): Promise<Principal> {
      if (!authenticator) return ANONYMOUS;
      const result = await authenticator(request);
      if (result.ok) return result.principal;
      throw new GraphQLError(result.message, {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    },
    policy: { ...DEFAULT_POLICY, ...config.policy },
    limit: createRateLimiter(store, rate),
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

/** Throws FORBIDDEN unless the caller holds `scope`. */
export function requireScope(principal: Principal, scope: string): void {
  if (!principal.scopes.has(scope)) {
    throw new GraphQLError(`This needs the scope ${scope}`, {
      extensions: { code: 'FORBIDDEN', http: { status: 403 } },
    });
  }
}
