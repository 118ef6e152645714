/**
 * Gateway authentication: who is calling, before any resolver runs.
 *
 * Two ways in, either or both configured:
 * - `Authorization: Bearer <JWT>`, verified with jose: an HS256 secret and/or a JWKS URL, an
 *   algorithm allowlist (never `none`), `exp` required (5 s of clock tolerance), `iss` and `aud`
 *   when configured, `sub` required (the principal is `jwt:<sub>`), scopes from the standard
 *   space-separated `scope` claim (`calls:create`, `calls:read`, `calls:control`, `calls:admin`).
 * - `X-API-Key: <key>`: the key's SHA-256 is compared, in constant time, with every configured
 *   hash (the configuration holds keys only hashed: `hashApiKey(key)`, or
 *   `printf %s "$KEY" | sha256sum`). Such a principal has both scopes. A key once accepted stays
 *   in this process's memory, as the look-up key of its cached digest (never logged or persisted).
 *
 * When a request carries an `X-API-Key` and API keys are configured, the key decides and any
 * `Authorization` header is ignored (it may carry a VoIPBIN token for pass-through); otherwise
 * the bearer JWT decides. A failed credential never falls back to the other one.
 *
 * Messages name what is wrong ("the token has expired") and never quote the token, the key or
 * the secret. Web-standard APIs only (crypto.subtle, TextEncoder, fetch): runs on Node, Bun,
 * Deno and Workers.
 */
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

export interface AuthConfig {
  /** JWT verification: an HS256 `secret` (at least 32 bytes) and/or a `jwksUrl` (https, or http on loopback). */
  jwt?: {
    secret?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    /** Accepted `alg` values; default HS256 with a secret, RS256/ES256/EdDSA/Ed25519 with a JWKS. */
    algorithms?: string[];
  };
  /** Lowercase hex SHA-256 of each accepted API key (`hashApiKey(key)`). */
  apiKeyHashes?: string[];
}

export interface Principal {
  /**
   * `jwt:<the JWT's sub>`, or `api-key:<first 8 hex of the key's hash>`: the kind first, so that
   * no credential of one kind can name a principal of another.
   */
  id: string;
  scopes: Set<string>;
  via: 'jwt' | 'api-key';
  /** When the credential stops being accepted (epoch ms): a JWT's `exp`; API keys do not expire. */
  expiresAt?: number;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; code: 'UNAUTHENTICATED'; message: string };

/**
 * The scopes this gateway knows: place calls (and hang up, create flows), read them, act on a
 * running call (talk, hold, mute, record), and see the whole account's calls and flows rather
 * than only the caller's own (operators).
 */
export const SCOPES = {
  create: 'calls:create',
  read: 'calls:read',
  control: 'calls:control',
  admin: 'calls:admin',
} as const;

/** The header that carries an API key. */
export const API_KEY_HEADER = 'x-api-key';

/** Seconds of clock skew tolerated on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 5;

const HMAC_ALGORITHMS = new Set(['HS256', 'HS384', 'HS512']);
const ASYMMETRIC_ALGORITHMS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);
const DEFAULT_JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'Ed25519'];

/** Longer credentials are refused unread: no legitimate JWT or key comes near. */
const MAX_TOKEN_LENGTH = 8192;
const MAX_API_KEY_LENGTH = 1024;
/** Accepted API keys whose digest is remembered (there are rarely more than a handful). */
const KNOWN_KEYS = 64;

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** The lowercase hex SHA-256 of an API key: what `apiKeyHashes` (GATEWAY_API_KEY_HASHES) holds. */
export async function hashApiKey(key: string): Promise<string> {
  return toHex(await sha256(key));
}

/** Whether two equal-length byte arrays are equal, looking at every byte whatever it finds. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** The key set could not be fetched or read. */
class KeySetUnavailable extends Error {}

const fail = (message: string): AuthResult => ({ ok: false, code: 'UNAUTHENTICATED', message });

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127(?:\.\d{1,3}){3}$/.test(hostname) ||
    hostname.endsWith('.localhost')
  );
}

