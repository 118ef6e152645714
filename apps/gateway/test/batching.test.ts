/**
 * Related calls (masterCall, chainedCalls, a group call's legs) cost VoIPBIN requests only
 * when a query selects them, and then one GET per distinct call, all at once.
 */
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/index.ts';
import { callJson, graphql, jsonResponse, stubUpstream, voipbinError } from './support/graphql.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const MASTER_A = id(901);
const MASTER_B = id(902);
const CHAINED = [id(801), id(802), id(803)];
const UNKNOWN = id(999);

/** VoIPBIN's calls: 10 children of two masters, some with chained calls. */
function table() {
  const calls = new Map<string, ReturnType<typeof callJson>>();
  for (let n = 1; n <= 10; n++) {
    calls.set(
      id(n),
      callJson(id(n), {
        master_call_id: n <= 5 ? MASTER_A : MASTER_B,
        chained_call_ids:
          n === 1 ? [CHAINED[0], CHAINED[1]] : n === 2 ? [CHAINED[1], CHAINED[2]] : [],
        tm_create: `2026-01-15T09:30:${String(60 - n).padStart(2, '0')}.000000Z`,
      }),
    );
  }
  for (const extra of [MASTER_A, MASTER_B, ...CHAINED]) calls.set(extra, callJson(extra));
  return calls;
}

/** A stub VoIPBIN over `table()` that counts list and get requests and the most at once. */
function upstream() {
  const calls = table();
  const counts = { list: 0, get: [] as string[], post: 0, inFlight: 0, maxInFlight: 0 };
  const stub = stubUpstream(async (request) => {
    const url = new URL(request.url);
    const [, , resource, callId] = url.pathname.split('/');
    if (resource !== 'calls') return voipbinError(404, 'NOT_FOUND', 'ROUTE_NOT_FOUND', 'No.');
    if (request.method === 'POST') {
      counts.post++;
      return jsonResponse({
        calls: [],
        groupcalls: [
          {
            id: id(700),
            status: 'progressing',
            call_ids: [id(1), id(2), id(3)],
            source: { type: 'tel', target: '+821028286521' },
            destinations: [{ type: 'extension', target_name: '1001' }],
          },
        ],
      });
    }
    if (callId === undefined) {
      counts.list++;
      const size = Number(url.searchParams.get('page_size') ?? 10);
      const children = [...calls.values()].filter(
        (c) => c.master_call_id !== '00000000-0000-0000-0000-000000000000',
      );
      return jsonResponse({ result: children.slice(0, size), next_page_token: '' });
    }
    counts.get.push(callId);
    counts.inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    // Answer a little later, so that requests sent together are seen together.
    await new Promise((resolve) => setTimeout(resolve, 5));
    counts.inFlight--;
    const call = calls.get(callId);
    return call ? jsonResponse(call) : voipbinError(404, 'NOT_FOUND', 'CALL_NOT_FOUND', 'No call.');
  });
  const gateway = createGateway({
    upstream: { kind: 'voipbin', baseURL: 'http://voipbin.test/v1.0', accessKey: 'key' },
    // These tests are about upstream errors, not gateway auth (tested in test/security).
    security: { insecureNoAuth: true },
    client: { fetch: stub.fetch, retry: 0 },
  });
  return { gateway, counts, calls };
}

