import * as v from 'valibot';
import type { SecurityConfig } from './security/index.ts';

const flag = v.pipe(
  v.optional(v.picklist(['true', 'false', '1', '0', '']), 'false'),
  v.transform((value) => value === 'true' || value === '1'),
);
const text = v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty()));

/** A comma-separated list, each item matching `pattern`. */
const list = (pattern: RegExp, what: string) =>
  v.pipe(
    v.optional(v.string(), ''),
    v.transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
    v.check(
      (items) => items.every((item) => pattern.test(item)),
      `Expected a comma-separated list, each ${what}`,
    ),
  );

/** A whole number with a default. */
const count = (fallback: string, min = 1) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.transform(Number),
    v.integer('Expected a whole number'),
    v.minValue(min),
  );

/** Every setting the gateway reads, from `process.env`, Deno.env or a Worker's bindings. */
const EnvSchema = v.object({
  /** The port of the Node/Bun/Deno entries. */
  PORT: v.pipe(
    v.optional(v.string(), '4000'),
    v.transform(Number),
    v.integer('PORT must be a whole number'),
    v.minValue(0),
    v.maxValue(65535),
  ),
  /** A VoIPBIN access key: the gateway then calls VoIPBIN instead of the emulator. */
  VOIPBIN_ACCESS_KEY: text,
  /** A VoIPBIN JWT, instead of an access key. */
  VOIPBIN_TOKEN: text,
  /** VoIPBIN's API root (default https://api.voipbin.net/v1.0). */
  VOIPBIN_BASE_URL: v.optional(v.pipe(v.string(), v.url('VOIPBIN_BASE_URL must be a URL'))),
  /** Use a caller's `Authorization: Bearer <VoIPBIN token>` for its requests. */
  VOIPBIN_TOKEN_PASSTHROUGH: flag,
  /** How much faster than real time the embedded emulator runs calls. */
  EMULATOR_SPEED: v.pipe(
    v.optional(v.string(), '1'),
    v.transform(Number),
    v.number(),
    v.minValue(0.001, 'EMULATOR_SPEED must be > 0'),
  ),
  /** `production` turns GraphiQL and introspection off. */
  NODE_ENV: v.optional(v.string(), 'development'),

  // Gateway authentication: JWTs (a secret and/or a JWKS) and/or API keys, stored hashed.
  GATEWAY_JWT_SECRET: text,
  GATEWAY_JWKS_URL: v.optional(v.pipe(v.string(), v.url('GATEWAY_JWKS_URL must be a URL'))),
  GATEWAY_JWT_ISSUER: text,
  GATEWAY_JWT_AUDIENCE: text,
  /** Comma-separated lowercase hex SHA-256 of the accepted API keys. */
  GATEWAY_API_KEY_HASHES: list(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest'),
  /** Serve a server-side VoIPBIN credential with no gateway auth (loudly warned). */
  GATEWAY_INSECURE_NO_AUTH: flag,

  // What may be called.
  GATEWAY_ALLOWED_PREFIXES: list(/^\+?[1-9]\d{0,14}$/, 'an E.164 prefix such as +82'),
  GATEWAY_DENIED_PREFIXES: list(/^\+?[1-9]\d{0,14}$/, 'an E.164 prefix such as +1900'),
  GATEWAY_MAX_DESTINATIONS: count('10'),
  GATEWAY_MAX_ACTIONS: count('100'),
  GATEWAY_MAX_TALK_LENGTH: count('10000'),

  // Abuse limits.
  /** createCall mutations per principal per minute; 0 turns the limit off. */
  GATEWAY_RATE_LIMIT_PER_MINUTE: count('60', 0),
  GATEWAY_RATE_LIMIT_BURST: count('10'),
  /** A shared store for the rate limit and idempotency keys (Node entry): redis://... */
  GATEWAY_REDIS_URL: v.optional(v.pipe(v.string(), v.url('GATEWAY_REDIS_URL must be a URL'))),
  GATEWAY_IDEMPOTENCY_TTL_SECONDS: count('86400'),

  // GraphQL hygiene.
  /** Comma-separated origins allowed to call from a browser. */
  GATEWAY_CORS_ORIGINS: list(
    /^(\*|https?:\/\/[^/\s,]+)$/,
    'an origin such as https://app.example.com',
  ),
});

export type Upstream =
  | { kind: 'emulator'; speed: number }
  | { kind: 'voipbin'; baseURL: string; accessKey?: string; token?: string };

export interface GatewayEnv {
  port: number;
  upstream: Upstream;
  passThrough: boolean;
  production: boolean;
  security: SecurityConfig;
  /** A shared store for rate limits and idempotency keys (Node entry only). */
  redisUrl?: string;
}

/** Reads and checks the configuration; the only place that looks at the environment. */
export function readEnv(env: Record<string, string | undefined>): GatewayEnv {
  const result = v.safeParse(EnvSchema, env);
  if (!result.success) {
    const problems = result.issues.map((issue) => `${v.getDotPath(issue) ?? ''}: ${issue.message}`);
    throw new Error(`Invalid gateway configuration: ${problems.join('; ')}`);
  }
  const e = result.output;
  const credential = Boolean(e.VOIPBIN_ACCESS_KEY || e.VOIPBIN_TOKEN);
  if (e.VOIPBIN_BASE_URL && !credential && !e.VOIPBIN_TOKEN_PASSTHROUGH) {
    throw new Error(
      'Invalid gateway configuration: VOIPBIN_BASE_URL needs VOIPBIN_ACCESS_KEY or VOIPBIN_TOKEN (any value for a standalone emulator), or VOIPBIN_TOKEN_PASSTHROUGH=true',
    );
  }
  // Pass-through alone: every caller brings its own VoIPBIN token; there is no server credential.
  const upstream: Upstream =
    credential || e.VOIPBIN_TOKEN_PASSTHROUGH
      ? {
          kind: 'voipbin',
          baseURL: e.VOIPBIN_BASE_URL ?? 'https://api.voipbin.net/v1.0',
          ...(e.VOIPBIN_ACCESS_KEY ? { accessKey: e.VOIPBIN_ACCESS_KEY } : {}),
          ...(e.VOIPBIN_TOKEN ? { token: e.VOIPBIN_TOKEN } : {}),
        }
      : { kind: 'emulator', speed: e.EMULATOR_SPEED };
  const jwt =
    e.GATEWAY_JWT_SECRET || e.GATEWAY_JWKS_URL
      ? {
          ...(e.GATEWAY_JWT_SECRET ? { secret: e.GATEWAY_JWT_SECRET } : {}),
          ...(e.GATEWAY_JWKS_URL ? { jwksUrl: e.GATEWAY_JWKS_URL } : {}),
          ...(e.GATEWAY_JWT_ISSUER ? { issuer: e.GATEWAY_JWT_ISSUER } : {}),
          ...(e.GATEWAY_JWT_AUDIENCE ? { audience: e.GATEWAY_JWT_AUDIENCE } : {}),
        }
      : undefined;
  return {
    port: e.PORT,
    upstream,
    passThrough: e.VOIPBIN_TOKEN_PASSTHROUGH,
    production: e.NODE_ENV === 'production',
    security: {
      auth: {
        ...(jwt ? { jwt } : {}),
        ...(e.GATEWAY_API_KEY_HASHES.length ? { apiKeyHashes: e.GATEWAY_API_KEY_HASHES } : {}),
      },
      insecureNoAuth: e.GATEWAY_INSECURE_NO_AUTH,
      policy: {
        allowedPrefixes: e.GATEWAY_ALLOWED_PREFIXES,
        deniedPrefixes: e.GATEWAY_DENIED_PREFIXES,
        maxDestinations: e.GATEWAY_MAX_DESTINATIONS,
        maxActions: e.GATEWAY_MAX_ACTIONS,
        maxTalkLength: e.GATEWAY_MAX_TALK_LENGTH,
      },
      rateLimit: { perMinute: e.GATEWAY_RATE_LIMIT_PER_MINUTE, burst: e.GATEWAY_RATE_LIMIT_BURST },
      idempotencyTtlMs: e.GATEWAY_IDEMPOTENCY_TTL_SECONDS * 1000,
      corsOrigins: e.GATEWAY_CORS_ORIGINS,
    },
    ...(e.GATEWAY_REDIS_URL ? { redisUrl: e.GATEWAY_REDIS_URL } : {}),
  };
}
