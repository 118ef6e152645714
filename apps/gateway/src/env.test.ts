import { describe, expect, it } from 'vitest';
import { fromBindings, readEnv, readMetricsEnv, storeWarning } from './env.ts';

describe('readEnv', () => {
  it('runs the embedded emulator on port 4000 when no VoIPBIN credential is set', () => {
    expect(readEnv({})).toMatchObject({
      port: 4000,
      upstream: { kind: 'emulator', speed: 1 },
      passThrough: false,
      production: false,
    });
  });

  it('uses VoIPBIN with an access key or a token, and VOIPBIN_BASE_URL to override the host', () => {
    expect(readEnv({ VOIPBIN_ACCESS_KEY: 'k' }).upstream).toEqual({
      kind: 'voipbin',
      baseURL: 'https://api.voipbin.net/v1.0',
      accessKey: 'k',
    });
    expect(
      readEnv({ VOIPBIN_TOKEN: 't', VOIPBIN_BASE_URL: 'http://127.0.0.1:9000/v1.0' }).upstream,
    ).toEqual({
      kind: 'voipbin',
      baseURL: 'http://127.0.0.1:9000/v1.0',
      token: 't',
    });
  });

  it('reads PORT, the emulator speed and production mode', () => {
    const env = readEnv({ PORT: '8080', EMULATOR_SPEED: '10', NODE_ENV: 'production' });
    expect(env).toMatchObject({
      port: 8080,
      passThrough: false,
      production: true,
      upstream: { kind: 'emulator', speed: 10 },
    });
  });

  it('sends callers to VoIPBIN with their own tokens in pass-through mode without a server credential', () => {
    const env = readEnv({ VOIPBIN_TOKEN_PASSTHROUGH: 'true' });
    expect(env).toMatchObject({
      passThrough: true,
      upstream: { kind: 'voipbin', baseURL: 'https://api.voipbin.net/v1.0' },
    });
    expect(env.upstream).not.toHaveProperty('accessKey');
  });

  it('refuses VOIPBIN_BASE_URL without a credential or pass-through, instead of ignoring it', () => {
    expect(() => readEnv({ VOIPBIN_BASE_URL: 'http://127.0.0.1:9000/v1.0' })).toThrow(
      /VOIPBIN_BASE_URL needs/,
    );
  });

  it('reads the security settings: auth, policy, limits, CORS', () => {
    const env = readEnv({
      GATEWAY_JWT_SECRET: 'a-test-secret-of-at-least-32-bytes!!',
      GATEWAY_API_KEY_HASHES: `${'a'.repeat(64)}, ${'b'.repeat(64)}`,
      GATEWAY_ALLOWED_PREFIXES: '+82,1',
      GATEWAY_DENIED_PREFIXES: '+1900',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
      GATEWAY_CORS_ORIGINS: 'https://app.example.com',
    });
    expect(env.security).toMatchObject({
      auth: {
        jwt: { secret: 'a-test-secret-of-at-least-32-bytes!!' },
        apiKeyHashes: ['a'.repeat(64), 'b'.repeat(64)],
      },
      policy: { allowedPrefixes: ['+82', '1'], deniedPrefixes: ['+1900'], maxDestinations: 10 },
      rateLimit: { perMinute: 0, burst: 10 },
      corsOrigins: ['https://app.example.com'],
    });
    expect(readEnv({}).security.rateLimit).toEqual({ perMinute: 60, burst: 10 });
    expect(() => readEnv({ GATEWAY_DENIED_PREFIXES: '+1-900' })).toThrow(/GATEWAY_DENIED_PREFIXES/);
    expect(() => readEnv({ GATEWAY_API_KEY_HASHES: 'not-a-hash' })).toThrow(
      /GATEWAY_API_KEY_HASHES/,
    );
  });

  it('reads the JWT issuer, audience and JWKS, the fail-closed escape, TTL, limits and Redis', () => {
    const env = readEnv({
      GATEWAY_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json',
      GATEWAY_JWT_ISSUER: 'https://auth.example.com/',
      GATEWAY_JWT_AUDIENCE: 'voipbin-gateway',
      GATEWAY_INSECURE_NO_AUTH: 'true',
      GATEWAY_IDEMPOTENCY_TTL_SECONDS: '3600',
      GATEWAY_OWNERSHIP_TTL_SECONDS: '7200',
      GATEWAY_IDEMPOTENCY_MAX_KEYS: '50000',
      GATEWAY_MAX_DESTINATIONS: '3',
      GATEWAY_MAX_ACTIONS: '20',
      GATEWAY_MAX_TALK_LENGTH: '500',
      GATEWAY_RATE_LIMIT_BURST: '4',
      GATEWAY_REDIS_URL: 'redis://cache.internal:6379/0',
    });
    expect(env.security.auth).toEqual({
      jwt: {
        jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
        issuer: 'https://auth.example.com/',
        audience: 'voipbin-gateway',
      },
    });
    expect(env.security).toMatchObject({
      insecureNoAuth: true,
      idempotencyTtlMs: 3_600_000,
      ownershipTtlMs: 7_200_000,
      idempotencyMaxKeys: 50_000,
      policy: { maxDestinations: 3, maxActions: 20, maxTalkLength: 500 },
      rateLimit: { perMinute: 60, burst: 4 },
    });
    expect(env.redisUrl).toBe('redis://cache.internal:6379/0');
    expect(readEnv({ GATEWAY_REDIS_URL: 'rediss://:pw@cache:6380' }).redisUrl).toBe(
      'rediss://:pw@cache:6380',
    );

    const defaults = readEnv({});
    expect(defaults.security).toMatchObject({
      auth: {},
      insecureNoAuth: false,
      idempotencyTtlMs: 86_400_000,
      ownershipTtlMs: 30 * 86_400_000,
      idempotencyMaxKeys: 10_000,
      policy: { maxDestinations: 10, maxActions: 100, maxTalkLength: 10_000 },
    });
    expect(defaults.security.policy?.allowFetchActions).toBe(false);
    expect(defaults).not.toHaveProperty('redisUrl');
  });

  it.each([
    ['GATEWAY_MAX_DESTINATIONS', '0', /GATEWAY_MAX_DESTINATIONS: Expected a whole number >= 1/],
    ['GATEWAY_MAX_ACTIONS', '2.5', /GATEWAY_MAX_ACTIONS: Expected a whole number >= 1/],
    ['GATEWAY_MAX_TALK_LENGTH', 'lots', /GATEWAY_MAX_TALK_LENGTH: Expected a whole number >= 1/],
    ['GATEWAY_MAX_TALK_LENGTH', '1e4', /GATEWAY_MAX_TALK_LENGTH: Expected a whole number >= 1/],
    ['GATEWAY_IDEMPOTENCY_TTL_SECONDS', '-5', /GATEWAY_IDEMPOTENCY_TTL_SECONDS: Expected a whole/],
    ['GATEWAY_OWNERSHIP_TTL_SECONDS', '0', /GATEWAY_OWNERSHIP_TTL_SECONDS: Expected a whole/],
    [
      'GATEWAY_IDEMPOTENCY_MAX_KEYS',
      '0',
      /GATEWAY_IDEMPOTENCY_MAX_KEYS: Expected a whole number >= 1/,
    ],
    [
      'GATEWAY_RATE_LIMIT_PER_MINUTE',
      'none',
      /GATEWAY_RATE_LIMIT_PER_MINUTE: Expected a whole number >= 0/,
    ],
    ['GATEWAY_INSECURE_NO_AUTH', 'yes', /GATEWAY_INSECURE_NO_AUTH: Expected true or false/],
    ['GATEWAY_ALLOW_FETCH_ACTIONS', 'on', /GATEWAY_ALLOW_FETCH_ACTIONS: Expected true or false/],
    ['GATEWAY_JWKS_URL', 'auth.example.com/jwks', /GATEWAY_JWKS_URL must be a URL/],
    [
      'GATEWAY_REDIS_URL',
      'cache.internal:6379',
      /GATEWAY_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    ],
    [
      'GATEWAY_REDIS_URL',
      'http://cache.internal:6379',
      /GATEWAY_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    ],
  ])('refuses %s=%s with a message that says what is expected', (name, value, message) => {
    expect(() => readEnv({ [name]: value })).toThrow(message);
  });

  it('treats an empty number setting as unset, never as 0 (which turns the rate limit off)', () => {
    const env = readEnv({ GATEWAY_RATE_LIMIT_PER_MINUTE: '', GATEWAY_MAX_DESTINATIONS: ' ' });
    expect(env.security.rateLimit).toEqual({ perMinute: 60, burst: 10 });
    expect(env.security.policy?.maxDestinations).toBe(10);
  });

  it('refuses a JWT issuer or audience without a JWT secret or JWKS, instead of ignoring it', () => {
    expect(() => readEnv({ GATEWAY_JWT_ISSUER: 'https://auth.example.com/' })).toThrow(
      /GATEWAY_JWT_ISSUER needs GATEWAY_JWT_SECRET or GATEWAY_JWKS_URL/,
    );
    expect(() => readEnv({ GATEWAY_JWT_AUDIENCE: 'gateway' })).toThrow(
      /GATEWAY_JWT_AUDIENCE needs GATEWAY_JWT_SECRET or GATEWAY_JWKS_URL/,
    );
  });

  it('reads GATEWAY_ALLOW_FETCH_ACTIONS into the policy (default false)', () => {
    expect(
      readEnv({ GATEWAY_ALLOW_FETCH_ACTIONS: 'true' }).security.policy?.allowFetchActions,
    ).toBe(true);
    expect(readEnv({ GATEWAY_ALLOW_FETCH_ACTIONS: '0' }).security.policy?.allowFetchActions).toBe(
      false,
    );
  });

  describe('GATEWAY_TRUSTED_DOCUMENTS', () => {
    const HASH = 'a'.repeat(64);
    const DOCUMENT = 'mutation Place { createCall(input: {}) { calls { id } } }';

    it('reads inline JSON of { "<sha256 hex>": "<document>" }; unset or empty, the mode is off', () => {
      const documents = { [HASH]: DOCUMENT, ['b'.repeat(64)]: '{ calls { nodes { id } } }' };
      expect(
        readEnv({ GATEWAY_TRUSTED_DOCUMENTS: JSON.stringify(documents) }).security.trustedDocuments,
      ).toEqual(documents);
      expect(readEnv({}).security.trustedDocuments).toBeNull();
      expect(readEnv({ GATEWAY_TRUSTED_DOCUMENTS: '  ' }).security.trustedDocuments).toBeNull();
    });

    it.each([
      ['not JSON', `{${HASH}: "{ calls }"}`, /GATEWAY_TRUSTED_DOCUMENTS: Expected JSON/],
      ['an array', `["${DOCUMENT}"]`, /GATEWAY_TRUSTED_DOCUMENTS: Expected a JSON object/],
      ['an empty object', '{}', /GATEWAY_TRUSTED_DOCUMENTS lists no document/],
      ['a key that is no SHA-256', `{"Place": "${DOCUMENT}"}`, /not a SHA-256/],
      ['a key in capitals', `{"${'A'.repeat(64)}": "${DOCUMENT}"}`, /not a SHA-256/],
      ['a document that is no string', `{"${HASH}": {"query": "{ calls }"}}`, /not a string/],
      ['an empty document', `{"${HASH}": " "}`, /not a string/],
      ['a __proto__ key', `{"__proto__": "${DOCUMENT}"}`, /not a SHA-256/],
    ])('refuses %s, saying what it expects', (_what, value, message) => {
      expect(() => readEnv({ GATEWAY_TRUSTED_DOCUMENTS: value })).toThrow(message);
    });
  });

  it('says once, on a Worker (no Redis client), that GATEWAY_REDIS_URL is not used there', () => {
    const url = 'redis://:hunter2-password@cache.internal:6379';
    const warning = storeWarning(readEnv({ GATEWAY_REDIS_URL: url }), 'Worker');
    expect(warning).toMatch(
      /^WARNING: GATEWAY_REDIS_URL is set, but the Worker entry has no Redis client: it shares state through its Durable Objects \(the GATEWAY_STORE binding of wrangler.toml\)/,
    );
    expect(warning).not.toContain('\n');
    // The URL may hold a password: never printed.
    expect(warning).not.toContain('hunter2');
    expect(warning).not.toContain('cache.internal');
    expect(storeWarning(readEnv({}), 'Worker')).toBeUndefined();
  });

  it.each(['Node', 'Bun', 'Deno'] as const)(
    'says nothing on %s with GATEWAY_REDIS_URL set, auth or not: state is shared there',
    (runtime) => {
      const url = 'redis://:hunter2-password@cache.internal:6379';
      expect(storeWarning(readEnv({ GATEWAY_REDIS_URL: url }), runtime)).toBeUndefined();
      const auth = { GATEWAY_API_KEY_HASHES: 'a'.repeat(64) };
      expect(storeWarning(readEnv({ ...auth, GATEWAY_REDIS_URL: url }), runtime)).toBeUndefined();
      expect(storeWarning(readEnv({}), runtime)).toBeUndefined();
    },
  );

  it('reads GATEWAY_DENO_KV, and refuses it beside GATEWAY_REDIS_URL (one shared store)', () => {
    expect(readEnv({ GATEWAY_DENO_KV: 'default' }).denoKv).toBe('default');
    expect(readEnv({ GATEWAY_DENO_KV: ' /data/gateway.kv ' }).denoKv).toBe('/data/gateway.kv');
    expect(readEnv({}).denoKv).toBeUndefined();
    expect(() =>
      readEnv({ GATEWAY_DENO_KV: 'default', GATEWAY_REDIS_URL: 'redis://cache:6379' }),
    ).toThrow(/set GATEWAY_REDIS_URL or GATEWAY_DENO_KV, not both/);
  });

  it('says where GATEWAY_DENO_KV is not used (off Deno), and that it carries no webhooks', () => {
    const auth = { GATEWAY_API_KEY_HASHES: 'a'.repeat(64) };
    const kv = { ...auth, GATEWAY_DENO_KV: 'default' };
    expect(storeWarning(readEnv(kv), 'Deno')).toBeUndefined();
    for (const runtime of ['Node', 'Bun', 'Worker'] as const) {
      expect(storeWarning(readEnv(kv), runtime)).toMatch(
        new RegExp(
          `^WARNING: GATEWAY_DENO_KV is set, but only the Deno entry opens Deno KV: this ${runtime} gateway keeps`,
        ),
      );
    }
    const webhooks = {
      ...kv,
      GATEWAY_EVENTS_SOURCE: 'webhook',
      GATEWAY_WEBHOOK_SECRET: 'webhook-secret-0123456789abcdef',
    };
    expect(storeWarning(readEnv(webhooks), 'Deno')).toMatch(
      /^NOTE: Deno KV shares call owners, not call events: a webhook reaches only the instance/,
    );
    expect(storeWarning(readEnv(auth), 'Deno')).toMatch(
      /set GATEWAY_REDIS_URL \(or GATEWAY_DENO_KV\)\.$/,
    );
  });

  it("says, with gateway auth and no shared store, that call owners are one instance's", () => {
    const auth = { GATEWAY_API_KEY_HASHES: 'a'.repeat(64) };
    expect(storeWarning(readEnv(auth), 'Worker')).toMatch(
      /^NOTE: call owners are kept in this Worker gateway's memory: .* isolate \(a Worker runs many\)/,
    );
    expect(storeWarning(readEnv(auth), 'Worker')).toMatch(
      /bind GATEWAY_STORE \(the GatewayStore Durable Object of wrangler.toml\)\.$/,
    );
    for (const runtime of ['Node', 'Bun', 'Deno'] as const) {
      expect(storeWarning(readEnv(auth), runtime)).toMatch(
        new RegExp(
          `^NOTE: call owners are kept in this ${runtime} gateway's memory: .* on the instance that placed them; to share them between instances, set GATEWAY_REDIS_URL( \\(or GATEWAY_DENO_KV\\))?\\.$`,
        ),
      );
      expect(
        storeWarning(readEnv({ ...auth, GATEWAY_REDIS_URL: 'redis://cache:6379' }), runtime),
      ).toBeUndefined();
    }
    // Without gateway auth every caller is `anonymous`: nobody to keep apart.
    expect(storeWarning(readEnv({}), 'Worker')).toBeUndefined();
  });

  it('names the setting that is wrong, without echoing a credential', () => {
    expect(() => readEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() =>
      readEnv({ VOIPBIN_BASE_URL: 'not a url', VOIPBIN_ACCESS_KEY: 'SECRET-KEY' }),
    ).toThrow(/VOIPBIN_BASE_URL/);
    try {
      readEnv({ VOIPBIN_BASE_URL: 'nope', VOIPBIN_ACCESS_KEY: 'SECRET-KEY' });
    } catch (error) {
      expect(String(error)).not.toContain('SECRET-KEY');
    }
    expect(() => readEnv({ VOIPBIN_TOKEN_PASSTHROUGH: 'yes' })).toThrow(
      /VOIPBIN_TOKEN_PASSTHROUGH/,
    );
  });
});

