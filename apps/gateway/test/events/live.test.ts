/**
 * Live call status in-process: `callUpdated` and `callEvents` over SSE, fed by each source
 * (the emulator's WebSocket, its webhooks posted to the gateway, polling), on a manual clock.
 */
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Fanout } from '../../src/events/index.ts';
import { createGateway, type Gateway, type GatewayConfig } from '../../src/index.ts';
import { hashApiKey } from '../../src/security/auth.ts';
import { graphql, QUICKSTART } from '../support/graphql.ts';
import {
  CALL_EVENTS,
  CALL_UPDATED,
  LIFE,
  PLACE,
  statusesOf,
  timeOrder,
  until,
} from '../support/live.ts';
import { type SseSubscription, subscribe } from '../support/sse.ts';

const SECRET = 'webhook-secret-0123456789abcdef';
const JWT_SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const KEY_A = 'key-of-principal-a';
const KEY_B = 'key-of-principal-b';
const A = { 'x-api-key': KEY_A };
const B = { 'x-api-key': KEY_B };

const SOURCES = ['websocket', 'webhook', 'poll'] as const;
type Source = (typeof SOURCES)[number];

const open: { gateway: Gateway; streams: SseSubscription[] }[] = [];
/** What the gateway logged during a test: never a phone number or a credential. */
let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
  }
});
afterEach(async () => {
  vi.restoreAllMocks();
  const said = logged.join('\n');
  for (const secret of [QUICKSTART.source, QUICKSTART.destination, KEY_A, KEY_B, 'tok-a', SECRET]) {
    expect(said).not.toContain(secret);
  }
  for (const { gateway, streams } of open.splice(0)) {
    for (const stream of streams) stream.close();
    await gateway.close();
  }
});

