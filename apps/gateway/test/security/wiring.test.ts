import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../../src/index.ts';
import { hashApiKey } from '../../src/security/auth.ts';
import { emulatedGateway, graphql, postGraphQL, QUICKSTART } from '../support/graphql.ts';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const token = (scope: string, sub = 'user-1') =>
  new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

const CREATE = (to: string = QUICKSTART.destination, extra = '') => `mutation {
  createCall(input: {
    source: { type: TEL, target: "${QUICKSTART.source}" }
    destinations: [{ type: TEL, target: "${to}" }]
    actions: [{ talk: { text: "Hi" } }${extra}]
  }) { calls { id } replayed }
}`;

afterEach(() => vi.restoreAllMocks());

describe('who may call', () => {
  it('refuses to start with a server-side VoIPBIN credential and no auth method', () => {
    const upstream = {
      kind: 'voipbin',
      baseURL: 'http://voipbin.test/v1.0',
      accessKey: 'key-123456',
    } as const;
    expect(() => createGateway({ upstream })).toThrow(/no auth method/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => createGateway({ upstream, security: { insecureNoAuth: true } })).not.toThrow();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/GATEWAY_INSECURE_NO_AUTH/));
    expect(() =>
      createGateway({ upstream, security: { auth: { jwt: { secret: SECRET } } } }),
    ).not.toThrow();
  });

  it('starts on the emulator without auth', () => {
    expect(() => createGateway()).not.toThrow();
  });

  it('answers UNAUTHENTICATED (401) before any resolver when auth is on, placing nothing', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      { security: { auth: { jwt: { secret: SECRET } } } },
    );
    const { response, json } = await postGraphQL(gateway, CREATE());
    expect(response.status).toBe(401);
    expect(json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(emulator.calls()).toHaveLength(0);
  });

  it('places a call for a JWT with calls:create, and refuses one with calls:read only', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      { security: { auth: { jwt: { secret: SECRET } } } },
    );
    const ok = await graphql(gateway, CREATE(), undefined, {
      authorization: `Bearer ${await token('calls:create calls:read')}`,
    });
    expect(ok.data?.createCall.calls).toHaveLength(1);
    const reader = await graphql(gateway, CREATE(), undefined, {
      authorization: `Bearer ${await token('calls:read')}`,
    });
    expect(reader.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(emulator.calls()).toHaveLength(1);
  });

  it('accepts an API key sent as X-API-Key, stored only as its hash', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      { security: { auth: { apiKeyHashes: [await hashApiKey('k-123456789')] } } },
    );
    expect(
      (await graphql(gateway, CREATE(), undefined, { 'x-api-key': 'k-123456789' })).data?.createCall
        .calls,
    ).toHaveLength(1);
    expect(
      (await graphql(gateway, CREATE(), undefined, { 'x-api-key': 'k-wrong' })).errors?.[0]
        ?.extensions?.code,
    ).toBe('UNAUTHENTICATED');
    expect(emulator.calls()).toHaveLength(1);
  });
});

describe('what may be called', () => {
  it('answers FORBIDDEN naming the destination, also inside a connect action, and reaches no upstream', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      { security: { policy: { deniedPrefixes: ['+1900'] } } },
    );
    const direct = await graphql(gateway, CREATE('+19005550100'));
    expect(direct.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      issues: [{ path: 'input.destinations.0.target' }],
    });
    const nested = await graphql(
      gateway,
      CREATE(
        QUICKSTART.destination,
        ', { connect: { destinations: [{ type: TEL, target: "+19005550100" }] } }',
      ),
    );
    expect(nested.errors?.[0]?.extensions?.issues).toEqual([
      expect.objectContaining({ path: 'input.actions.1.connect.destinations.0.target' }),
    ]);
    expect(emulator.calls()).toHaveLength(0);
  });

  it('limits calls per principal per minute with a burst, answering RATE_LIMITED with retryAfterMs', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      { security: { rateLimit: { perMinute: 1, burst: 2 } } },
    );
    await graphql(gateway, CREATE());
    await graphql(gateway, CREATE());
    const third = await graphql(gateway, CREATE());
    expect(third.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(third.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
    expect(emulator.calls()).toHaveLength(2);
  });
});

describe('idempotency', () => {
  const withKey = (key: string, to: string = QUICKSTART.destination) =>
    CREATE(to).replace('createCall(input:', `createCall(idempotencyKey: "${key}", input:`);

  it('replays the first answer for the same key and input, and refuses the key with another input', async () => {
    const { emulator, gateway } = emulatedGateway();
    const first = await graphql(gateway, withKey('order-1'));
    const again = await graphql(gateway, withKey('order-1'));
    expect(again.data?.createCall).toEqual({ ...first.data?.createCall, replayed: true });
    expect(first.data?.createCall.replayed).toBe(false);
    const other = await graphql(gateway, withKey('order-1', '+821000000009'));
    expect(other.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(emulator.calls()).toHaveLength(1);
  });

  it('places one call for concurrent duplicates', async () => {
    const { emulator, gateway } = emulatedGateway();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => graphql(gateway, withKey('burst-1'))),
    );
    const ids = new Set(answers.map((a) => a.data?.createCall.calls[0].id));
    expect(ids.size).toBe(1);
    expect(emulator.calls()).toHaveLength(1);
  });
});

describe('GraphQL hygiene', () => {
  it('refuses a form-encoded mutation (CSRF) and places nothing', async () => {
    const { emulator, gateway } = emulatedGateway();
    const response = await gateway.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: CREATE() }).toString(),
      }),
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(emulator.calls()).toHaveLength(0);
  });

  it('sends no CORS headers to an origin that is not allowed, and allows the listed one', async () => {
    const { gateway } = emulatedGateway(
      {},
      { security: { corsOrigins: ['https://app.example.com'] } },
    );
    const preflight = (origin: string) =>
      gateway.fetch(
        new Request('http://gateway.test/graphql', {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        }),
      );
    expect(
      (await preflight('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    expect(
      (await preflight('https://app.example.com')).headers.get('access-control-allow-origin'),
    ).toBe('https://app.example.com');
  });
});

describe('logs', () => {
  it('never prints the server credential, even for an unexpected error that quotes the URL', async () => {
    const CANARY = 'CANARY-s3cr3t-key';
    const lines: string[] = [];
    for (const level of ['error', 'warn', 'info', 'log'] as const) {
      vi.spyOn(console, level).mockImplementation(
        (...args: unknown[]) => void lines.push(args.map(String).join(' ')),
      );
    }
    const gateway = createGateway({
      upstream: { kind: 'voipbin', baseURL: 'http://voipbin.test/v1.0', accessKey: CANARY },
      security: { insecureNoAuth: true },
      client: {
        retry: 0,
        fetch: async (input) => {
          throw new Error(`boom at ${String(input)}`);
        },
      },
    });
    const answer = await graphql(gateway, CREATE());
    expect(answer.errors).toBeDefined();
    expect(JSON.stringify(answer)).not.toContain('s3cr3t');
    expect(lines.join('\n')).not.toContain('s3cr3t');
  });
});