describe('live call status settings', () => {
  it('leaves the source to the entry, and reads the poll interval and the subscription limits', () => {
    expect(readEnv({}).events).toEqual({
      pollIntervalMs: 1000,
      maxSubscriptions: 10000,
      maxPerPrincipal: 50,
    });
    expect(
      readEnv({
        GATEWAY_EVENTS_SOURCE: 'webhook',
        GATEWAY_WEBHOOK_SECRET: 'abcdefghijklmnop-1234',
        GATEWAY_EVENTS_POLL_INTERVAL_MS: '250',
        GATEWAY_SUBSCRIPTIONS_MAX: '2000',
        GATEWAY_SUBSCRIPTIONS_PER_PRINCIPAL: '5',
      }).events,
    ).toEqual({
      source: 'webhook',
      webhookSecret: 'abcdefghijklmnop-1234',
      pollIntervalMs: 250,
      maxSubscriptions: 2000,
      maxPerPrincipal: 5,
    });
  });

  it("reads VOIPBIN_WEBHOOK_SECRET, the account's webhook secret, as the signing secret", () => {
    expect(
      readEnv({ GATEWAY_EVENTS_SOURCE: 'webhook', VOIPBIN_WEBHOOK_SECRET: ' any secret ' }).events,
    ).toMatchObject({ source: 'webhook', webhookSigningSecret: ' any secret ' });
    expect(
      readEnv({
        VOIPBIN_WEBHOOK_SECRET: 'signing',
        GATEWAY_WEBHOOK_SECRET: 'abcdefghijklmnop-1234',
      }).events,
    ).toMatchObject({ webhookSigningSecret: 'signing', webhookSecret: 'abcdefghijklmnop-1234' });
    expect(readEnv({}).events).not.toHaveProperty('webhookSigningSecret');
    expect(() => readEnv({ VOIPBIN_WEBHOOK_SECRET: '' })).toThrow(
      /VOIPBIN_WEBHOOK_SECRET: Expected the account's webhook secret, not an empty value/,
    );
  });

  it('refuses a webhook source without a secret, a short or unsafe secret (without echoing it), a poll faster than 200 ms, an unknown source', () => {
    expect(() => readEnv({ GATEWAY_EVENTS_SOURCE: 'webhook' })).toThrow(
      /GATEWAY_EVENTS_SOURCE=webhook needs VOIPBIN_WEBHOOK_SECRET .* or GATEWAY_WEBHOOK_SECRET/,
    );
    for (const secret of ['short-canary', 'has/a/slash/in-it-canary', 'has a space in it canary']) {
      let message = '';
      try {
        readEnv({ GATEWAY_WEBHOOK_SECRET: secret });
      } catch (error) {
        message = String(error);
      }
      expect(message, secret).toMatch(/GATEWAY_WEBHOOK_SECRET/);
      expect(message, secret).not.toContain('canary');
    }
    expect(() => readEnv({ GATEWAY_EVENTS_POLL_INTERVAL_MS: '100' })).toThrow(
      /GATEWAY_EVENTS_POLL_INTERVAL_MS: Expected a whole number >= 200/,
    );
    expect(() => readEnv({ GATEWAY_EVENTS_SOURCE: 'carrier-pigeon' })).toThrow(
      /GATEWAY_EVENTS_SOURCE: Expected websocket, webhook or poll/,
    );
  });
});