describe('related calls', () => {
  it('fetches the masters of 10 calls with one list request and one GET per master, at once', async () => {
    const { gateway, counts } = upstream();

    const { data, errors } = await graphql(
      gateway,
      '{ calls(first: 10) { nodes { id masterCall { id status } } } }',
    );

    expect(errors).toBeUndefined();
    expect(data?.calls.nodes).toHaveLength(10);
    expect(data?.calls.nodes).toEqual(
      Array.from({ length: 10 }, (_, index) => ({
        id: id(index + 1),
        masterCall: { id: index < 5 ? MASTER_A : MASTER_B, status: 'PROGRESSING' },
      })),
    );
    expect(counts.list).toBe(1);
    expect(counts.get.sort()).toEqual([MASTER_A, MASTER_B]);
    expect(counts.maxInFlight).toBe(2);
  });

  it('makes only the list request when masterCall is not selected', async () => {
    const { gateway, counts } = upstream();

    const { data } = await graphql(
      gateway,
      '{ calls(first: 10) { nodes { id masterCallId chainedCallIds } } }',
    );

    expect(data?.calls.nodes[0]).toEqual({
      id: id(1),
      masterCallId: MASTER_A,
      chainedCallIds: [CHAINED[0], CHAINED[1]],
    });
    expect(counts).toMatchObject({ list: 1, get: [] });
  });

  it('fetches chained calls once each, shared between calls and with masters', async () => {
    const { gateway, counts } = upstream();

    const { data, errors } = await graphql(
      gateway,
      '{ calls(first: 10) { nodes { id masterCall { id } chainedCalls { id } } } }',
    );

    expect(errors).toBeUndefined();
    expect(data?.calls.nodes[0].chainedCalls).toEqual([{ id: CHAINED[0] }, { id: CHAINED[1] }]);
    expect(data?.calls.nodes[1].chainedCalls).toEqual([{ id: CHAINED[1] }, { id: CHAINED[2] }]);
    expect(data?.calls.nodes[2].chainedCalls).toEqual([]);
    expect(counts.list).toBe(1);
    expect(counts.get.sort()).toEqual([...CHAINED, MASTER_A, MASTER_B].sort());
    expect(counts.maxInFlight).toBe(5);
  });

  it('fetches again on the next request: nothing is cached across requests', async () => {
    const { gateway, counts } = upstream();
    const query = '{ calls(first: 10) { nodes { masterCall { id } } } }';

    await graphql(gateway, query);
    await graphql(gateway, query);

    expect(counts.list).toBe(2);
    expect(counts.get).toHaveLength(4);
  });

  it('answers a master VoIPBIN does not know as null, without an error', async () => {
    const { gateway, counts, calls } = upstream();
    const first = calls.get(id(1));
    if (first) first.master_call_id = UNKNOWN;

    const { data, errors } = await graphql(
      gateway,
      '{ calls(first: 2) { nodes { id masterCall { id } } } }',
    );

    expect(errors).toBeUndefined();
    expect(data?.calls.nodes).toEqual([
      { id: id(1), masterCall: null },
      { id: id(2), masterCall: { id: MASTER_A } },
    ]);
    expect(counts.get.sort()).toEqual([UNKNOWN, MASTER_A].sort());
  });

  it("fetches a group call's legs only when selected, one GET each, at once", async () => {
    const mutation = (legs: string) => /* GraphQL */ `
      mutation {
        createCall(input: {
          source: { type: TEL, target: "+821028286521" }
          destinations: [{ type: EXTENSION, targetName: "1001" }]
          actions: [{ talk: { text: "Hello" } }]
        }) { groupcalls { id callIds ${legs} } }
      }`;

    const without = upstream();
    const plain = await graphql(without.gateway, mutation(''));
    expect(plain.data?.createCall.groupcalls).toEqual([
      { id: id(700), callIds: [id(1), id(2), id(3)] },
    ]);
    expect(without.counts).toMatchObject({ post: 1, list: 0, get: [] });

    const withLegs = upstream();
    const { data, errors } = await graphql(withLegs.gateway, mutation('calls { id masterCallId }'));
    expect(errors).toBeUndefined();
    expect(data?.createCall.groupcalls[0].calls).toEqual([
      { id: id(1), masterCallId: MASTER_A },
      { id: id(2), masterCallId: MASTER_A },
      { id: id(3), masterCallId: MASTER_A },
    ]);
    expect(withLegs.counts).toMatchObject({ post: 1, list: 0 });
    expect(withLegs.counts.get.sort()).toEqual([id(1), id(2), id(3)]);
    expect(withLegs.counts.maxInFlight).toBe(3);
  });
});
