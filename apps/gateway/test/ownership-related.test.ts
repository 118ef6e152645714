/**
 * Related calls (a call's master and chained calls) follow the ownership of the call they hang
 * from; a lookup of one that fails nulls that field only, so the ids of the calls placed always
 * reach their caller; and the fields that fetch need `calls:read`.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/index.ts';
import { createMemoryStore } from '../src/security/store-memory.ts';
import { callJson, graphql, jsonResponse, stubUpstream, voipbinError } from './support/graphql.ts';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const as = async (sub: string, scope = 'calls:create calls:read') => ({
  authorization: `Bearer ${await new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET))}`,
});

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const PLACED = id(1);
/** Chained to PLACED by VoIPBIN (its master is PLACED). */
const CHAINED = id(2);
/** Listed among PLACED's chained calls, but its master is a call nobody placed here. */
const STRANGER = id(3);
const ELSEWHERE = id(4);

const PLACE = (fields = 'id') => `mutation {
  createCall(input: {
    source: { type: TEL, target: "+821028286521" }
    destinations: [{ type: TEL, target: "+821021656521" }]
    actions: [{ talk: { text: "Hi" } }]
  }) { calls { ${fields} } }
}`;

/** A stub VoIPBIN; `failGets` answers 503 to every GET of a single call. */
function setup({ failGets = false } = {}) {
  const calls = new Map([
    [PLACED, callJson(PLACED, { chained_call_ids: [CHAINED, STRANGER] })],
    [CHAINED, callJson(CHAINED, { master_call_id: PLACED })],
    [STRANGER, callJson(STRANGER, { master_call_id: ELSEWHERE })],
    [ELSEWHERE, callJson(ELSEWHERE)],
  ]);
  const stub = stubUpstream((request) => {
    const [, , , callId] = new URL(request.url).pathname.split('/');
    if (request.method === 'POST') return jsonResponse({ calls: [calls.get(PLACED)] });
    if (failGets) return voipbinError(503, 'UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'Try later.');
    const call = callId ? calls.get(callId) : undefined;
    return call ? jsonResponse(call) : voipbinError(404, 'NOT_FOUND', 'CALL_NOT_FOUND', 'No.');
  });
  const gateway = createGateway({
    upstream: { kind: 'voipbin', baseURL: 'http://voipbin.test/v1.0', accessKey: 'key' },
    security: { auth: { jwt: { secret: SECRET } }, store: createMemoryStore() },
    client: { fetch: stub.fetch, retry: 0 },
  });
  return { gateway, stub };
}

describe('related calls and ownership', () => {
  it("shows the owner its call's chained calls that VoIPBIN made from it, and no other", async () => {
    const { gateway } = setup();
    const alice = await as('alice');
    const placed = await graphql(
      gateway,
      PLACE('id chainedCallIds chainedCalls { id masterCall { id } } masterCall { id }'),
      undefined,
      alice,
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.data?.createCall.calls).toEqual([
      {
        id: PLACED,
        chainedCallIds: [CHAINED, STRANGER],
        // STRANGER hangs from a call that is not alice's: left out, as if it did not exist.
        chainedCalls: [{ id: CHAINED, masterCall: { id: PLACED } }],
        masterCall: null,
      },
    ]);
    // Found to be alice's, the chained call is hers from then on: listed and readable.
    const list = await graphql(gateway, '{ calls { nodes { id } } }', undefined, alice);
    expect(list.data?.calls.nodes.map((c: { id: string }) => c.id).sort()).toEqual(
      [PLACED, CHAINED].sort(),
    );
    const bob = await as('bob');
    for (const call of [PLACED, CHAINED, STRANGER, ELSEWHERE]) {
      const read = await graphql(gateway, `{ call(id: "${call}") { id } }`, undefined, bob);
      expect(read).toEqual({ data: { call: null } });
    }
  });

  it("reads a chained call as its master's owner's before anyone listed it (VoIPBIN's link, followed)", async () => {
    const { gateway } = setup();
    const alice = await as('alice');
    await graphql(gateway, PLACE(), undefined, alice);
    const read = await graphql(
      gateway,
      `{ call(id: "${CHAINED}") { id masterCall { id } } }`,
      undefined,
      alice,
    );
    expect(read).toEqual({ data: { call: { id: CHAINED, masterCall: { id: PLACED } } } });
    expect(
      await graphql(gateway, `{ call(id: "${CHAINED}") { id } }`, undefined, await as('bob')),
    ).toEqual({ data: { call: null } });
  });

  it('nulls only the related field when its lookup fails: the ids of the calls placed arrive', async () => {
    const { gateway, stub } = setup({ failGets: true });
    const placed = await graphql(
      gateway,
      PLACE('id chainedCalls { id } masterCall { id }'),
      undefined,
      await as('alice'),
    );
    expect(placed.data?.createCall.calls).toEqual([
      { id: PLACED, chainedCalls: null, masterCall: null },
    ]);
    expect(placed.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['createCall.calls.0.chainedCalls', 'UPSTREAM_UNAVAILABLE'],
    ]);
    expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('needs calls:read for a field that fetches: a caller that may only place calls still gets their ids', async () => {
    const { gateway, stub } = setup();
    const placed = await graphql(
      gateway,
      PLACE('id chainedCalls { id }'),
      undefined,
      await as('dialer', 'calls:create'),
    );
    expect(placed.data?.createCall.calls).toEqual([{ id: PLACED, chainedCalls: null }]);
    expect(placed.errors?.map((e) => [e.path?.join('.'), e.extensions?.code, e.message])).toEqual([
      ['createCall.calls.0.chainedCalls', 'FORBIDDEN', 'This needs the scope calls:read'],
    ]);
    // Refused before it ran: nothing was fetched.
    expect(stub.requests.map((r) => r.method)).toEqual(['POST']);
  });
});

describe('pass-through', () => {
  it("keeps VoIPBIN's own account boundary: nothing is recorded, the account's calls are listed", async () => {
    const store = createMemoryStore();
    const keys: string[] = [];
    const set = store.set;
    store.set = (key, ...rest) => {
      keys.push(key);
      return set(key, ...rest);
    };
    const stub = stubUpstream((request) =>
      request.method === 'POST'
        ? jsonResponse({ calls: [callJson(PLACED)] })
        : jsonResponse({ result: [callJson(ELSEWHERE)], next_page_token: '' }),
    );
    const gateway = createGateway({
      upstream: { kind: 'voipbin', baseURL: 'http://voipbin.test/v1.0' },
      passThrough: true,
      security: { store },
      client: { fetch: stub.fetch, retry: 0 },
    });
    const token = { authorization: 'Bearer voipbin-token-1' };
    expect((await graphql(gateway, PLACE(), undefined, token)).errors).toBeUndefined();
    const list = await graphql(gateway, '{ calls { nodes { id } } }', undefined, token);
    expect(list.data?.calls.nodes).toEqual([{ id: ELSEWHERE }]);
    expect(keys.filter((key) => key.startsWith('owner'))).toEqual([]);
  });
});