describe('GATEWAY_WEB_DIR (Node entry)', () => {
  it('is unset by default (the entry serves apps/web/dist), a directory, or empty for no page', () => {
    expect(readEnv({}).webDir).toBeUndefined();
    expect(readEnv({ GATEWAY_WEB_DIR: '/srv/page ' }).webDir).toBe('/srv/page');
    expect(readEnv({ GATEWAY_WEB_DIR: '' }).webDir).toBe('');
  });
});

describe('fromBindings (a Worker’s env)', () => {
  it('takes strings as they are, unquoted numbers and booleans and JSON vars as their text, and no other binding', () => {
    const documents = { ['a'.repeat(64)]: '{ calls { totalCount } }' };
    class KvNamespace {}
    const env = fromBindings({
      VOIPBIN_TOKEN: 'secret',
      EMULATOR_SPEED: 10,
      VOIPBIN_TOKEN_PASSTHROUGH: true,
      GATEWAY_TRUSTED_DOCUMENTS: documents,
      GATEWAY_CORS_ORIGINS: ['https://a.example'],
      CACHE: new KvNamespace(),
      NOTHING: null,
    });
    expect(env).toEqual({
      VOIPBIN_TOKEN: 'secret',
      EMULATOR_SPEED: '10',
      VOIPBIN_TOKEN_PASSTHROUGH: 'true',
      GATEWAY_TRUSTED_DOCUMENTS: JSON.stringify(documents),
      GATEWAY_CORS_ORIGINS: '["https://a.example"]',
    });
    // A table var reaches the trusted documents as if written as a JSON string.
    const config = readEnv({ GATEWAY_TRUSTED_DOCUMENTS: env.GATEWAY_TRUSTED_DOCUMENTS });
    expect(config.security.trustedDocuments).toEqual(documents);
  });
});