/** Checks the configuration once; errors name the setting, never its value. */
function checkConfig(config: AuthConfig) {
  const jwt = config.jwt;
  const secret = jwt?.secret ? encoder.encode(jwt.secret) : undefined;
  if (secret && secret.length < 32) {
    throw new Error(
      'The JWT secret (GATEWAY_JWT_SECRET) must be at least 32 bytes: HS256 needs a 256-bit key.',
    );
  }
  let jwksUrl: URL | undefined;
  if (jwt?.jwksUrl) {
    try {
      jwksUrl = new URL(jwt.jwksUrl);
    } catch {
      throw new Error('The JWKS URL (GATEWAY_JWKS_URL) is not a URL.');
    }
    if (
      !(
        jwksUrl.protocol === 'https:' ||
        (jwksUrl.protocol === 'http:' && isLoopback(jwksUrl.hostname))
      )
    ) {
      throw new Error('The JWKS URL (GATEWAY_JWKS_URL) must use https (http only on loopback).');
    }
  }
  if (jwt && !secret && !jwksUrl) {
    throw new Error(
      'JWT authentication needs a secret (GATEWAY_JWT_SECRET) or a JWKS URL (GATEWAY_JWKS_URL).',
    );
  }
  const algorithms = jwt?.algorithms?.length
    ? [...new Set(jwt.algorithms)]
    : [...(secret ? ['HS256'] : []), ...(jwksUrl ? DEFAULT_JWKS_ALGORITHMS : [])];
  for (const alg of algorithms) {
    if (HMAC_ALGORITHMS.has(alg)) {
      if (!secret) throw new Error(`The JWT algorithm ${alg} needs a secret (GATEWAY_JWT_SECRET).`);
    } else if (ASYMMETRIC_ALGORITHMS.has(alg)) {
      if (!jwksUrl)
        throw new Error(`The JWT algorithm ${alg} needs a JWKS URL (GATEWAY_JWKS_URL).`);
    } else {
      throw new Error(
        `The JWT algorithm "${alg}" is not accepted; use one of ${[...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS].join(', ')}.`,
      );
    }
  }
  const apiKeyHashes = (config.apiKeyHashes ?? []).map((hash, index) => {
    const hex = hash.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw new Error(
        `API key hash #${index + 1} (GATEWAY_API_KEY_HASHES) is not a SHA-256 in hex (64 characters 0-9a-f).`,
      );
    }
    return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  });
  if (!jwt && apiKeyHashes.length === 0) {
    throw new Error(
      'No gateway authentication method is configured (a JWT secret, a JWKS URL or API key hashes).',
    );
  }
  return { jwt, secret, jwksUrl, algorithms, apiKeyHashes };
}

/** A clear message for what jose threw; never jose's own text, never the token. */
function describeJwtError(error: unknown, algorithms: string[]): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason } = error;
    if (claim === 'iss') return 'the token was not issued by the expected issuer (iss)';
    if (claim === 'aud') return 'the token is not meant for this audience (aud)';
    if (claim === 'nbf') return 'the token is not valid yet (nbf)';
    if (claim === 'exp')
      return reason === 'missing'
        ? 'the token has no expiry (exp)'
        : 'the token expiry (exp) is not valid';
    if (claim === 'sub') return 'the token has no subject (sub)';
    if (claim === 'iat') return 'the token issue time (iat) is not valid';
    return 'a claim of the token is not valid';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "the token's signature is not valid";
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return `the token's algorithm is not accepted (accepted: ${algorithms.join(', ')})`;
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'no key of the key set (JWKS) matches the token';
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return 'several keys of the key set (JWKS) match the token: it needs a "kid"';
  }
  if (error instanceof KeySetUnavailable) {
    return 'the token could not be checked: the key set (JWKS) is unavailable';
  }
  if (error instanceof errors.JOSENotSupported)
    return 'the token uses a feature this gateway does not support';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return 'the token is malformed';
  return 'the token could not be verified';
}

/**
 * Returns the gateway's authenticator: `await authenticate(request)` answers the principal or a
 * clear `UNAUTHENTICATED` reason. It never throws and never quotes a credential. Throws at once
 * when the configuration is unusable (no method, short secret, bad hash...).
 */
