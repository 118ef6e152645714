/**
 * Each caller sees and acts on its own calls and flows only: every query and mutation of the
 * schema tried across two principals (a table), on the memory store, on Redis, and with two
 * gateway instances sharing one Redis.
 */
import { CALL_CONTROLS } from '@voipbin-kit/core';
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway, schema } from '../src/index.ts';
import { hashApiKey } from '../src/security/auth.ts';
import type { Store } from '../src/security/store.ts';
import { createMemoryStore } from '../src/security/store-memory.ts';
import { describeOnRedis } from './security/redis-server.ts';
import { graphql, QUICKSTART, recordingFetch } from './support/graphql.ts';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const KEY_A = 'key-of-principal-a';
const KEY_B = 'key-of-principal-b';
const A = { 'x-api-key': KEY_A };
const B = { 'x-api-key': KEY_B };
const jwt = (scope: string, sub: string) =>
  new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
const NO_SUCH_ID = '6b0e7a4e-0c1f-4d8a-9b6e-2f3a4b5c6d7e';

const PLACE = /* GraphQL */ `mutation {
  createCall(input: {
    source: { type: TEL, target: "${QUICKSTART.source}" }
    destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }, { type: EXTENSION, targetName: "1001" }]
    actions: [{ talk: { text: "Hi" } }]
  }) { calls { id destination { target } } groupcalls { id callIds calls { id } } }
}`;
const FLOW = /* GraphQL */ `mutation {
  createFlow(input: { name: "mine", actions: [{ talk: { text: "Hi" } }] }) { id name }
}`;

/** A gateway on `emulator` with two API keys (A and B) and JWTs, its owners kept in `store`. */
async function gatewayOn(emulator: Emulator, store: Store): Promise<Gateway> {
  return recordingFetch(
    createGateway({
      upstream: { kind: 'emulator', emulator },
      security: {
        auth: {
          jwt: { secret: SECRET },
          apiKeyHashes: [await hashApiKey(KEY_A), await hashApiKey(KEY_B)],
        },
        store,
      },
    }),
  );
}

/** What A placed and made: a call, a group call and its leg, a flow. */
async function placeAsA(gateway: Gateway) {
  const placed = await graphql(gateway, PLACE, undefined, A);
  expect(placed.errors).toBeUndefined();
  const flow = await graphql(gateway, FLOW, undefined, A);
  expect(flow.errors).toBeUndefined();
  const [call] = placed.data?.createCall.calls ?? [];
  const [group] = placed.data?.createCall.groupcalls ?? [];
  return {
    call: call.id as string,
    leg: group.callIds[0] as string,
    group: group.id as string,
    flow: flow.data?.createFlow.id as string,
  };
}

/** Every read of the schema that can name a call or a flow, asked for `id`. */
const READS = [
  {
    name: 'call(id)',
    query: (id: string) => `{ call(id: "${id}") { id destination { target } } }`,
  },
  { name: 'flow(id)', query: (id: string) => `{ flow(id: "${id}") { id name actions { type } } }` },
];

/** Every root field, and the test above or below that tries it across principals. */
const TRIED_ACROSS_PRINCIPALS: Record<string, string> = {
  call: 'A reads its call / leg through call(id)',
  flow: 'A reads its flow through flow(id)',
  calls: "lists A's calls / pages A's calls",
  createCall: "what A placed is A's (every test here)",
  createFlow: 'A reads its flow through flow(id)',
  hangupCall: "answers B's hangupCall",
  validateCall:
    'reads and places no call, stores no owner: nothing to try (test/validate-call.test.ts)',
  callUpdated: "test/events/live.test.ts: answers another principal's callUpdated with NOT_FOUND",
  callEvents: "test/events/live.test.ts: shows each principal's callEvents its own calls only",
  ...Object.fromEntries(
    Object.values(CALL_CONTROLS)
      .map((verb) => verb.mutation)
      .filter((name) => name !== 'hangupCall')
      .map((name) => [
        name,
        "test/control.test.ts: answers another principal's control of a call NOT_FOUND",
      ]),
  ),
};

it('tries every query and mutation of the schema across principals (a new one needs its row)', () => {
  const roots = [
    schema.getQueryType(),
    schema.getMutationType(),
    schema.getSubscriptionType(),
  ].flatMap((type) => Object.keys(type?.getFields() ?? {}));
  expect(roots.sort()).toEqual(Object.keys(TRIED_ACROSS_PRINCIPALS).sort());
});