describe('GATEWAY_MAX_TOTAL_DESTINATIONS', () => {
  it('is the policy default (3 lists of GATEWAY_MAX_DESTINATIONS) when unset or empty, else the number', () => {
    expect(readEnv({}).security.policy).not.toHaveProperty('maxTotalDestinations');
    expect(readEnv({ GATEWAY_MAX_TOTAL_DESTINATIONS: ' ' }).security.policy).not.toHaveProperty(
      'maxTotalDestinations',
    );
    expect(
      readEnv({ GATEWAY_MAX_TOTAL_DESTINATIONS: '50' }).security.policy?.maxTotalDestinations,
    ).toBe(50);
  });

  it.each(['0', '-1', '2.5', 'ten'])('refuses %j, saying what is expected', (value) => {
    expect(() => readEnv({ GATEWAY_MAX_TOTAL_DESTINATIONS: value })).toThrow(
      'GATEWAY_MAX_TOTAL_DESTINATIONS: Expected a whole number >= 1',
    );
  });
});

describe('metrics settings', () => {
  it('leaves the metrics off unless GATEWAY_METRICS=true, then serves them on 9464 or GATEWAY_METRICS_PORT', () => {
    expect(readMetricsEnv({})).toBeUndefined();
    expect(readMetricsEnv({ GATEWAY_METRICS: 'false' })).toBeUndefined();
    expect(readMetricsEnv({ GATEWAY_METRICS: 'true' })).toEqual({ port: 9464 });
    expect(readMetricsEnv({ GATEWAY_METRICS: '1', GATEWAY_METRICS_PORT: ' 9100 ' })).toEqual({
      port: 9100,
    });
    expect(readMetricsEnv({ GATEWAY_METRICS: 'true', GATEWAY_METRICS_PORT: '' })).toEqual({
      port: 9464,
    });
  });

  it('refuses a metrics port that is not one, is the API port, or is set with the metrics off', () => {
    expect(() => readMetricsEnv({ GATEWAY_METRICS: 'yes' })).toThrow(
      /GATEWAY_METRICS: Expected true/,
    );
    for (const port of ['nine', '70000', '-1']) {
      expect(() => readMetricsEnv({ GATEWAY_METRICS: 'true', GATEWAY_METRICS_PORT: port })).toThrow(
        /GATEWAY_METRICS_PORT: Expected a port number/,
      );
    }
    expect(() =>
      readMetricsEnv({ GATEWAY_METRICS: 'true', GATEWAY_METRICS_PORT: '4000', PORT: '4000' }),
    ).toThrow(/never beside the API/);
    expect(() => readMetricsEnv({ GATEWAY_METRICS_PORT: '9100' })).toThrow(
      /GATEWAY_METRICS is not true/,
    );
  });
});
