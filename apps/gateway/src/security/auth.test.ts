import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AuthConfig,
  type AuthResult,
  CLOCK_TOLERANCE_SECONDS,
  createAuthenticator,
  hashApiKey,
  type Principal,
} from './auth.ts';

/** Searched for in every message: the secret, a token signed with it and an API key. */
const CANARY_SECRET = 'CANARY-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const CANARY_KEY = 'CANARY-api-key-zyxwvutsrqponmlkjihgfedcba9876543210';
const OTHER_SECRET = 'another-secret-of-at-least-thirty-two-bytes!!';
const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'voipbin-kit-gateway';

const encoder = new TextEncoder();
const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** An HS256 token with `claims` (sub, scope, exp in an hour, iss and aud by default). */
async function hs256(claims: JWTPayload = {}, secret = CANARY_SECRET, alg = 'HS256') {
  return new SignJWT({
    sub: 'user-42',
    scope: 'calls:create calls:read',
    iss: ISSUER,
    aud: AUDIENCE,
    exp: now() + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg })
    .sign(encoder.encode(secret));
}

/** A hand-made unsecured token: `alg: none`, no signature. */
const unsecured = (claims: JWTPayload = {}) =>
  `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'user-42', scope: 'calls:create', iss: ISSUER, aud: AUDIENCE, exp: now() + 3600, ...claims })}.`;

const request = (headers: Record<string, string> = {}) =>
  new Request('http://gateway.test/graphql', { method: 'POST', headers });
const bearer = (token: string) => request({ authorization: `Bearer ${token}` });

const ok = (result: AuthResult): Principal => {
  if (!result.ok) throw new Error(`expected a principal, got: ${result.message}`);
  return result.principal;
};

/** Every message the tests saw, searched for the canaries at the end. */
const messages: string[] = [];
const remember = (result: AuthResult) => {
  if (!result.ok) messages.push(result.message);
  return result;
};