function ownershipSuite(name: string, stores: () => Promise<[Store, Store]>) {
  describe(`each caller sees only its own (${name})`, () => {
    let emulator: Emulator;
    let first: Gateway;
    let second: Gateway;
    let owned: Awaited<ReturnType<typeof placeAsA>>;
    beforeAll(async () => {
      emulator = createEmulator({ clock: 'manual' });
      const [one, two] = await stores();
      // Two instances (the same store twice, or two connections to one Redis).
      first = await gatewayOn(emulator, one);
      second = await gatewayOn(emulator, two);
      owned = await placeAsA(first);
    });

    it.each([
      ['call', 'call(id)'],
      ['leg', 'call(id)'],
      ['flow', 'flow(id)'],
    ] as const)(
      "A reads its %s through %s on either instance; B's answer is that of an id that does not exist",
      async (what, read) => {
        const query = READS.find((r) => r.name === read)?.query as (id: string) => string;
        const id = owned[what];
        for (const gateway of [first, second]) {
          const mine = await graphql(gateway, query(id), undefined, A);
          expect(mine.errors).toBeUndefined();
          expect(Object.values(mine.data ?? {})[0]).toMatchObject({ id });
          const theirs = await graphql(gateway, query(id), undefined, B);
          const none = await graphql(gateway, query(NO_SUCH_ID), undefined, B);
          expect(theirs).toEqual(none);
          expect(Object.values(theirs.data ?? {})[0]).toBeNull();
        }
      },
    );

    it("lists A's calls (the group call's leg too) to A, none of them to B", async () => {
      const LIST = '{ calls(first: 100) { nodes { id destination { target } } } }';
      const a = await graphql(second, LIST, undefined, A);
      expect(a.errors).toBeUndefined();
      expect(a.data?.calls.nodes.map((c: { id: string }) => c.id).sort()).toEqual(
        [owned.call, owned.leg].sort(),
      );
      const b = await graphql(second, LIST, undefined, B);
      expect(b).toEqual({
        data: { calls: { nodes: [] } },
      });
      // A's number reaches nobody else, in any answer.
      expect(JSON.stringify(b)).not.toContain(QUICKSTART.destination);
    });

    it("pages A's calls with cursors", async () => {
      const PAGE = (after = '') =>
        `{ calls(first: 1${after && `, after: "${after}"`}) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
      const one = await graphql(first, PAGE(), undefined, A);
      expect(one.data?.calls.pageInfo.hasNextPage).toBe(true);
      const two = await graphql(second, PAGE(one.data?.calls.pageInfo.endCursor), undefined, A);
      expect(two.data?.calls.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
      const ids = [one, two].map((page) => page.data?.calls.edges[0].node.id);
      expect(ids.sort()).toEqual([owned.call, owned.leg].sort());
      expect(one.data?.calls.edges[0].cursor).toBe(one.data?.calls.pageInfo.endCursor);
    });

    it("answers B's hangupCall of A's call as of an id that does not exist, and hangs up nothing", async () => {
      const HANGUP = (id: string) => `mutation { hangupCall(id: "${id}") { id status } }`;
      const theirs = await graphql(first, HANGUP(owned.call), undefined, B);
      const none = await graphql(first, HANGUP(NO_SUCH_ID), undefined, B);
      expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(theirs).toEqual(none);
      expect(emulator.calls().find((c) => c.id === owned.call)?.status).toBe('dialing');
      // Its owner can.
      const mine = await graphql(second, HANGUP(owned.call), undefined, A);
      expect(mine.errors).toBeUndefined();
      expect(mine.data?.hangupCall.id).toBe(owned.call);
    });

    it('shows an operator (calls:admin) every call and flow of the account', async () => {
      const admin = { authorization: `Bearer ${await jwt('calls:read calls:admin', 'ops')}` };
      const list = await graphql(first, '{ calls(first: 100) { nodes { id } } }', undefined, admin);
      expect(list.data?.calls.nodes.map((c: { id: string }) => c.id)).toEqual(
        expect.arrayContaining([owned.call, owned.leg]),
      );
      const call = await graphql(first, READS[0]?.query(owned.call) ?? '', undefined, admin);
      expect(call.data?.call.id).toBe(owned.call);
      const flow = await graphql(first, READS[1]?.query(owned.flow) ?? '', undefined, admin);
      expect(flow.data?.flow.id).toBe(owned.flow);
    });

    it("never takes a JWT for an API key's principal, whatever its sub says", async () => {
      const sub = `api-key:${(await hashApiKey(KEY_A)).slice(0, 8)}`;
      const impostor = { authorization: `Bearer ${await jwt('calls:create calls:read', sub)}` };
      const read = await graphql(first, READS[0]?.query(owned.call) ?? '', undefined, impostor);
      expect(read).toEqual({ data: { call: null } });
    });

    it('keeps two JWT users apart as it keeps two API keys', async () => {
      const alice = { authorization: `Bearer ${await jwt('calls:create calls:read', 'alice')}` };
      const bob = { authorization: `Bearer ${await jwt('calls:create calls:read', 'bob')}` };
      const placed = await graphql(first, PLACE, undefined, alice);
      const id = placed.data?.createCall.calls[0].id as string;
      expect(
        (await graphql(second, READS[0]?.query(id) ?? '', undefined, alice)).data?.call.id,
      ).toBe(id);
      expect(
        (await graphql(second, READS[0]?.query(id) ?? '', undefined, bob)).data?.call,
      ).toBeNull();
      // A principal's calls are its own, whatever credential kind: A sees none of alice's.
      const a = await graphql(second, '{ calls(first: 100) { nodes { id } } }', undefined, A);
      expect(a.data?.calls.nodes.map((c: { id: string }) => c.id)).not.toContain(id);
    });
  });
}

ownershipSuite('memory store', async () => {
  const store = createMemoryStore();
  return [store, store];
});

describeOnRedis((connect) =>
  ownershipSuite('two instances sharing Redis', async () => {
    const prefix = `test-${crypto.randomUUID()}:`;
    return [await connect(prefix), await connect(prefix)];
  }),
);
