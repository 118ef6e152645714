/**
 * Subscribers that share a document and an audience share its execution
 * (src/shared-subscriptions.ts): one execution of the subscription field per state, however many
 * subscribers; different variables or audiences each their own; nobody sees another's call; a
 * subscriber that leaves ends nobody else's stream. Executions are counted at the field's
 * resolver (`deliver`), which runs once per execution of an event.
 */
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.ts';
import { graphql } from '../support/graphql.ts';
import { CALL_EVENTS, CALL_UPDATED, LIFE, PLACE, statusesOf, timeOrder } from '../support/live.ts';
import { type SseSubscription, subscribe } from '../support/sse.ts';

const executions = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/calls/live.ts', async (importOriginal) => {
  const live = await importOriginal<typeof import('../../src/calls/live.ts')>();
  return {
    ...live,
    deliver: (...args: Parameters<typeof live.deliver>) => {
      executions.count++;
      return live.deliver(...args);
    },
  };
});

const JWT_SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const jwt = (sub: string, scope = 'calls:create calls:read', expires: string | number = '5m') =>
  new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime(expires)
    .sign(new TextEncoder().encode(JWT_SECRET));
const as = async (sub: string, scope?: string, expires?: string | number) => ({
  authorization: `Bearer ${await jwt(sub, scope, expires)}`,
});

const open: { gateway: Gateway; streams: SseSubscription[] }[] = [];
afterEach(async () => {
  for (const { gateway, streams } of open.splice(0)) {
    for (const stream of streams) stream.close();
    await gateway.close();
  }
});

function setup() {
  const emulator = createEmulator({ clock: 'manual' });
  const gateway = createGateway({
    upstream: { kind: 'emulator', emulator },
    security: { auth: { jwt: { secret: JWT_SECRET } } },
    events: { source: 'websocket' },
  });
  const streams: SseSubscription[] = [];
  open.push({ gateway, streams });
  const sub = async (
    query: string,
    headers: Record<string, string>,
    variables?: Record<string, unknown>,
  ) => {
    const stream = await subscribe((request) => gateway.fetch(request), query, {
      headers,
      ...(variables ? { variables } : {}),
    });
    streams.push(stream);
    return stream;
  };
  return { emulator, gateway, sub };
}

const tick = (ms = 30) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function place(gateway: Gateway, headers: Record<string, string>): Promise<string> {
  const placed = await graphql(gateway, PLACE, undefined, headers);
  expect(placed.errors).toBeUndefined();
  return placed.data?.createCall.calls[0].id as string;
}

/** Plays the quickstart call to its end, a second at a time; `at(second)` runs before each. */
async function runCall(emulator: Emulator, at: (second: number) => Promise<void> = async () => {}) {
  for (let second = 0; second < 20; second++) {
    await at(second);
    emulator.advance(1_000);
    await tick(2);
  }
  await tick();
}

const statusesIn = (stream: SseSubscription, field: 'callEvents' | 'callUpdated') =>
  statusesOf(stream.results.map((result) => result.data?.[field]?.status));

