import * as v from 'valibot';
import type { EventsConfig } from './events/index.ts';
import { MIN_WEBHOOK_SECRET } from './events/webhook.ts';
import type { LogFormat } from './log.ts';
import type { SecurityConfig } from './security/index.ts';

const flag = v.pipe(
  v.optional(
    v.picklist(['true', 'false', '1', '0', ''], 'Expected true or false (or 1 or 0)'),
    'false',
  ),
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

/** A whole number (digits only) with a default; empty is unset, never 0. */
const count = (fallback: string, min = 1) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.transform((value) => value.trim() || fallback),
    v.regex(/^\d+$/, `Expected a whole number >= ${min}`),
    v.transform(Number),
    v.minValue(min, `Expected a whole number >= ${min}`),
  );

/** A whole number >= 1, or unset (empty too): then the code's default applies. */
const optionalCount = v.pipe(
  v.optional(v.string(), ''),
  v.transform((value) => value.trim()),
  v.check(
    (value) => value === '' || (/^\d+$/.test(value) && Number(value) >= 1),
    'Expected a whole number >= 1',
  ),
  v.transform((value) => (value === '' ? undefined : Number(value))),
);

/** SHA-256 in lowercase hex: the key of a trusted document. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Trusted documents as inline JSON, `{ "<sha256 hex of the document>": "<document>" }`: a
 * string works on every runtime (a Worker var or secret, Deno Deploy, a container), where a
 * file path would not. Unset or blank: the mode is off (null).
 */
const trustedDocuments = v.pipe(
  v.optional(v.string(), ''),
  v.rawTransform(({ dataset, addIssue, NEVER }): Record<string, string> | null => {
    const raw = dataset.value.trim();
    if (raw === '') return null;
    const expected = 'a JSON object of { "<sha256 hex of the document>": "<document>" }';
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // JSON.parse's message quotes the input: not repeated.
      addIssue({ message: `Expected JSON: ${expected}` });
      return NEVER;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      addIssue({ message: `Expected ${expected}` });
      return NEVER;
    }
    const entries = Object.entries(parsed);
    if (entries.length === 0) {
      addIssue({
        message: 'GATEWAY_TRUSTED_DOCUMENTS lists no document: every request would be refused',
      });
      return NEVER;
    }
    const documents: Record<string, string> = {};
    for (const [key, document] of entries) {
      if (!SHA256_HEX.test(key)) {
        addIssue({
          message: `the key "${key.slice(0, 80)}" is not a SHA-256 in lowercase hex (64 characters)`,
        });
        return NEVER;
      }
      if (typeof document !== 'string' || document.trim() === '') {
        addIssue({ message: `the document of ${key} is not a string holding a GraphQL document` });
        return NEVER;
      }
      documents[key] = document;
    }
    return documents;
  }),
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
  // tel destinations of one request in all, nested lists included (default 3 x max destinations)
  GATEWAY_MAX_TOTAL_DESTINATIONS: optionalCount,
  /** Let `fetch` and `fetch_flow` actions through: they run actions the policy never sees. */
  GATEWAY_ALLOW_FETCH_ACTIONS: flag,

  // Abuse limits.
  /** createCall mutations per principal per minute; 0 turns the limit off. */
  GATEWAY_RATE_LIMIT_PER_MINUTE: count('60', 0),
  GATEWAY_RATE_LIMIT_BURST: count('10'),
  /**
   * Redis for what several instances share: rate limits, idempotency keys, call owners and call
   * events (the Node, Bun and Deno entries; a Worker ignores it, and says so): redis://...
   */
  GATEWAY_REDIS_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.check(
        (value) => /^rediss?:$/.test(URL.canParse(value) ? new URL(value).protocol : ''),
        'GATEWAY_REDIS_URL must be a redis:// or rediss:// URL',
      ),
    ),
  ),
  /**
   * Worker: start with gateway auth but no GATEWAY_STORE Durable Object binding, each isolate
   * keeping its own call owners, idempotency keys and rate limits (development only).
   */
  GATEWAY_ALLOW_ISOLATE_STATE: flag,
  /**
   * Deno entry: Deno KV for the shared store instead of Redis: `default` (`Deno.openKv()`, on
   * Deno Deploy the app's database), or a path or a KV Connect URL. Carries no call events.
   */
  GATEWAY_DENO_KV: text,
  GATEWAY_IDEMPOTENCY_TTL_SECONDS: count('86400'),
  /** How long the gateway remembers who placed a call (its owner may read and end it). */
  GATEWAY_OWNERSHIP_TTL_SECONDS: count('2592000'),
  /** Idempotency keys the in-memory store holds at most; past it a new key is refused. */
  GATEWAY_IDEMPOTENCY_MAX_KEYS: count('10000'),

  // GraphQL hygiene.
  /** Comma-separated origins allowed to call from a browser. */
  GATEWAY_CORS_ORIGINS: list(
    /^(\*|https?:\/\/[^/\s,]+)$/,
    'an origin such as https://app.example.com',
  ),
  /** Trusted documents mode: only these documents run, asked for by hash. */
  GATEWAY_TRUSTED_DOCUMENTS: trustedDocuments,

  /** Log lines as text (default) or one JSON object each. */
  GATEWAY_LOG_FORMAT: v.optional(v.picklist(['text', 'json'], 'Expected text or json'), 'text'),

  // Live call status (subscriptions).
  /** Where call events come from: websocket, webhook or poll; default per runtime. */
  GATEWAY_EVENTS_SOURCE: v.optional(
    v.picklist(['websocket', 'webhook', 'poll'], 'Expected websocket, webhook or poll'),
  ),
  /** The last path segment of the webhook URL VoIPBIN posts to: /webhooks/voipbin/<secret>. */
  GATEWAY_WEBHOOK_SECRET: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.minLength(MIN_WEBHOOK_SECRET, `Expected at least ${MIN_WEBHOOK_SECRET} characters`),
      v.regex(/^[\w.~-]+$/, 'Expected only A-Z a-z 0-9 _ . ~ - (it goes in a URL path)'),
    ),
  ),
  /**
   * The VoIPBIN account's webhook secret: webhooks to /webhooks/voipbin must carry
   * X-VoIPBIN-Signature, the HMAC-SHA256 of their body under it.
   */
  VOIPBIN_WEBHOOK_SECRET: v.optional(
    v.pipe(
      v.string(),
      v.minLength(
        1,
        "Expected the account's webhook secret, not an empty value (unset it to receive no signed webhooks)",
      ),
    ),
  ),
  /** Milliseconds between two reads of a followed call when polling. */
  GATEWAY_EVENTS_POLL_INTERVAL_MS: count('1000', 200),
  /** Open subscriptions on one instance, in all and per principal. */
  GATEWAY_SUBSCRIPTIONS_MAX: count('10000'),
  GATEWAY_SUBSCRIPTIONS_PER_PRINCIPAL: count('50'),

  /** Node entry: the built example page served at `/`; empty turns it off. */
  GATEWAY_WEB_DIR: v.optional(v.pipe(v.string(), v.trim())),
});

