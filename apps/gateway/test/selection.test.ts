/**
 * What a frontend selects is what it gets, and following a call with `call(id)` shows its
 * life as the emulator's clock moves: status, current step, timestamps, hangup.
 */
import type { Emulator } from '@voipbin-kit/emulator';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.ts';
import { emulatedGateway, type GraphQLResult, graphql, QUICKSTART } from './support/graphql.ts';
import { timeOrder } from './support/live.ts';

const SOURCE = `source: { type: TEL, target: "${QUICKSTART.source}" }`;
const DESTINATION = `destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }]`;

const FOLLOW = /* GraphQL */ `
  query Follow($id: ID!) {
    call(id: $id) {
      id status hangupReason hangupBy ringingAt progressingAt hangupAt
      action { id type option }
    }
  }`;

describe('selection and following a call', () => {
  let emulator: Emulator;
  let gateway: Gateway;
  beforeEach(() => {
    ({ emulator, gateway } = emulatedGateway());
  });

  /** Places a call with these actions (GraphQL literals) and returns its id. */
  async function place(actions = '{ talk: { text: "Hello" } }', destination = DESTINATION) {
    const { data, errors } = await graphql(
      gateway,
      `mutation { createCall(input: { ${SOURCE}, ${destination}, actions: [${actions}] }) { calls { id } } }`,
    );
    expect(errors).toBeUndefined();
    return data?.createCall.calls[0].id as string;
  }

  it('answers exactly the fields selected', async () => {
    const { data } = await graphql(
      gateway,
      `mutation { createCall(input: { ${SOURCE}, ${DESTINATION}, actions: [{ answer: {} }] }) { calls { id status } } }`,
    );
    const [call] = data?.createCall.calls ?? [];
    expect(Object.keys(data ?? {})).toEqual(['createCall']);
    expect(Object.keys(data?.createCall)).toEqual(['calls']);
    expect(Object.keys(call)).toEqual(['id', 'status']);

    const followed = await graphql(gateway, 'query($id: ID!) { call(id: $id) { status } }', {
      id: call.id,
    });
    expect(followed).toEqual({ data: { call: { status: 'DIALING' } } });
  });

  it('follows a call through its life to HANGUP (NORMAL, LOCAL), showing the step running', async () => {
    // talk "Hello" lasts 1 s, beep 0.5 s, sleep 1.5 s: ringing at 1 s, answered at 4 s.
    const id = await place(
      '{ talk: { text: "Hello" } }, { beep: {} }, { sleep: { duration: 1500 } }',
    );
    const seen: { status: string; step: string | null }[] = [];
    let last: Record<string, unknown> | undefined;
    for (let elapsed = 0; elapsed <= 20_000; elapsed += 100) {
      const { data, errors } = await graphql(gateway, FOLLOW, { id });
      expect(errors).toBeUndefined();
      last = data?.call;
      const now = { status: data?.call.status, step: data?.call.action?.type ?? null };
      const previous = seen.at(-1);
      if (previous?.status !== now.status || previous?.step !== now.step) seen.push(now);
      if (now.status === 'HANGUP') break;
      emulator.advance(100);
    }

    expect(seen).toEqual([
      { status: 'DIALING', step: null },
      { status: 'RINGING', step: null },
      { status: 'PROGRESSING', step: 'talk' },
      { status: 'PROGRESSING', step: 'beep' },
      { status: 'PROGRESSING', step: 'sleep' },
      { status: 'TERMINATING', step: 'sleep' },
      { status: 'HANGUP', step: 'sleep' },
    ]);
    expect(last).toMatchObject({ id, hangupReason: 'NORMAL', hangupBy: 'LOCAL' });
    const times = ['ringingAt', 'progressingAt', 'hangupAt'].map((key) => String(last?.[key]));
    for (const at of times)
      expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/);
    // Same format, so text order is time order.
    // A new call has no tm_update (VoIPBIN's): null, only first, sorts before every time.
    expect(times.map(timeOrder)).toEqual(times.map(timeOrder).sort());
    expect(new Set(times).size).toBe(3);
  });

  it("shows the running step's options as VoIPBIN has them", async () => {
    const id = await place('{ talk: { text: "Hello", gender: MALE, language: "en-GB" } }');
    emulator.advance(4_000);

    const { data } = await graphql(gateway, FOLLOW, { id });

    expect(data?.call.status).toBe('PROGRESSING');
    expect(data?.call.action).toMatchObject({
      type: 'talk',
      option: { text: 'Hello', gender: 'male', language: 'en-GB' },
    });
    expect(data?.call.action.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers null for a call id that does not exist, without an error', async () => {
    await place();
    const result = await graphql(gateway, FOLLOW, { id: '3f1e0a52-7b8c-4d9e-a0b1-c2d3e4f5a6b7' });
    expect(result).toEqual({ data: { call: null } });
  });

  it('pages through calls with endCursor as after, newest first, each call once', async () => {
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      placed.push(await place());
      emulator.advance(10);
    }
    const PAGE = /* GraphQL */ `
      query Page($after: String) {
        calls(first: 2, after: $after) {
          edges { cursor node { id } }
          nodes { id }
          pageInfo { hasNextPage endCursor }
        }
      }`;

    interface Page {
      edges: { cursor: string; node: { id: string } }[];
      nodes: { id: string }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    }
    const pages: string[][] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const { data, errors }: GraphQLResult = await graphql(gateway, PAGE, { after });
      expect(errors).toBeUndefined();
      const page: Page = data?.calls;
      pages.push(page.nodes.map((n) => n.id));
      expect(page.edges.map((e) => e.node.id)).toEqual(pages.at(-1));
      if (!page.pageInfo.hasNextPage) {
        expect(page.pageInfo.endCursor).toBeNull();
        break;
      }
      expect(page.pageInfo.endCursor).toEqual(expect.any(String));
      after = page.pageInfo.endCursor;
    }

    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...placed].reverse());
  });

  it("resumes after any edge's cursor", async () => {
    const placed: string[] = [];
    for (let i = 0; i < 4; i++) placed.push(await place());
    const newestFirst = [...placed].reverse();
    const all = await graphql(gateway, '{ calls(first: 4) { edges { cursor node { id } } } }');
    const second = all.data?.calls.edges[1].cursor;

    const rest = await graphql(
      gateway,
      'query($after: String) { calls(first: 10, after: $after) { nodes { id } } }',
      { after: second },
    );

    expect(rest.data?.calls.nodes.map((n: { id: string }) => n.id)).toEqual(newestFirst.slice(2));
  });

  it('refuses a page size outside 1 to 100 as BAD_USER_INPUT', async () => {
    for (const first of [0, 101]) {
      const { data, errors } = await graphql(
        gateway,
        'query($first: Int) { calls(first: $first) { nodes { id } } }',
        {
          first,
        },
      );
      expect(data).toBeNull();
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('ends paging without an empty last page when the calls fill the pages exactly', async () => {
    for (let i = 0; i < 4; i++) await place();
    const first = await graphql(
      gateway,
      '{ calls(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } }',
    );
    expect(first.data?.calls.pageInfo.hasNextPage).toBe(true);
    const second = await graphql(
      gateway,
      'query($after: String) { calls(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage } } }',
      { after: first.data?.calls.pageInfo.endCursor },
    );
    expect(second.data?.calls.nodes).toHaveLength(2);
    expect(second.data?.calls.pageInfo.hasNextPage).toBe(false);
  });

  it('cancels a ringing call: hangupCall answers CANCELING, then it hangs up with CANCEL', async () => {
    const id = await place();
    emulator.advance(1_500);
    expect((await graphql(gateway, FOLLOW, { id })).data?.call.status).toBe('RINGING');

    const hungUp = await graphql(
      gateway,
      'mutation($id: ID!) { hangupCall(id: $id) { id status hangupReason } }',
      { id },
    );
    expect(hungUp).toEqual({
      data: { hangupCall: { id, status: 'CANCELING', hangupReason: null } },
    });

    emulator.advance(200);
    const { data } = await graphql(gateway, FOLLOW, { id });
    expect(data?.call).toMatchObject({
      status: 'HANGUP',
      hangupReason: 'CANCEL',
      hangupBy: 'LOCAL',
    });
    expect(data?.call.progressingAt).toBeNull();
    expect(data?.call.hangupAt).not.toBeNull();
  });

  it('terminates an answered call: hangupCall answers TERMINATING, then NORMAL', async () => {
    const id = await place('{ sleep: { duration: 60000 } }');
    emulator.advance(5_000);

    const hungUp = await graphql(gateway, 'mutation($id: ID!) { hangupCall(id: $id) { status } }', {
      id,
    });
    expect(hungUp.data?.hangupCall.status).toBe('TERMINATING');
    emulator.advance(200);
    const { data } = await graphql(gateway, FOLLOW, { id });
    expect(data?.call).toMatchObject({
      status: 'HANGUP',
      hangupReason: 'NORMAL',
      hangupBy: 'LOCAL',
    });
  });

  it('hangs up a finished call again as VoIPBIN does: the call as it is (cm hangup.go)', async () => {
    const id = await place();
    emulator.advance(60_000);
    expect((await graphql(gateway, FOLLOW, { id })).data?.call.status).toBe('HANGUP');

    const { data, errors } = await graphql(
      gateway,
      'mutation($id: ID!) { hangupCall(id: $id) { id status } }',
      { id },
    );

    expect(errors).toBeUndefined();
    expect(data?.hangupCall).toEqual({ id, status: 'HANGUP' });
  });

  it('creates a flow that flow(id) then reads back, and a call can run', async () => {
    const created = await graphql(
      gateway,
      /* GraphQL */ `
        mutation {
          createFlow(input: {
            name: "greeting"
            detail: "says hello, then hangs up"
            actions: [{ talk: { text: "Hello", gender: NEUTRAL } }, { hangup: {} }]
          }) { id name detail type actions { id type option } }
        }`,
    );
    expect(created.errors).toBeUndefined();
    const flow = created.data?.createFlow;
    expect(flow).toMatchObject({
      name: 'greeting',
      detail: 'says hello, then hangs up',
      type: 'FLOW',
      actions: [{ type: 'talk', option: { text: 'Hello', gender: 'neutral' } }, { type: 'hangup' }],
    });

    const read = await graphql(
      gateway,
      'query($id: ID!) { flow(id: $id) { id name detail type actions { id type option } } }',
      { id: flow.id },
    );
    expect(read).toEqual({ data: { flow } });

    const call = await graphql(
      gateway,
      `mutation($flowId: ID!) { createCall(input: { ${SOURCE}, ${DESTINATION}, flowId: $flowId }) { calls { flowId } } }`,
      { flowId: flow.id },
    );
    expect(call.data?.createCall.calls).toEqual([{ flowId: flow.id }]);
  });

  it('answers null for a flow id that does not exist', async () => {
    const result = await graphql(gateway, 'query($id: ID!) { flow(id: $id) { id } }', {
      id: '3f1e0a52-7b8c-4d9e-a0b1-c2d3e4f5a6b7',
    });
    expect(result).toEqual({ data: { flow: null } });
  });

  it('places a group call for an extension and lists its legs when selected', async () => {
    const { data, errors } = await graphql(
      gateway,
      /* GraphQL */ `
        mutation {
          createCall(input: {
            ${SOURCE}
            destinations: [{ type: EXTENSION, targetName: "1001" }]
            actions: [{ talk: { text: "Hello" } }]
          }) {
            calls { id }
            groupcalls { id callIds calls { id groupcallId destination { type targetName } } }
          }
        }`,
    );

    expect(errors).toBeUndefined();
    expect(data?.createCall.calls).toEqual([]);
    const [group] = data?.createCall.groupcalls ?? [];
    expect(data?.createCall.groupcalls).toHaveLength(1);
    expect(group.calls).toHaveLength(1);
    expect(group.calls[0]).toEqual({
      id: group.callIds[0],
      // VoIPBIN writes the nil UUID for a call's groupcall_id in its answers (cm webhook.go).
      groupcallId: null,
      destination: { type: 'EXTENSION', targetName: '1001' },
    });
    expect(emulator.calls().map((c) => c.id)).toEqual([group.calls[0].id]);
  });
});