describe('hashApiKey', () => {
  it('is the lowercase hex SHA-256 of the key', async () => {
    expect(await hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('HS256 JWTs', () => {
  const authenticate = createAuthenticator({
    jwt: { secret: CANARY_SECRET, issuer: ISSUER, audience: AUDIENCE },
  });

  it('accepts a valid token: jwt:<sub> is the principal, scope its scopes, exp (and its tolerance) its end', async () => {
    const exp = now() + 3600;
    const principal = ok(await authenticate(bearer(await hs256({ exp }))));
    expect(principal).toEqual({
      id: 'jwt:user-42',
      scopes: new Set(['calls:create', 'calls:read']),
      via: 'jwt',
      expiresAt: (exp + CLOCK_TOLERANCE_SECONDS) * 1000,
    });
  });

  it('accepts a read-only token with its one scope, and a token without scope with none', async () => {
    expect(ok(await authenticate(bearer(await hs256({ scope: 'calls:read' })))).scopes).toEqual(
      new Set(['calls:read']),
    );
    expect(ok(await authenticate(bearer(await hs256({ scope: undefined })))).scopes.size).toBe(0);
  });

  it('tolerates 5 s of clock skew on exp, not more', async () => {
    expect((await authenticate(bearer(await hs256({ exp: now() - 2 })))).ok).toBe(true);
    expect(remember(await authenticate(bearer(await hs256({ exp: now() - 30 }))))).toMatchObject({
      ok: false,
      message: 'the token has expired',
    });
  });

  const refusals: [string, () => Promise<Request>, string][] = [
    ['expired', async () => bearer(await hs256({ exp: now() - 3600 })), 'the token has expired'],
    [
      'without exp',
      async () => bearer(await hs256({ exp: undefined })),
      'the token has no expiry (exp)',
    ],
    [
      'signed with another key',
      async () => bearer(await hs256({}, OTHER_SECRET)),
      "the token's signature is not valid",
    ],
    [
      'alg none',
      async () => bearer(unsecured()),
      "the token's algorithm is not accepted (accepted: HS256)",
    ],
    [
      'alg none, signature of the real token kept',
      async () => bearer(`${unsecured().slice(0, -1)}.${(await hs256()).split('.')[2]}`),
      "the token's algorithm is not accepted (accepted: HS256)",
    ],
    [
      'HS512, not in the allowlist',
      async () => bearer(await hs256({}, CANARY_SECRET, 'HS512')),
      "the token's algorithm is not accepted (accepted: HS256)",
    ],
    [
      'wrong issuer',
      async () => bearer(await hs256({ iss: 'https://evil.test/' })),
      'the token was not issued by the expected issuer (iss)',
    ],
    [
      'no issuer',
      async () => bearer(await hs256({ iss: undefined })),
      'the token was not issued by the expected issuer (iss)',
    ],
    [
      'wrong audience',
      async () => bearer(await hs256({ aud: 'someone-else' })),
      'the token is not meant for this audience (aud)',
    ],
    [
      'missing sub',
      async () => bearer(await hs256({ sub: undefined })),
      'the token has no subject (sub)',
    ],
    ['empty sub', async () => bearer(await hs256({ sub: ' ' })), 'the token has no subject (sub)'],
    [
      'not valid yet',
      async () => bearer(await hs256({ nbf: now() + 600 })),
      'the token is not valid yet (nbf)',
    ],
    ['malformed', async () => bearer('not.a.jwt'), 'the token is malformed'],
    [
      'two parts',
      async () => bearer(`${b64url({ alg: 'HS256' })}.${b64url({ sub: 'x' })}`),
      'the token is malformed',
    ],
    [
      'too long',
      async () => bearer(`${await hs256()}${'A'.repeat(10_000)}`),
      'the token is too long',
    ],
    [
      'a Basic header',
      async () => request({ authorization: `Basic ${btoa(`u:${CANARY_SECRET}`)}` }),
      'the Authorization header must be `Bearer <JWT>`',
    ],
    [
      'nothing',
      async () => request(),
      'authentication required: send `Authorization: Bearer <JWT>`',
    ],
    [
      'an API key, which this gateway does not take',
      async () => request({ 'x-api-key': CANARY_KEY }),
      'API keys are not accepted here; send `Authorization: Bearer <JWT>`',
    ],
  ];
  it.each(refusals)('refuses a token %s', async (_, make, message) => {
    expect(remember(await authenticate(await make()))).toEqual({
      ok: false,
      code: 'UNAUTHENTICATED',
      message,
    });
  });

  it('checks nothing it was not asked to: no iss/aud configured accepts any', async () => {
    const plain = createAuthenticator({ jwt: { secret: CANARY_SECRET } });
    const token = await hs256({ iss: 'https://anyone.test/', aud: 'anything' });
    expect(ok(await plain(bearer(token))).id).toBe('jwt:user-42');
  });
});

describe('JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let requests = 0;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let stranger: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    keys = await generateKeyPair('RS256', { extractable: true });
    stranger = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      requests++;
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const rs256 = (key: CryptoKey, claims: JWTPayload = {}, kid = 'key-1') =>
    new SignJWT({ sub: 'svc-7', scope: 'calls:read', iss: ISSUER, exp: now() + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(key);

  it('verifies RS256 tokens against the key set, fetched once per authenticator', async () => {
    const authenticate = createAuthenticator({ jwt: { jwksUrl, issuer: ISSUER } });
    const before = requests;
    const principal = ok(await authenticate(bearer(await rs256(keys.privateKey))));
    expect(principal).toMatchObject({
      id: 'jwt:svc-7',
      scopes: new Set(['calls:read']),
      via: 'jwt',
    });
    ok(await authenticate(bearer(await rs256(keys.privateKey, { sub: 'svc-8' }))));
    expect(requests - before).toBe(1);
  });

  it('refuses a token signed by another key, an unknown kid, an HS256 token and alg none', async () => {
    const authenticate = createAuthenticator({ jwt: { jwksUrl, issuer: ISSUER } });
    const cases: [Request, string][] = [
      [bearer(await rs256(stranger.privateKey)), "the token's signature is not valid"],
      [bearer(await rs256(keys.privateKey, { exp: now() - 60 })), 'the token has expired'],
      [
        bearer(await rs256(stranger.privateKey, {}, 'key-2')),
        'no key of the key set (JWKS) matches the token',
      ],
      // HMAC algorithms are not accepted with a key set alone (no algorithm confusion).
      [
        bearer(await hs256({ sub: 'svc-7' })),
        "the token's algorithm is not accepted (accepted: RS256, ES256, EdDSA, Ed25519)",
      ],
      [
        bearer(unsecured()),
        "the token's algorithm is not accepted (accepted: RS256, ES256, EdDSA, Ed25519)",
      ],
    ];
    for (const [req, message] of cases) {
      expect(remember(await authenticate(req))).toEqual({
        ok: false,
        code: 'UNAUTHENTICATED',
        message,
      });
    }
  });

  it('takes an HS256 secret and a JWKS together, each for its own algorithms', async () => {
    const authenticate = createAuthenticator({ jwt: { jwksUrl, secret: CANARY_SECRET } });
    expect(ok(await authenticate(bearer(await rs256(keys.privateKey)))).id).toBe('jwt:svc-7');
    expect(ok(await authenticate(bearer(await hs256()))).id).toBe('jwt:user-42');
  });

  it('says so when the key set cannot be fetched', async () => {
    const authenticate = createAuthenticator({
      jwt: { jwksUrl: jwksUrl.replace('jwks.json', 'missing.json') },
    });
    expect(remember(await authenticate(bearer(await rs256(keys.privateKey))))).toMatchObject({
      ok: false,
      message: 'the token could not be checked: the key set (JWKS) is unavailable',
    });
  });
});

describe('API keys', () => {
  let config: AuthConfig;
  let hash: string;
  beforeAll(async () => {
    hash = await hashApiKey(CANARY_KEY);
    config = {
      apiKeyHashes: [
        await hashApiKey('first-key'),
        hash.toUpperCase(),
        await hashApiKey('last-key'),
      ],
    };
  });

  it('accepts a configured key: api-key:<8 hex>, to place, read and control its calls (never admin)', async () => {
    const authenticate = createAuthenticator(config);
    expect(ok(await authenticate(request({ 'x-api-key': CANARY_KEY })))).toEqual({
      id: `api-key:${hash.slice(0, 8)}`,
      scopes: new Set(['calls:create', 'calls:read', 'calls:control']),
      via: 'api-key',
    });
    expect(ok(await authenticate(request({ 'X-API-Key': 'last-key' }))).via).toBe('api-key');
  });

  const refusals: [string, Record<string, string>, string][] = [
    ['an unknown key', { 'x-api-key': `${CANARY_KEY}x` }, 'unknown API key'],
    ['a key differing in case', { 'x-api-key': CANARY_KEY.toLowerCase() }, 'unknown API key'],
    ['an empty key', { 'x-api-key': '' }, 'the API key is empty'],
    ['a huge key', { 'x-api-key': CANARY_KEY.repeat(100) }, 'unknown API key'],
    [
      'the key as a bearer token',
      { authorization: `Bearer ${CANARY_KEY}` },
      'authentication required: send `X-API-Key: <key>`',
    ],
    ['nothing', {}, 'authentication required: send `X-API-Key: <key>`'],
  ];
  it.each(refusals)('refuses %s', async (_, headers, message) => {
    const authenticate = createAuthenticator(config);
    expect(remember(await authenticate(request(headers)))).toEqual({
      ok: false,
      code: 'UNAUTHENTICATED',
      message,
    });
  });

  it('hashes an accepted key once, an unknown key every time (only accepted keys are remembered)', async () => {
    const authenticate = createAuthenticator(config);
    const digest = vi.spyOn(crypto.subtle, 'digest');
    try {
      for (let i = 0; i < 3; i++) {
        expect(ok(await authenticate(request({ 'x-api-key': CANARY_KEY }))).id).toBe(
          `api-key:${hash.slice(0, 8)}`,
        );
      }
      expect(digest).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 3; i++) {
        expect(remember(await authenticate(request({ 'x-api-key': `${CANARY_KEY}x` })))).toEqual({
          ok: false,
          code: 'UNAUTHENTICATED',
          message: 'unknown API key',
        });
      }
      expect(digest).toHaveBeenCalledTimes(4);
      // Remembering one key accepts no other: a neighbour of the accepted key is still refused.
      expect(
        remember(await authenticate(request({ 'x-api-key': CANARY_KEY.slice(0, -1) }))),
      ).toMatchObject({ ok: false, message: 'unknown API key' });
    } finally {
      digest.mockRestore();
    }
  });

  it('with JWTs too: the API key decides when sent (a bearer may be a VoIPBIN token), never falls back', async () => {
    const authenticate = createAuthenticator({ ...config, jwt: { secret: CANARY_SECRET } });
    const token = await hs256();
    expect(
      ok(
        await authenticate(
          request({ 'x-api-key': CANARY_KEY, authorization: 'Bearer voipbin-token' }),
        ),
      ).via,
    ).toBe('api-key');
    expect(
      remember(
        await authenticate(request({ 'x-api-key': 'wrong', authorization: `Bearer ${token}` })),
      ),
    ).toMatchObject({ ok: false, message: 'unknown API key' });
    expect(ok(await authenticate(bearer(token))).via).toBe('jwt');
    expect(remember(await authenticate(request()))).toMatchObject({
      message: 'authentication required: send `Authorization: Bearer <JWT>` or `X-API-Key: <key>`',
    });
  });
});

describe('configuration', () => {
  const cases: [string, AuthConfig, RegExp][] = [
    ['nothing', {}, /No gateway authentication method/],
    ['an empty key list', { apiKeyHashes: [] }, /No gateway authentication method/],
    ['a short secret', { jwt: { secret: 'short' } }, /at least 32 bytes/],
    ['a JWT section without a key', { jwt: { issuer: ISSUER } }, /needs a secret .* or a JWKS URL/],
    [
      'alg none',
      { jwt: { secret: CANARY_SECRET, algorithms: ['none'] } },
      /"none" is not accepted/,
    ],
    [
      'RS256 without a JWKS',
      { jwt: { secret: CANARY_SECRET, algorithms: ['RS256'] } },
      /RS256 needs a JWKS URL/,
    ],
    [
      'an http JWKS off loopback',
      { jwt: { jwksUrl: 'http://auth.example.test/jwks.json' } },
      /must use https/,
    ],
    ['a malformed hash', { apiKeyHashes: [CANARY_KEY] }, /hash #1 .* is not a SHA-256/],
  ];
  it.each(cases)('refuses %s, without quoting a value', (_, config, message) => {
    let error: unknown;
    try {
      createAuthenticator(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    messages.push((error as Error).message);
  });
});

describe('canaries', () => {
  it('no message quotes the secret, a token or an API key', async () => {
    const token = await hs256();
    // The token's parts, in case a message quoted only its payload or signature.
    const needles = [CANARY_SECRET, CANARY_KEY, token, ...token.split('.'), 'CANARY'];
    expect(messages.length).toBeGreaterThan(30);
    for (const message of messages) {
      for (const needle of needles) expect(message).not.toContain(needle);
    }
  });
});