/** Where Prometheus scrapes when GATEWAY_METRICS_PORT is unset: the OpenTelemetry exporter's port. */
export const DEFAULT_METRICS_PORT = 9464;

export type Upstream =
  | { kind: 'emulator'; speed: number }
  | { kind: 'voipbin'; baseURL: string; accessKey?: string; token?: string };

export interface GatewayEnv {
  port: number;
  upstream: Upstream;
  passThrough: boolean;
  production: boolean;
  security: SecurityConfig;
  /** Redis for the shared store and the event fanout (the Node, Bun and Deno entries). */
  redisUrl?: string;
  /** Worker: gateway auth without the GATEWAY_STORE binding is allowed (development only). */
  allowIsolateState: boolean;
  /** Deno entry: Deno KV for the shared store (`default`, a path or a KV Connect URL). */
  denoKv?: string;
  /** Live call status; `source` unset lets the entry choose (websocket, or poll on Workers). */
  events: EventsConfig;
  /** Node entry: the built example page to serve at `/` (unset: apps/web/dist; '' : none). */
  webDir?: string;
  /** `GATEWAY_LOG_FORMAT`: every log line as text, or one JSON object. */
  logFormat: LogFormat;
}

/** `env` read by `schema`, or an error naming every setting that is wrong (never its value). */
function parsed<T extends v.GenericSchema>(
  schema: T,
  env: Record<string, string | undefined>,
): v.InferOutput<T> {
  const result = v.safeParse(schema, env);
  if (!result.success) {
    const problems = result.issues.map((issue) => `${v.getDotPath(issue) ?? ''}: ${issue.message}`);
    throw new Error(`Invalid gateway configuration: ${problems.join('; ')}`);
  }
  return result.output;
}