export function createAuthenticator(config: AuthConfig): (request: Request) => Promise<AuthResult> {
  const { jwt, secret, jwksUrl, algorithms, apiKeyHashes } = checkConfig(config);
  // One key set per authenticator: jose caches its keys and refetches on an unknown `kid`.
  const jwks = jwksUrl ? createRemoteJWKSet(jwksUrl, { timeoutDuration: 5000 }) : undefined;
  const key: JWTVerifyGetKey = async (header, token) => {
    if (header.alg && HMAC_ALGORITHMS.has(header.alg)) {
      if (secret) return secret;
    } else if (jwks) {
      try {
        return await jwks(header, token);
      } catch (error) {
        if (
          error instanceof errors.JWKSNoMatchingKey ||
          error instanceof errors.JWKSMultipleMatchingKeys
        ) {
          throw error;
        }
        // Unreachable, not an HTTP 200, not JSON, not a key set, timed out: the server's fault.
        throw new KeySetUnavailable();
      }
    }
    // Unreachable: the allowlist only holds algorithms with a key.
    throw new errors.JOSEAlgNotAllowed('no key for this algorithm');
  };
  const ways = [
    ...(jwt ? ['`Authorization: Bearer <JWT>`'] : []),
    ...(apiKeyHashes.length ? ['`X-API-Key: <key>`'] : []),
  ].join(' or ');

  // The digests of keys that matched, so a client's key is hashed once, not on every request
  // (crypto.subtle.digest is the costliest step of an API-key request on Node). Only accepted
  // keys enter, at most KNOWN_KEYS of them: unknown keys are hashed every time and grow nothing.
  // Keyed by the key as presented: it lives in memory as long as the entry, like the request did.
  const known = new Map<string, { digest: Uint8Array; id: string }>();

  async function viaApiKey(presented: string): Promise<AuthResult> {
    if (presented.length === 0) return fail('the API key is empty');
    if (presented.length > MAX_API_KEY_LENGTH) return fail('unknown API key');
    const remembered = known.get(presented);
    const digest = remembered?.digest ?? (await sha256(presented));
    // Every configured hash is compared, in full, whatever matched before.
    let matched = false;
    for (const hash of apiKeyHashes) matched = equalBytes(digest, hash) || matched;
    if (!matched) return fail('unknown API key');
    let id = remembered?.id;
    if (id === undefined) {
      id = `api-key:${toHex(digest.subarray(0, 4))}`;
      if (known.size >= KNOWN_KEYS) known.clear();
      known.set(presented, { digest, id });
    }
    return {
      ok: true,
      principal: {
        id,
        // What a frontend's key needs for its own calls; never the whole account (admin).
        scopes: new Set([SCOPES.create, SCOPES.read, SCOPES.control]),
        via: 'api-key',
      },
    };
  }

  async function viaJwt(token: string): Promise<AuthResult> {
    if (token.length > MAX_TOKEN_LENGTH) return fail('the token is too long');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        ...(jwt?.issuer ? { issuer: jwt.issuer } : {}),
        ...(jwt?.audience ? { audience: jwt.audience } : {}),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      return fail(describeJwtError(error, algorithms));
    }
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') {
      return fail('the token has no subject (sub)');
    }
    const scope = payload.scope;
    const scopes = new Set(typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []);
    // Prefixed: a `sub` of `api-key:...` or `voipbin:...` must never be taken for that principal.
    return {
      ok: true,
      principal: {
        id: `jwt:${payload.sub}`,
        scopes,
        via: 'jwt',
        // Required and checked above; its tolerance too, as a request a second later would get.
        expiresAt: ((payload.exp as number) + CLOCK_TOLERANCE_SECONDS) * 1000,
      },
    };
  }

  return async function authenticate(request: Request): Promise<AuthResult> {
    try {
      const apiKey = request.headers.get(API_KEY_HEADER);
      if (apiKey !== null && apiKeyHashes.length > 0) return await viaApiKey(apiKey.trim());
      const authorization = request.headers.get('authorization');
      if (jwt && authorization !== null) {
        const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
        if (!bearer) return fail('the Authorization header must be `Bearer <JWT>`');
        return await viaJwt(bearer);
      }
      if (apiKey !== null) return fail(`API keys are not accepted here; send ${ways}`);
      return fail(`authentication required: send ${ways}`);
    } catch {
      // Nothing above should throw; if it does, say so without a word of what was sent.
      return fail('the credentials could not be checked');
    }
  };
}