describe('subscribers of one document and audience', () => {
  it('share one execution per state, and each gets every state', async () => {
    const { emulator, gateway, sub } = setup();
    const alice = await as('alice');
    const streams = await Promise.all(Array.from({ length: 20 }, () => sub(CALL_EVENTS, alice)));
    executions.count = 0;
    const id = await place(gateway, alice);
    await runCall(emulator);

    const [first] = streams;
    const states = first?.results ?? [];
    expect(LIFE).toContainEqual(statusesIn(first as SseSubscription, 'callEvents'));
    for (const stream of streams) expect(stream.results).toEqual(states);
    expect(new Set(states.map((result) => result.data?.callEvents.id))).toEqual(new Set([id]));
    // Without sharing: 20 executions per state.
    expect(executions.count).toBe(states.length);
  });

  it('share per variables: another value is executed for its own subscribers', async () => {
    const { emulator, gateway, sub } = setup();
    const alice = await as('alice');
    const query = /* GraphQL */ `subscription($bare: Boolean!) {
      callEvents { id status @skip(if: $bare) }
    }`;
    const full = await Promise.all([1, 2].map(() => sub(query, alice, { bare: false })));
    const bare = await Promise.all([1, 2].map(() => sub(query, alice, { bare: true })));
    executions.count = 0;
    await place(gateway, alice);
    await runCall(emulator);

    const states = full[0]?.results.length ?? 0;
    expect(states).toBeGreaterThan(3);
    const shown = (stream: SseSubscription) =>
      stream.results.map((result) => 'status' in (result.data?.callEvents ?? {}));
    for (const stream of full) expect(shown(stream)).toEqual(Array(states).fill(true));
    for (const stream of bare) expect(shown(stream)).toEqual(Array(states).fill(false));
    expect(executions.count).toBe(2 * states);
  });

  it("share per audience: nobody is shown another's call, an operator's run is its own", async () => {
    const { emulator, gateway, sub } = setup();
    const alice = await as('alice');
    const bob = await as('bob');
    const ops = await as('ops', 'calls:read calls:admin');
    const ofAlice = await Promise.all([1, 2].map(() => sub(CALL_EVENTS, alice)));
    const ofBob = await Promise.all([1, 2].map(() => sub(CALL_EVENTS, bob)));
    const ofOps = await Promise.all([1, 2].map(() => sub(CALL_EVENTS, ops)));
    executions.count = 0;
    const id = await place(gateway, alice);
    await runCall(emulator);

    const states = ofAlice[0]?.results.length ?? 0;
    expect(states).toBeGreaterThan(3);
    for (const stream of [...ofAlice, ...ofOps]) {
      expect(stream.results).toHaveLength(states);
      expect(new Set(stream.results.map((r) => r.data?.callEvents.id))).toEqual(new Set([id]));
    }
    for (const stream of ofBob) expect(stream.results).toEqual([]);
    // Alice's subscribers share, the operator's share: one execution each per state.
    expect(executions.count).toBe(2 * states);
  });
});

describe('a shared stream', () => {
  it('goes on for the others when one subscriber leaves', async () => {
    const { emulator, gateway, sub } = setup();
    const alice = await as('alice');
    const [leaving, ...staying] = await Promise.all([1, 2, 3].map(() => sub(CALL_EVENTS, alice)));
    await place(gateway, alice);
    await runCall(emulator, async (second) => {
      if (second === 2) leaving?.close();
    });

    const before = leaving?.results.length ?? 0;
    for (const stream of staying) {
      expect(LIFE).toContainEqual(statusesIn(stream, 'callEvents'));
      expect(stream.results.length).toBeGreaterThan(before);
    }
    expect(gateway.events.stats()).toMatchObject({ subscriptions: 2, listeners: 1 });
    for (const stream of staying) stream.close();
    await tick(50);
    expect(gateway.events.stats()).toMatchObject({ subscriptions: 0, listeners: 0 });
  });

  it("ends one subscriber's stream when its credential expires, and nobody else's", async () => {
    const { emulator, gateway, sub } = setup();
    const alice = await as('alice');
    // exp is in whole seconds, and 5 s of clock tolerance apply: expires 1 to 2 s from now.
    const briefly = await as('alice', undefined, Math.floor(Date.now() / 1000) - 3);
    const expiring = await sub(CALL_EVENTS, briefly);
    const staying = await sub(CALL_EVENTS, alice);
    await place(gateway, alice);
    const ended = await expiring.completed(4_000);
    await runCall(emulator);

    expect(ended.at(-1)?.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(staying.results.every((result) => result.errors === undefined)).toBe(true);
    expect(LIFE).toContainEqual(statusesIn(staying, 'callEvents'));
  });

  it("gives a callUpdated subscriber that joins late the call's current state first, then only newer ones", async () => {
    const { emulator, gateway, sub } = setup();
    const alice = await as('alice');
    const id = await place(gateway, alice);
    const early = await sub(CALL_UPDATED, alice, { id });
    let late: SseSubscription | undefined;
    await runCall(emulator, async (second) => {
      if (second === 3) late = await sub(CALL_UPDATED, alice, { id });
    });
    await early.completed();
    const results = (await late?.completed()) ?? [];

    const times = (list: typeof results) => list.map((r) => r.data?.callUpdated.updatedAt);
    const lateTimes = times(results);
    expect(lateTimes.length).toBeGreaterThan(1);
    // Each state once, in order; its first is the state the early one had then; then the same.
    expect([...lateTimes].sort((a, b) => timeOrder(a).localeCompare(timeOrder(b)))).toEqual(
      lateTimes,
    );
    expect(new Set(lateTimes).size).toBe(lateTimes.length);
    const earlyTimes = times(early.results);
    expect(earlyTimes.slice(earlyTimes.indexOf(lateTimes[0]))).toEqual(lateTimes);
    expect(results.at(-1)?.data?.callUpdated.status).toBe('HANGUP');
  });
});