/** Reads and checks the configuration; the only place that looks at the environment. */
export function readEnv(env: Record<string, string | undefined>): GatewayEnv {
  const e = parsed(EnvSchema, env);
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
  if (
    e.GATEWAY_EVENTS_SOURCE === 'webhook' &&
    !e.GATEWAY_WEBHOOK_SECRET &&
    e.VOIPBIN_WEBHOOK_SECRET === undefined
  ) {
    throw new Error(
      "Invalid gateway configuration: GATEWAY_EVENTS_SOURCE=webhook needs VOIPBIN_WEBHOOK_SECRET (the account's webhook secret, which VoIPBIN signs with) or GATEWAY_WEBHOOK_SECRET (the last segment of the URL VoIPBIN posts to)",
    );
  }
  if (e.GATEWAY_REDIS_URL && e.GATEWAY_DENO_KV) {
    throw new Error(
      'Invalid gateway configuration: set GATEWAY_REDIS_URL or GATEWAY_DENO_KV, not both (one shared store)',
    );
  }
  if (!e.GATEWAY_JWT_SECRET && !e.GATEWAY_JWKS_URL) {
    for (const name of ['GATEWAY_JWT_ISSUER', 'GATEWAY_JWT_AUDIENCE'] as const) {
      if (e[name]) {
        throw new Error(
          `Invalid gateway configuration: ${name} needs GATEWAY_JWT_SECRET or GATEWAY_JWKS_URL (JWTs are not checked without one)`,
        );
      }
    }
  }
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
        ...(e.GATEWAY_MAX_TOTAL_DESTINATIONS === undefined
          ? {}
          : { maxTotalDestinations: e.GATEWAY_MAX_TOTAL_DESTINATIONS }),
        allowFetchActions: e.GATEWAY_ALLOW_FETCH_ACTIONS,
      },
      rateLimit: { perMinute: e.GATEWAY_RATE_LIMIT_PER_MINUTE, burst: e.GATEWAY_RATE_LIMIT_BURST },
      idempotencyTtlMs: e.GATEWAY_IDEMPOTENCY_TTL_SECONDS * 1000,
      ownershipTtlMs: e.GATEWAY_OWNERSHIP_TTL_SECONDS * 1000,
      idempotencyMaxKeys: e.GATEWAY_IDEMPOTENCY_MAX_KEYS,
      corsOrigins: e.GATEWAY_CORS_ORIGINS,
      trustedDocuments: e.GATEWAY_TRUSTED_DOCUMENTS,
    },
    ...(e.GATEWAY_REDIS_URL ? { redisUrl: e.GATEWAY_REDIS_URL } : {}),
    allowIsolateState: e.GATEWAY_ALLOW_ISOLATE_STATE,
    logFormat: e.GATEWAY_LOG_FORMAT,
    ...(e.GATEWAY_DENO_KV ? { denoKv: e.GATEWAY_DENO_KV } : {}),
    ...(e.GATEWAY_WEB_DIR === undefined ? {} : { webDir: e.GATEWAY_WEB_DIR }),
    events: {
      ...(e.GATEWAY_EVENTS_SOURCE ? { source: e.GATEWAY_EVENTS_SOURCE } : {}),
      ...(e.GATEWAY_WEBHOOK_SECRET ? { webhookSecret: e.GATEWAY_WEBHOOK_SECRET } : {}),
      ...(e.VOIPBIN_WEBHOOK_SECRET === undefined
        ? {}
        : { webhookSigningSecret: e.VOIPBIN_WEBHOOK_SECRET }),
      pollIntervalMs: e.GATEWAY_EVENTS_POLL_INTERVAL_MS,
      maxSubscriptions: e.GATEWAY_SUBSCRIPTIONS_MAX,
      maxPerPrincipal: e.GATEWAY_SUBSCRIPTIONS_PER_PRINCIPAL,
    },
  };
}

/**
 * The Node and Bun entries' metrics settings: Prometheus text at `/metrics` on a port of their
 * own, or undefined when GATEWAY_METRICS is not true. Apart from `readEnv`, so that a Worker,
 * which serves no metrics, carries none of this.
 */
