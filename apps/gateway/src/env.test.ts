import { describe, expect, it } from 'vitest';
import { readEnv } from './env.ts';

describe('readEnv', () => {
  it('runs the embedded emulator on port 4000 when no VoIPBIN credential is set', () => {
    expect(readEnv({})).toEqual({
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

  it('reads PORT, pass-through, the emulator speed and production mode', () => {
    const env = readEnv({
      PORT: '8080',
      VOIPBIN_TOKEN_PASSTHROUGH: 'true',
      EMULATOR_SPEED: '10',
      NODE_ENV: 'production',
    });
    expect(env).toMatchObject({
      port: 8080,
      passThrough: true,
      production: true,
      upstream: { kind: 'emulator', speed: 10 },
    });
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
