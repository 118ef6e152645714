import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../../src/index.ts';
import { hashApiKey } from '../../src/security/auth.ts';
import type { Store } from '../../src/security/store.ts';
import { createMemoryStore } from '../../src/security/store-memory.ts';
import {
  emulatedGateway,
  graphql,
  jsonResponse,
  postGraphQL,
  QUICKSTART,
  stubUpstream,
} from '../support/graphql.ts';

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
    const warn = vi.spyOn(console, 'warn');
    const insecure = createGateway({ upstream, security: { insecureNoAuth: true } });
    // Said once by the entry that starts it (test/http.test.ts), not by every createGateway.
    expect(insecure.warnings).toEqual([expect.stringMatching(/GATEWAY_INSECURE_NO_AUTH is set/)]);
    expect(warn).not.toHaveBeenCalled();
    expect(createGateway().warnings).toEqual([]);
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

  it('needs calls:read for call, calls and flow, and calls:create for hangupCall and createFlow', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      { security: { auth: { jwt: { secret: SECRET } } } },
    );
    const as = async (scope: string) => ({ authorization: `Bearer ${await token(scope)}` });
    const writer = await as('calls:create');
    const reader = await as('calls:read');
    const placed = await graphql(gateway, CREATE(), undefined, writer);
    const id = placed.data?.createCall.calls[0].id as string;
    const flowsBefore = emulator.flows().length;

    for (const query of [
      `{ call(id: "${id}") { id } }`,
      '{ calls(first: 1) { nodes { id } } }',
      `{ flow(id: "${QUICKSTART.flowId}") { id } }`,
    ]) {
      const answer = await graphql(gateway, query, undefined, writer);
      expect(answer.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
      expect(answer.errors?.[0]?.message).toMatch(/calls:read/);
      expect(
        (await graphql(gateway, query, undefined, reader)).errors,
        `${query} with calls:read`,
      ).toBeUndefined();
    }
    for (const query of [
      `mutation { hangupCall(id: "${id}") { id } }`,
      'mutation { createFlow(input: { name: "f", actions: [{ answer: {} }] }) { id } }',
    ]) {
      const answer = await graphql(gateway, query, undefined, reader);
      expect(answer.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
      expect(answer.errors?.[0]?.message).toMatch(/calls:create/);
    }
    expect(emulator.flows()).toHaveLength(flowsBefore);
    expect(emulator.calls().map((call) => call.status)).not.toContain('hangup');
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

describe('pass-through with gateway auth', () => {
  const LIST = '{ calls(first: 1) { nodes { id } } }';
  const upstreamStub = () => stubUpstream(() => jsonResponse({ result: [], next_page_token: '' }));
  const sentCredential = (request: Request | undefined) => ({
    authorization: request?.headers.get('authorization') ?? null,
    accesskey: new URL(request?.url ?? 'http://x').searchParams.get('accesskey'),
  });

  it("never sends the gateway's JWT to VoIPBIN: the caller's VoIPBIN token travels in X-VoIPBIN-Token", async () => {
    const stub = upstreamStub();
    const gateway = createGateway({
      upstream: { kind: 'voipbin', baseURL: 'http://voipbin.test/v1.0', accessKey: 'server-key' },
      passThrough: true,
      security: { auth: { jwt: { secret: SECRET } } },
      client: { fetch: stub.fetch, retry: 0 },
    });
    // An operator's: it lists the account's calls (a principal's own list asks VoIPBIN nothing).
    const jwt = await token('calls:read calls:admin');

    // The JWT authenticated the caller: it is the gateway's, never VoIPBIN's.
    const own = await graphql(gateway, LIST, undefined, { authorization: `Bearer ${jwt}` });
    expect(own.errors).toBeUndefined();
    expect(sentCredential(stub.requests[0])).toEqual({
      authorization: null,
      accesskey: 'server-key',
    });

    const passed = await graphql(gateway, LIST, undefined, {
      authorization: `Bearer ${jwt}`,
      'x-voipbin-token': 'voipbin-tok-1',
    });
    expect(passed.errors).toBeUndefined();
    expect(sentCredential(stub.requests[1])).toEqual({
      authorization: 'Bearer voipbin-tok-1',
      accesskey: null,
    });
    expect(stub.requests.map((r) => r.headers.get('authorization'))).not.toContain(`Bearer ${jwt}`);
  });

  it('takes X-VoIPBIN-Token in pass-through without gateway auth too, and ignores it without pass-through', async () => {
    const stub = upstreamStub();
    const base = {
      upstream: { kind: 'voipbin', baseURL: 'http://voipbin.test/v1.0', accessKey: 'server-key' },
      security: { insecureNoAuth: true },
      client: { fetch: stub.fetch, retry: 0 },
    } as const;
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await graphql(createGateway({ ...base, passThrough: true }), LIST, undefined, {
      'x-voipbin-token': 'voipbin-tok-2',
    });
    await graphql(createGateway(base), LIST, undefined, { 'x-voipbin-token': 'voipbin-tok-2' });
    expect(stub.requests.map(sentCredential)).toEqual([
      { authorization: 'Bearer voipbin-tok-2', accesskey: null },
      { authorization: null, accesskey: 'server-key' },
    ]);
  });

  it('lets browsers send X-VoIPBIN-Token cross-origin (CORS preflight)', async () => {
    const { gateway } = emulatedGateway(
      {},
      { passThrough: true, security: { corsOrigins: ['https://app.example.com'] } },
    );
    const preflight = await gateway.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-voipbin-token',
        },
      }),
    );
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'x-voipbin-token',
    );
  });
});