export function readMetricsEnv(
  env: Record<string, string | undefined>,
): { port: number } | undefined {
  // Built here, not beside EnvSchema: a Worker's bundle drops the function, and it with it.
  const e = parsed(
    v.object({
      PORT: EnvSchema.entries.PORT,
      /** Prometheus metrics at `/metrics` on a port of their own. */
      GATEWAY_METRICS: flag,
      /** The metrics port (never the API's). */
      GATEWAY_METRICS_PORT: v.pipe(
        v.optional(v.string(), ''),
        v.transform((value) => value.trim()),
        v.check(
          (value) => value === '' || (/^\d{1,5}$/.test(value) && Number(value) <= 65535),
          'Expected a port number (0 to 65535)',
        ),
        v.transform((value) => (value === '' ? undefined : Number(value))),
      ),
    }),
    env,
  );
  if (e.GATEWAY_METRICS_PORT !== undefined && !e.GATEWAY_METRICS) {
    throw new Error(
      'Invalid gateway configuration: GATEWAY_METRICS_PORT is set but GATEWAY_METRICS is not true (metrics are off)',
    );
  }
  const metricsPort = e.GATEWAY_METRICS_PORT ?? DEFAULT_METRICS_PORT;
  if (e.GATEWAY_METRICS && metricsPort !== 0 && metricsPort === e.PORT) {
    throw new Error(
      `Invalid gateway configuration: GATEWAY_METRICS_PORT is PORT (${e.PORT}): the metrics are served on a port of their own, never beside the API`,
    );
  }
  return e.GATEWAY_METRICS ? { port: metricsPort } : undefined;
}

/**
 * The one line an entry prints at startup when what it keeps in memory, per instance, matters:
 * a shared store set where that entry has no client for it (GATEWAY_REDIS_URL on a Worker,
 * GATEWAY_DENO_KV off Deno: ignored otherwise, in silence), gateway auth without a shared store
 * (call owners are then one instance's: a caller finds its calls only where it placed them),
 * or webhooks with Deno KV (which carries no events). Nothing when state is shared: through
 * GATEWAY_REDIS_URL on Node, Bun and Deno, or GATEWAY_DENO_KV on Deno. The URL is never
 * printed (it may hold a password).
 */
export function storeWarning(
  env: GatewayEnv,
  runtime: 'Node' | 'Bun' | 'Deno' | 'Worker',
): string | undefined {
  if (env.redisUrl && runtime === 'Worker') {
    return 'WARNING: GATEWAY_REDIS_URL is set, but the Worker entry has no Redis client: it shares state through its Durable Objects (the GATEWAY_STORE binding of wrangler.toml); without that binding it keeps rate limits, idempotency keys and call owners in memory, per isolate.';
  }
  if (env.denoKv && runtime !== 'Deno') {
    return `WARNING: GATEWAY_DENO_KV is set, but only the Deno entry opens Deno KV: this ${runtime} gateway keeps rate limits, idempotency keys and call owners in memory, per ${runtime === 'Worker' ? 'isolate' : 'instance'} (not shared).`;
  }
  if (env.denoKv && env.events.source === 'webhook') {
    return 'NOTE: Deno KV shares call owners, not call events: a webhook reaches only the instance VoIPBIN posted it to, and subscribers elsewhere miss it. Use the websocket source (the default: every instance has its own socket) or GATEWAY_REDIS_URL.';
  }
  const auth = env.security.auth;
  const shared = (env.redisUrl && runtime !== 'Worker') || env.denoKv;
  if (shared || !(auth?.jwt || auth?.apiKeyHashes?.length)) return undefined;
  const where = runtime === 'Worker' ? 'isolate (a Worker runs many)' : 'instance';
  const share =
    runtime === 'Worker'
      ? 'bind GATEWAY_STORE (the GatewayStore Durable Object of wrangler.toml)'
      : runtime === 'Deno'
        ? 'set GATEWAY_REDIS_URL (or GATEWAY_DENO_KV)'
        : 'set GATEWAY_REDIS_URL';
  return `NOTE: call owners are kept in this ${runtime} gateway's memory: a caller finds its calls only on the ${where} that placed them; to share them between instances, ${share}.`;
}

/**
 * A Worker's bindings as the environment `readEnv` reads. Secrets and quoted [vars] are strings;
 * wrangler passes an unquoted number or boolean var as such, and a table or array var as its
 * JSON value (`GATEWAY_TRUSTED_DOCUMENTS = { ... }`): those become their text, as if quoted.
 * Other bindings (KV, Durable Objects, services: class instances) are not configuration.
 */
export function fromBindings(bindings: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(bindings)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    else if (
      value !== null &&
      typeof value === 'object' &&
      (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)
    ) {
      out[key] = JSON.stringify(value);
    }
  }
  return out;
}