async function setup(source: Source, config: Omit<GatewayConfig, 'upstream'> = {}) {
  const emulator = createEmulator({ clock: 'manual' });
  const gateway = createGateway({
    ...config,
    upstream: { kind: 'emulator', emulator },
    events: {
      source,
      pollIntervalMs: 10,
      ...(source === 'webhook' ? { webhookSecret: SECRET } : {}),
      ...config.events,
    },
  });
  if (source === 'webhook') wireWebhooks(emulator, gateway);
  const streams: SseSubscription[] = [];
  open.push({ gateway, streams });
  const sub = async (
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => {
    const stream = await subscribe((request) => gateway.fetch(request), query, {
      ...(variables ? { variables } : {}),
      ...(headers ? { headers } : {}),
    });
    streams.push(stream);
    return stream;
  };
  return { emulator, gateway, sub };
}

/** The embedded emulator of a test is made by the test: point its webhooks at the gateway. */
function wireWebhooks(emulator: Emulator, gateway: Gateway) {
  emulator.subscribe((event) => {
    void gateway.fetch(
      new Request(`http://gateway.test/webhooks/voipbin/${SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
      }),
    );
  });
}

async function place(gateway: Gateway, headers?: Record<string, string>): Promise<string> {
  const placed = await graphql(gateway, PLACE, undefined, headers);
  expect(placed.errors).toBeUndefined();
  return placed.data?.createCall.calls[0].id as string;
}

/** Runs the emulator's clock through the whole quickstart call, a second at a time. */
async function runCall(emulator: Emulator, pause = async () => {}) {
  for (let second = 0; second < 20; second++) {
    emulator.advance(1_000);
    await pause();
  }
}

const tick = (ms = 30) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.each(SOURCES)('callUpdated fed by the %s source', (source) => {
  it('streams the quickstart call DIALING -> RINGING -> PROGRESSING -> HANGUP, each state once, then completes', async () => {
    const { emulator, gateway, sub } = await setup(source);
    const id = await place(gateway);
    const stream = await sub(CALL_UPDATED, { id });
    expect(stream.status).toBe(200);
    const first = await stream.next();
    expect(first).toEqual({
      data: { callUpdated: expect.objectContaining({ id, status: 'DIALING' }) },
    });
    await runCall(emulator, () => tick(source === 'poll' ? 30 : 5));
    const results = await stream.completed();
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    expect(LIFE).toContainEqual(
      statusesOf(results.map((result) => result.data?.callUpdated.status)),
    );
    const times = results.map((result) => result.data?.callUpdated.updatedAt as string);
    expect(new Set(times).size).toBe(times.length);
    // A new call has no tm_update (VoIPBIN's): null, only first, sorts before every time.
    expect(times.map(timeOrder)).toEqual(times.map(timeOrder).sort());
    expect(results.at(-1)?.data?.callUpdated.hangupReason).toBe('NORMAL');
    // Everything let go: no listener, subscription, socket or timer left.
    await tick();
    expect(gateway.events.stats()).toMatchObject({ listeners: 0, subscriptions: 0 });
    for (const [what, count] of Object.entries(gateway.events.source.stats())) {
      expect(count, what).toBe(0);
    }
  });
});

/** A gateway with two API keys (A and B) and JWTs, on the given source. */
async function withAuth(source: Source, events: GatewayConfig['events'] = {}) {
  return setup(source, {
    security: {
      auth: {
        jwt: { secret: JWT_SECRET },
        apiKeyHashes: [await hashApiKey(KEY_A), await hashApiKey(KEY_B)],
      },
    },
    events,
  });
}

describe('who sees what', () => {
  it("answers another principal's callUpdated with NOT_FOUND and sends no state", async () => {
    const { emulator, gateway, sub } = await withAuth('websocket');
    const id = await place(gateway, A);
    const stream = await sub(CALL_UPDATED, { id }, B);
    await runCall(emulator, () => tick(2));
    const results = await stream.completed();
    expect(results).toEqual([
      {
        errors: [
          expect.objectContaining({
            extensions: { code: 'NOT_FOUND', requestId: expect.stringMatching(/^req_/) },
          }),
        ],
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(QUICKSTART.destination);
    expect(gateway.events.stats()).toMatchObject({ listeners: 0, subscriptions: 0 });
  });

  it("shows each principal's callEvents its own calls only, from their first state", async () => {
    const { emulator, gateway, sub } = await withAuth('websocket');
    const streamA = await sub(CALL_EVENTS, undefined, A);
    const streamB = await sub(CALL_EVENTS, undefined, B);
    const mine = await place(gateway, A);
    const theirs = await place(gateway, B);
    await runCall(emulator, () => tick(2));
    await tick();
    const idsOf = (stream: SseSubscription) =>
      new Set(stream.results.map((result) => result.data?.callEvents.id));
    expect(idsOf(streamA)).toEqual(new Set([mine]));
    expect(idsOf(streamB)).toEqual(new Set([theirs]));
    const statuses = statusesOf(streamA.results.map((result) => result.data?.callEvents.status));
    expect(LIFE).toContainEqual(statuses);
  });

  it('needs calls:read, and says which scope is missing', async () => {
    const { gateway, sub } = await withAuth('websocket');
    const id = await place(gateway, A);
    const token = await new SignJWT({ scope: 'calls:create' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('writer')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const stream = await sub(CALL_UPDATED, { id }, { authorization: `Bearer ${token}` });
    const [result] = await stream.completed();
    expect(result?.errors?.[0]).toMatchObject({
      message: 'This needs the scope calls:read',
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('ends the stream with UNAUTHENTICATED when the JWT expires', async () => {
    const { gateway, sub } = await withAuth('websocket');
    // exp is in whole seconds, and 5 s of clock tolerance apply: expires 1 to 2 s from now.
    const exp = Math.floor(Date.now() / 1000) - 3;
    const token = await new SignJWT({ scope: 'calls:read calls:create' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('short-lived')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const auth = { authorization: `Bearer ${token}` };
    const id = await place(gateway, auth);
    const stream = await sub(CALL_UPDATED, { id }, { ...auth, 'x-request-id': 'stream-expiry-1' });
    const results = await stream.completed(4_000);
    expect(results[0]?.data?.callUpdated.status).toBe('DIALING');
    // The event that ends the stream carries the stream's request id; the others carry no error.
    expect(results.at(-1)?.errors?.[0]).toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', requestId: 'stream-expiry-1' },
    });
    expect(gateway.events.stats()).toMatchObject({ listeners: 0, subscriptions: 0 });
  });
});

describe('limits', () => {
  it('refuses a subscription past the per-principal limit with TOO_MANY_SUBSCRIPTIONS, and counts a closed one out', async () => {
    const { gateway, sub } = await withAuth('websocket', { maxPerPrincipal: 2 });
    const id = await place(gateway, A);
    const one = await sub(CALL_UPDATED, { id }, A);
    await sub(CALL_EVENTS, undefined, A);
    const refused = await sub(CALL_UPDATED, { id }, A);
    const [result] = await refused.completed();
    expect(result?.errors?.[0]).toMatchObject({
      message: expect.stringMatching(
        /^Too many open subscriptions: this caller has 2 open \(at most 2\)/,
      ),
      extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
    });
    // B is not A: its own count.
    const other = await sub(CALL_EVENTS, undefined, B);
    expect(other.status).toBe(200);
    one.close();
    await until(
      () => gateway.events.stats().subscriptions === 2,
      'the closed stream to be counted out',
    );
    const again = await sub(CALL_UPDATED, { id }, A);
    expect((await again.next()).data?.callUpdated.id).toBe(id);
  });

  it('refuses past the limit in all', async () => {
    const { gateway, sub } = await withAuth('websocket', { maxSubscriptions: 1 });
    await sub(CALL_EVENTS, undefined, A);
    const refused = await sub(CALL_EVENTS, undefined, B);
    const [result] = await refused.completed();
    expect(result?.errors?.[0]?.message).toMatch(/the gateway holds 1 \(at most 1\)/);
    expect(gateway.events.stats().subscriptions).toBe(1);
  });

  it('sends heartbeats while nothing happens', async () => {
    const { gateway, sub } = await setup('websocket');
    const id = await place(gateway);
    const stream = await sub(CALL_UPDATED, { id });
    await stream.next();
    // Yoga's SSE pings every 12 s, every 300 ms under NODE_ENV=test.
    await tick(700);
    expect(stream.pings()).toBeGreaterThanOrEqual(2);
  });
});

describe('a dropped event socket', () => {
  it('reconnects, and the state VoIPBIN reports after the drop is delivered, never an older one', async () => {
    const { emulator, gateway, sub } = await setup('websocket', {
      events: { reconnectDelayMs: 20 },
    });
    const id = await place(gateway);
    const stream = await sub(CALL_UPDATED, { id });
    expect((await stream.next()).data?.callUpdated.status).toBe('DIALING');
    await until(() => emulator.stats().sockets === 1, 'the event socket to open');
    emulator.advance(1_000);
    expect((await stream.next()).data?.callUpdated.status).toBe('RINGING');

    // Cut off while the call is answered and starts talking: VoIPBIN replays nothing.
    expect(emulator.sockets.drop()).toBe(1);
    emulator.advance(4_500);
    const now = emulator.call(id);
    expect(now?.status).toBe('progressing');
    const caughtUp = await stream.next();
    expect(caughtUp.data?.callUpdated).toMatchObject({
      status: 'PROGRESSING',
      updatedAt: now?.tm_update,
    });
    expect(emulator.stats().sockets).toBe(1);

    await runCall(emulator, () => tick(2));
    const results = await stream.completed();
    expect(LIFE).toContainEqual(
      statusesOf(results.map((result) => result.data?.callUpdated.status)),
    );
    const times = results.map((result) => result.data?.callUpdated.updatedAt as string);
    expect(new Set(times).size).toBe(times.length);
    // A new call has no tm_update (VoIPBIN's): null, only first, sorts before every time.
    expect(times.map(timeOrder)).toEqual(times.map(timeOrder).sort());
  });
});

describe('pass-through tokens', () => {
  const ACCOUNTS = {
    'tok-a': '11111111-1111-4111-8111-111111111111',
    'tok-b': '22222222-2222-4222-8222-222222222222',
  };
  const asA = { authorization: 'Bearer tok-a' };
  const asB = { authorization: 'Bearer tok-b' };

  it("keeps each VoIPBIN account's calls to subscribers with its own token", async () => {
    const emulator = createEmulator({ clock: 'manual', credentials: ACCOUNTS });
    const gateway = createGateway({
      upstream: { kind: 'emulator', emulator },
      passThrough: true,
      events: { source: 'websocket' },
    });
    const sub = (
      query: string,
      headers: Record<string, string>,
      variables?: Record<string, unknown>,
    ) =>
      subscribe((request) => gateway.fetch(request), query, {
        headers,
        ...(variables ? { variables } : {}),
      });
    const everyOfA = await sub(CALL_EVENTS, asA);
    const everyOfB = await sub(CALL_EVENTS, asB);
    const id = await place(gateway, asA);
    const followA = await sub(CALL_UPDATED, asA, { id });
    const followB = await sub(CALL_UPDATED, asB, { id });
    open.push({ gateway, streams: [everyOfA, everyOfB, followA, followB] });
    await runCall(emulator, () => tick(2));
    expect(LIFE).toContainEqual(
      statusesOf((await followA.completed()).map((result) => result.data?.callUpdated.status)),
    );
    // VoIPBIN's own answer to another account's call, as `call(id)` gets it: no state at all.
    expect(await followB.completed()).toEqual([
      {
        errors: [
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
        ],
      },
    ]);
    expect(new Set(everyOfA.results.map((result) => result.data?.callEvents.id))).toEqual(
      new Set([id]),
    );
    expect(everyOfB.results).toEqual([]);
  });
});

describe('letting go', () => {
  it('holds nothing for a client that went away while its subscription was being set up', async () => {
    const { emulator, gateway } = await setup('websocket');
    const id = await place(gateway);
    // The call's first read takes 200 ms; the client leaves after 30.
    emulator.faults.set([{ method: 'GET', path: `/v1.0/calls/${id}`, latency: 200 }]);
    const abort = new AbortController();
    const answer = gateway
      .fetch(
        new Request('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: CALL_UPDATED, variables: { id } }),
          signal: abort.signal,
        }),
      )
      .catch(() => undefined);
    await tick(30);
    expect(gateway.events.stats()).toMatchObject({ listeners: 1, subscriptions: 1 });
    abort.abort();
    await tick(300);
    expect(gateway.events.stats()).toEqual({
      listeners: 0,
      subscriptions: 0,
      sockets: 0,
      watched: 0,
    });
    await (await answer)?.body?.cancel().catch(() => {});
  });

  it('stops polling when the last listener goes, mid-call', async () => {
    const { emulator, gateway, sub } = await setup('poll');
    const id = await place(gateway);
    const one = await sub(CALL_UPDATED, { id });
    const two = await sub(CALL_UPDATED, { id });
    await one.next();
    await two.next();
    expect(gateway.events.source.stats()).toEqual({ pollers: 1, timers: 1 });
    emulator.advance(1_000);
    one.close();
    expect((await two.next()).data?.callUpdated.status).toBe('RINGING');
    two.close();
    await until(() => gateway.events.stats().subscriptions === 0, 'both streams to end');
    await tick(50);
    expect(gateway.events.source.stats()).toEqual({ pollers: 0, timers: 0 });
  });

  it("gives each subscription its own poller where pollers are not shared (the Worker's way)", async () => {
    const { gateway, sub } = await setup('poll', { events: { pollShared: false } });
    const id = await place(gateway);
    const one = await sub(CALL_UPDATED, { id });
    const two = await sub(CALL_UPDATED, { id });
    await one.next();
    await two.next();
    expect(gateway.events.source.stats().pollers).toBe(2);
    one.close();
    await until(() => gateway.events.source.stats().pollers === 1, 'the first poller to stop');
    two.close();
    await until(() => gateway.events.source.stats().pollers === 0, 'the second poller to stop');
  });

  it("shows callEvents on the poll source (the Worker's) each state of the caller's new call", async () => {
    const { emulator, gateway, sub } = await setup('poll');
    const every = await sub(CALL_EVENTS);
    await tick(30);
    const id = await place(gateway);
    await runCall(emulator, () => tick(30));
    await until(
      () => every.results.at(-1)?.data?.callEvents.status === 'HANGUP',
      'the hangup on callEvents',
    );
    expect(new Set(every.results.map((result) => result.data?.callEvents.id))).toEqual(
      new Set([id]),
    );
    const times = every.results.map((result) => result.data?.callEvents.updatedAt as string);
    expect(new Set(times).size).toBe(times.length);
    // A new call has no tm_update (VoIPBIN's): null, only first, sorts before every time.
    expect(times.map(timeOrder)).toEqual(times.map(timeOrder).sort());
  });
});

describe('several instances (an in-memory fanout)', () => {
  /** What Redis pub/sub does, in memory: every subscriber gets every message, its own too. */
  function memoryFanout(): () => Fanout {
    const subscribers = new Set<(message: string) => void>();
    return () => ({
      publish: async (message) => {
        for (const subscriber of subscribers) queueMicrotask(() => subscriber(message));
      },
      subscribe: async (onMessage) => void subscribers.add(onMessage),
      close: async () => {},
    });
  }

  it('delivers a call placed on one instance to callEvents on another, with the WebSocket source, for an account neither had seen', async () => {
    const emulator = createEmulator({ clock: 'manual' });
    const fanout = memoryFanout();
    const instance = () => {
      const gateway = createGateway({
        upstream: { kind: 'emulator', emulator },
        events: { source: 'websocket', fanout: fanout() },
      });
      open.push({ gateway, streams: [] });
      return gateway;
    };
    const placing = instance();
    const serving = instance();
    await Promise.all([placing.ready(), serving.ready()]);
    const every = await subscribe((request) => serving.fetch(request), CALL_EVENTS);
    open.push({ gateway: serving, streams: [every] });
    const id = await place(placing);
    await runCall(emulator, () => tick(5));
    await until(
      () => every.results.at(-1)?.data?.callEvents.status === 'HANGUP',
      'the hangup on the other instance',
    );
    expect(new Set(every.results.map((result) => result.data?.callEvents.id))).toEqual(
      new Set([id]),
    );
    expect(LIFE).toContainEqual(
      statusesOf(every.results.map((result) => result.data?.callEvents.status)),
    );
  });

  it("still delivers this instance's states when the fanout cannot subscribe, and says so", async () => {
    const emulator = createEmulator({ clock: 'manual' });
    let attempts = 0;
    const gateway = createGateway({
      upstream: { kind: 'emulator', emulator },
      events: {
        source: 'websocket',
        fanout: {
          publish: async () => {},
          subscribe: async () => {
            attempts++;
            throw new Error('connection refused');
          },
          close: async () => {},
        },
      },
    });
    const { sub } = {
      sub: (query: string, variables?: Record<string, unknown>) =>
        subscribe((request) => gateway.fetch(request), query, variables ? { variables } : {}),
    };
    await expect(gateway.ready()).rejects.toThrow('connection refused');
    // It tries again in the background (500 ms later), and that failure is handled too: an
    // unhandled rejection would fail this file.
    await vi.waitFor(() => expect(attempts).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    expect(logged.join('\n')).toMatch(
      /the event fanout could not subscribe \(Error\): states from other instances do not arrive; trying again/,
    );
    const id = await place(gateway);
    const stream = await sub(CALL_UPDATED, { id });
    open.push({ gateway, streams: [stream] });
    await runCall(emulator, () => tick(5));
    expect(LIFE).toContainEqual(
      statusesOf((await stream.completed()).map((result) => result.data?.callUpdated.status)),
    );
  });
});