describe('pass-through principals', () => {
  const ACCOUNTS = {
    'tok-a': '11111111-1111-4111-8111-111111111111',
    'tok-b': '22222222-2222-4222-8222-222222222222',
  };
  const as = (voipbinToken: string) => ({ authorization: `Bearer ${voipbinToken}` });
  /** A memory store that records every key it is asked about. */
  const recordingStore = () => {
    const store = createMemoryStore();
    const keys: string[] = [];
    const note = (key: string) => {
      keys.push(key);
      return key;
    };
    const seen: Store = {
      take: (key, ...rest) => store.take(note(key), ...rest),
      setIfAbsent: (key, ...rest) => store.setIfAbsent(note(key), ...rest),
      get: (key) => store.get(note(key)),
      set: (key, ...rest) => store.set(note(key), ...rest),
      delete: (key) => store.delete(note(key)),
      indexAdd: (key, ...rest) => store.indexAdd(note(key), ...rest),
      indexPage: (key, ...rest) => store.indexPage(note(key), ...rest),
    };
    return { store: seen, keys };
  };
  const withKey = (key: string) =>
    CREATE().replace('createCall(input:', `createCall(idempotencyKey: "${key}", input:`);

  it('keeps the idempotency keys of two VoIPBIN accounts apart: the same key and input place two calls', async () => {
    const { emulator, gateway } = emulatedGateway({ credentials: ACCOUNTS }, { passThrough: true });
    const a = await graphql(gateway, withKey('order-1'), undefined, as('tok-a'));
    const b = await graphql(gateway, withKey('order-1'), undefined, as('tok-b'));
    expect(a.data?.createCall.replayed).toBe(false);
    expect(b.data?.createCall.replayed).toBe(false);
    expect(b.data?.createCall.calls[0].id).not.toBe(a.data?.createCall.calls[0].id);
    expect(emulator.calls()).toHaveLength(2);
    // Each account still gets its own replay.
    const againA = await graphql(gateway, withKey('order-1'), undefined, as('tok-a'));
    expect(againA.data?.createCall).toEqual({ ...a.data?.createCall, replayed: true });
    expect(emulator.calls()).toHaveLength(2);
  });

  it('gives each VoIPBIN account its own rate bucket, keyed by a hash of its token, never the token', async () => {
    const { store, keys } = recordingStore();
    const { emulator, gateway } = emulatedGateway(
      { credentials: ACCOUNTS },
      { passThrough: true, security: { rateLimit: { perMinute: 1, burst: 1 }, store } },
    );
    expect((await graphql(gateway, CREATE(), undefined, as('tok-a'))).errors).toBeUndefined();
    const limited = await graphql(gateway, CREATE(), undefined, as('tok-a'));
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await graphql(gateway, CREATE(), undefined, as('tok-b'))).errors).toBeUndefined();
    expect(emulator.calls()).toHaveLength(2);
    const rateKeys = [...new Set(keys.filter((key) => key.startsWith('rate:')))];
    expect(rateKeys).toEqual([
      expect.stringMatching(/^rate:voipbin:[0-9a-f]{16}$/),
      expect.stringMatching(/^rate:voipbin:[0-9a-f]{16}$/),
    ]);
    expect(keys.join(' ')).not.toMatch(/tok-[ab]/);
  });

  it('keeps one gateway principal apart across VoIPBIN accounts for idempotency (API key + pass-through)', async () => {
    const key = 'k-123456789';
    const { emulator, gateway } = emulatedGateway(
      { credentials: ACCOUNTS },
      { passThrough: true, security: { auth: { apiKeyHashes: [await hashApiKey(key)] } } },
    );
    const a = await graphql(gateway, withKey('order-2'), undefined, {
      'x-api-key': key,
      'x-voipbin-token': 'tok-a',
    });
    const b = await graphql(gateway, withKey('order-2'), undefined, {
      'x-api-key': key,
      'x-voipbin-token': 'tok-b',
    });
    expect([a.data?.createCall.replayed, b.data?.createCall.replayed]).toEqual([false, false]);
    expect(emulator.calls()).toHaveLength(2);
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

  it('checks a flow created with createFlow like a call: FORBIDDEN at the path, nothing created', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      { security: { policy: { deniedPrefixes: ['+1900'] } } },
    );
    const before = emulator.flows().length;
    const answer = await graphql(
      gateway,
      `mutation { createFlow(input: { name: "premium", actions: [{ answer: {} }, { connect: { source: { type: TEL, target: "${QUICKSTART.source}" }, destinations: [{ type: TEL, target: "+19005550100" }] } }] }) { id } }`,
    );
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      issues: [{ path: 'input.actions.1.connect.destinations.0.target' }],
    });
    expect(emulator.flows()).toHaveLength(before);
  });

  it('keys rate limits and idempotency by the JWT subject: one subject never limits or replays for another', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      {
        security: { auth: { jwt: { secret: SECRET } }, rateLimit: { perMinute: 1, burst: 1 } },
      },
    );
    const as = async (sub: string) => ({
      authorization: `Bearer ${await token('calls:create', sub)}`,
    });
    const keyed = CREATE().replace('createCall(input:', 'createCall(idempotencyKey: "k-1", input:');
    const a = await graphql(gateway, keyed, undefined, await as('alice'));
    const b = await graphql(gateway, keyed, undefined, await as('bob'));
    expect([a.data?.createCall.replayed, b.data?.createCall.replayed]).toEqual([false, false]);
    expect(emulator.calls()).toHaveLength(2);
    // Each bucket (burst 1) is now empty: alice is limited, and her limit is hers alone.
    const limited = await graphql(gateway, CREATE(), undefined, await as('alice'));
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const carol = await graphql(gateway, CREATE(), undefined, await as('carol'));
    expect(carol.errors).toBeUndefined();
    expect(emulator.calls()).toHaveLength(3);
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

  it('answers IDEMPOTENCY_UNAVAILABLE for a new key when its budget is full, placing nothing; a known key still replays', async () => {
    const { emulator, gateway } = emulatedGateway({}, { security: { idempotencyMaxKeys: 1 } });
    const first = await graphql(gateway, withKey('order-1'));
    expect(first.data?.createCall.replayed).toBe(false);
    const refused = await graphql(gateway, withKey('order-2'));
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'IDEMPOTENCY_UNAVAILABLE' });
    expect(refused.errors?.[0]?.message).toMatch(/nothing was run/);
    expect(emulator.calls()).toHaveLength(1);
    const again = await graphql(gateway, withKey('order-1'));
    expect(again.data?.createCall).toEqual({ ...first.data?.createCall, replayed: true });
    // A call without a key needs no room.
    expect((await graphql(gateway, CREATE())).errors).toBeUndefined();
    expect(emulator.calls()).toHaveLength(2);
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
