import { describe, expect, it } from 'vitest';
import { readEnv } from './env.ts';

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
