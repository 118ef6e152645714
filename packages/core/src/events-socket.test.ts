import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalisedWebhookCall, webhookCall } from '../test/support/event-fixtures.ts';
import { VoipbinEventError } from './errors.ts';
import type { Event } from './event.ts';
import {
  type EventSocketStatus,
  type EventSocketStatusInfo,
  type EventSubscription,
  type SubscribeEventsOptions,
  subscribeEvents,
  type WebSocketConstructor,
  type WebSocketLike,
} from './events-socket.ts';

// A call as VoIPBIN sends it (the docs' example, as event.test.ts reads it).
const call = webhookCall;
const normalisedCall = normalisedWebhookCall;
/** The call as updated `n` seconds after its creation: another state, not a copy. */
const callAt = (n: number) => ({
  ...call,
  tm_update: new Date(Date.UTC(2023, 2, 28, 12, 0, 5) + n * 1000).toISOString(),
});

const TOPIC = 'customer_id:5e4a0680-804e-11ec-8477-2fea5968d85b:call';
const subscribeFrame = (topics: string[]) => JSON.stringify({ type: 'subscribe', topics });

type Listener = (event: unknown) => void;

/** A WebSocket the test drives: `open()`, `receive()`, `drop()`, `fail()`. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  readonly closeCalls: (number | undefined)[] = [];
  readonly listeners = new Map<string, Set<Listener>>();

  constructor(readonly url: string) {}

  send(data: string) {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(data);
  }
  /** As a real socket: closing takes a moment, then `close` fires (after `error` when it never opened). */
  close(code?: number) {
    this.closeCalls.push(code);
    if (this.readyState >= 2) return;
    const wasConnecting = this.readyState === 0;
    this.readyState = 2;
    queueMicrotask(() => {
      if (wasConnecting) this.emit('error', { message: 'closed before the connection was made' });
      this.drop(code ?? 1005);
    });
  }
  addEventListener(type: string, listener: Listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(listener);
  }
  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }
  listenerCount(): number {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
  emit(type: string, event: unknown) {
    // As the `ws` package (an EventEmitter underneath): an error nobody listens to is thrown.
    if (type === 'error' && !this.listeners.get(type)?.size) throw new Error('Unhandled error');
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
  }
  open() {
    this.readyState = 1;
    this.emit('open', {});
  }
  receive(data: unknown) {
    this.emit('message', { data });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.emit('close', { code });
  }
  fail(event: unknown = {}) {
    this.emit('error', event);
    this.drop(1006);
  }
}

function setup(overrides: Partial<SubscribeEventsOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const WebSocket: WebSocketConstructor = class extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  };
  const events: Event[] = [];
  const errors: VoipbinEventError[] = [];
  const statuses: [EventSocketStatus, EventSocketStatusInfo][] = [];
  const subscription = subscribeEvents({
    token: 'jwt-token',
    topics: [TOPIC],
    WebSocket,
    onEvent: (event) => events.push(event),
    onError: (error) => errors.push(error),
    onStatus: (status, info) => statuses.push([status, info]),
    ...overrides,
  });
  const last = () => {
    const socket = sockets.at(-1);
    if (socket === undefined) throw new Error('no socket was made');
    return socket;
  };
  return { subscription, sockets, events, errors, statuses, last };
}

const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('subscribeEvents: the URL', () => {
  it('connects to wss://api.voipbin.net/v1.0/ws?token=... by default', () => {
    const { last } = setup();
    expect(last().url).toBe('wss://api.voipbin.net/v1.0/ws?token=jwt-token');
  });

  it('turns http into ws, drops a trailing slash and percent-encodes an access key', () => {
    const { last } = setup({
      token: undefined,
      accessKey: 'a b&c/d=e+f?',
      baseURL: 'http://127.0.0.1:9000/v1.0/',
    });
    expect(last().url).toBe('ws://127.0.0.1:9000/v1.0/ws?accesskey=a%20b%26c%2Fd%3De%2Bf%3F');
  });

  it('turns https into wss and keeps a ws(s) base as it is', () => {
    expect(setup({ baseURL: 'https://example.test/api/v1.0//' }).last().url).toBe(
      'wss://example.test/api/v1.0/ws?token=jwt-token',
    );
    expect(setup({ baseURL: 'ws://localhost:9000/v1.0' }).last().url).toBe(
      'ws://localhost:9000/v1.0/ws?token=jwt-token',
    );
  });
});

describe('subscribeEvents: subscribing', () => {
  it('reports connecting, then open, and sends the subscribe message on open', () => {
    const { last, statuses, subscription } = setup();
    expect(statuses).toEqual([['connecting', { attempt: 0 }]]);
    expect(subscription.status).toBe('connecting');
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([subscribeFrame([TOPIC])]);
    expect(statuses.at(-1)).toEqual(['open', { attempt: 0 }]);
    expect(subscription.status).toBe('open');
  });

  it('adds topics: sent at once when open, only the new ones, and all of them after a reconnect', () => {
    const callTopic = `${TOPIC}:e2a65df2-4e50-4e37-8628-df07b3cec579`;
    const groupTopic = 'customer_id:5e4a0680-804e-11ec-8477-2fea5968d85b:groupcall';
    const { last, subscription } = setup();
    subscription.subscribe([callTopic]); // before open: goes with the first subscribe
    last().open();
    expect(last().sent).toEqual([subscribeFrame([TOPIC, callTopic])]);
    subscription.subscribe([groupTopic, TOPIC]);
    subscription.subscribe([groupTopic]);
    expect(last().sent).toEqual([subscribeFrame([TOPIC, callTopic]), subscribeFrame([groupTopic])]);
    last().drop();
    vi.runOnlyPendingTimers();
    last().open();
    expect(last().sent).toEqual([subscribeFrame([TOPIC, callTopic, groupTopic])]);
  });

  it('checks added topics and refuses them once closed', () => {
    const { subscription } = setup();
    expect(() => subscription.subscribe([])).toThrow(TypeError);
    expect(() => subscription.subscribe([''])).toThrow(TypeError);
    subscription.close();
    expect(() => subscription.subscribe([TOPIC])).toThrow('closed');
  });
});

describe('subscribeEvents: frames', () => {
  it('hands on both shapes, wrapped (legacy) and bare (new), normalised, and unknown events as they came', () => {
    const { last, events, errors } = setup();
    last().open();
    last().receive(JSON.stringify({ type: 'call_hangup', data: call }));
    last().receive(JSON.stringify(call));
    const conference = { id: 'a1b2c3d4-e5f6-7890-1234-567890abcdef', name: 'Weekly sync' };
    last().receive(JSON.stringify({ type: 'conference_created', data: conference }));
    expect(events).toEqual([
      { kind: 'call', type: 'call_hangup', data: normalisedCall },
      { kind: 'call', type: null, data: normalisedCall },
      { kind: 'unknown', type: 'conference_created', data: conference },
    ]);
    expect(normalisedCall).toMatchObject({ tm_delete: null, chained_call_ids: [] });
    expect(errors).toEqual([]);
  });

  it('reads binary frames: ArrayBuffer, Uint8Array (ws, Node Buffers) and Blob (browsers)', async () => {
    const { last, events, errors } = setup();
    last().open();
    const bytes = (n: number) => new TextEncoder().encode(JSON.stringify(callAt(n)));
    last().receive(bytes(1).buffer.slice(0));
    last().receive(bytes(2));
    last().receive(new Blob([JSON.stringify({ type: 'call_updated', data: callAt(3) })]));
    last().receive(JSON.stringify({ type: 'call_hangup', data: callAt(4) })); // waits for the Blob
    expect(events).toHaveLength(2);
    await vi.waitFor(() => expect(events).toHaveLength(4));
    expect(events.map((event) => event.type)).toEqual([null, null, 'call_updated', 'call_hangup']);
    expect(errors).toEqual([]);
  });

  it('reports a bad frame to onError, drops it and keeps the connection', () => {
    const { last, events, errors, subscription } = setup({ maxFrameBytes: 4096 });
    last().open();
    last().receive('not json {');
    last().receive(JSON.stringify({ status: 'hangup' }));
    last().receive('"é"'.padEnd(4097, ' '));
    last().receive(`"${'é'.repeat(2048)}"`); // 2050 characters, 4098 bytes
    last().receive(new Uint8Array(4097));
    last().receive(42);
    last().receive(JSON.stringify(call));
    expect(errors.map((error) => error.reason)).toEqual([
      'UNREADABLE_FRAME',
      'NOT_AN_EVENT',
      'FRAME_TOO_LARGE',
      'FRAME_TOO_LARGE',
      'FRAME_TOO_LARGE',
      'UNREADABLE_FRAME',
    ]);
    expect(errors.every((error) => error instanceof VoipbinEventError)).toBe(true);
    expect(errors[1]?.issues.length).toBeGreaterThan(0);
    expect(errors[1]?.message).toMatch(/^An event frame is not a VoIPBIN event; it was dropped\./);
    expect(events).toHaveLength(1);
    expect(last().closeCalls).toEqual([]);
    expect(subscription.status).toBe('open');
  });

  it('reads a frame of exactly maxFrameBytes bytes', () => {
    const frame = JSON.stringify(call);
    const { last, events, errors } = setup({
      maxFrameBytes: new TextEncoder().encode(frame).length,
    });
    last().open();
    last().receive(frame);
    expect(errors).toEqual([]);
    expect(events).toHaveLength(1);
  });
});

describe('subscribeEvents: reconnecting', () => {
  it('reconnects after a drop with a jittered delay, subscribes again and reports each step', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { last, sockets, statuses, subscription } = setup();
    last().open();
    last().drop(1006);
    expect(statuses.at(-1)).toEqual(['reconnecting', { attempt: 1, delayMs: 250, code: 1006 }]);
    expect(subscription.status).toBe('reconnecting');
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent).toEqual([subscribeFrame([TOPIC])]);
    expect(statuses.map(([status]) => status)).toEqual([
      'connecting',
      'open',
      'reconnecting',
      'open',
    ]);
    expect(statuses.at(-1)).toEqual(['open', { attempt: 1 }]);
    expect(sockets[0]?.listenerCount()).toBe(0);
  });

  it('waits longer after each failure, up to the cap (full jitter: 0 to the ceiling)', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    const { last, statuses } = setup({
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000, maxFailedConnections: Infinity },
    });
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      last().fail();
      const [status, info] = statuses.at(-1) ?? [];
      expect(status).toBe('reconnecting');
      expect(info?.attempt).toBe(i + 1);
      delays.push(info?.delayMs ?? -1);
      vi.runOnlyPendingTimers();
    }
    expect(delays).toEqual([99, 199, 399, 799, 999, 999, 999]);

    random.mockReturnValue(0);
    last().fail();
    expect(statuses.at(-1)?.[1].delayMs).toBe(0);
  });

  it('keeps every real jittered delay within [0, ceiling)', () => {
    const { last, statuses } = setup({ reconnect: { maxFailedConnections: Infinity } });
    for (let attempt = 1; attempt <= 12; attempt++) {
      last().fail();
      const info = statuses.at(-1)?.[1];
      const ceiling = Math.min(30_000, 500 * 2 ** (attempt - 1));
      expect(info?.delayMs).toBeGreaterThanOrEqual(0);
      expect(info?.delayMs).toBeLessThan(ceiling);
      vi.runOnlyPendingTimers();
    }
  });

  it('starts the backoff again after a connection delivered a frame or stayed open 10 s', () => {
    const { last, statuses } = setup();
    const attempt = () => statuses.at(-1)?.[1].attempt;
    last().fail();
    vi.runOnlyPendingTimers();
    last().open();
    last().drop(); // opened, but said nothing: not steady
    expect(attempt()).toBe(2);
    vi.runOnlyPendingTimers();
    last().open();
    last().receive(JSON.stringify(call));
    last().drop();
    expect(attempt()).toBe(1);
    vi.runOnlyPendingTimers();
    last().open();
    vi.advanceTimersByTime(10_000);
    last().drop();
    expect(attempt()).toBe(1);
  });

  it('gives up after maxAttempts attempts in a row: closed, nothing pending', () => {
    const { last, sockets, statuses, subscription } = setup({ reconnect: { maxAttempts: 2 } });
    last().fail();
    vi.runOnlyPendingTimers();
    last().fail();
    vi.runOnlyPendingTimers();
    last().fail();
    expect(sockets).toHaveLength(3);
    expect(statuses.at(-1)).toEqual(['closed', { attempt: 2, code: 1006 }]);
    expect(subscription.status).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(120_000);
    expect(sockets).toHaveLength(3);
  });

  it('does not reconnect with reconnect: false', () => {
    const { last, sockets, statuses } = setup({ reconnect: false });
    last().open();
    last().drop(1001);
    expect(statuses.at(-1)).toEqual(['closed', { attempt: 0, code: 1001 }]);
    expect(vi.getTimerCount()).toBe(0);
    expect(sockets).toHaveLength(1);
  });

  it('reports a refused topic (close 1008) once, and still reconnects with backoff', () => {
    const { last, sockets, errors, statuses } = setup();
    last().open();
    last().drop(1008);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'SUBSCRIPTION_REJECTED', closeCode: 1008 });
    expect(errors[0]?.message).toMatch(/1008 \(policy violation\): a topic was refused/);
    expect(statuses.at(-1)).toMatchObject(['reconnecting', { attempt: 1, code: 1008 }]);
    vi.runOnlyPendingTimers();
    last().open();
    last().drop(1008);
    expect(errors).toHaveLength(1);
    expect(statuses.at(-1)).toMatchObject(['reconnecting', { attempt: 2, code: 1008 }]);
    // A steady connection later refused again is reported again.
    vi.runOnlyPendingTimers();
    last().open();
    last().receive(JSON.stringify(call));
    last().drop(1008);
    expect(errors).toHaveLength(2);
    expect(sockets).toHaveLength(3);
    // ...but its backoff goes on growing: a server that sends an event, then refuses, is not
    // reconnected to at once, again and again.
    expect(statuses.at(-1)).toMatchObject(['reconnecting', { attempt: 3, code: 1008 }]);
  });

  it('starts the backoff over after a connection that carried an event, not after an error frame', () => {
    const { last, statuses } = setup();
    last().open();
    last().drop(1006);
    vi.runOnlyPendingTimers();
    last().open();
    last().receive('not json');
    last().drop(1006);
    expect(statuses.at(-1)).toMatchObject(['reconnecting', { attempt: 2 }]);
    vi.runOnlyPendingTimers();
    last().open();
    last().receive(JSON.stringify(call));
    last().drop(1006);
    expect(statuses.at(-1)).toMatchObject(['reconnecting', { attempt: 1 }]);
  });

  it('gives up after maxFailedConnections refused topics (dropped without a close frame, 1006): one SUBSCRIPTION_FAILED, closed', () => {
    const { last, sockets, errors, statuses, subscription } = setup({
      reconnect: { maxFailedConnections: 3 },
    });
    for (let i = 0; i < 3; i++) {
      if (i > 0) vi.runOnlyPendingTimers();
      last().open();
      expect(last().sent).toEqual([subscribeFrame([TOPIC])]);
      last().drop(1006); // VoIPBIN refuses the topic: ws.Close() without a close frame
    }
    expect(sockets).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(VoipbinEventError);
    expect(errors[0]).toMatchObject({ reason: 'SUBSCRIPTION_FAILED', closeCode: 1006 });
    expect(errors[0]?.message).toMatch(
      /^3 event socket connections in a row ended before any event/,
    );
    expect(errors[0]?.message).toMatch(/refused the subscription or is unreachable/);
    expect(errors[0]?.message).toMatch(/check the topics \(customer_id:<your customer id>/);
    expect(errors[0]?.message).toMatch(/and that the credential may read them/);
    expect(statuses.at(-1)).toEqual(['closed', { attempt: 2, code: 1006 }]);
    expect(subscription.status).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(600_000);
    expect(sockets).toHaveLength(3);
    expect(errors).toHaveLength(1);
  });

  it('gives up by default after 8 failed connections, opened or not (refused or unreachable)', () => {
    const { last, sockets, errors, statuses } = setup();
    for (let i = 0; i < 8; i++) {
      if (i > 0) vi.runOnlyPendingTimers();
      if (i % 2 === 0)
        last().fail({ message: 'connection refused' }); // never opened
      else {
        last().open();
        last().drop(1006);
      }
    }
    expect(sockets).toHaveLength(8);
    expect(errors.map((error) => error.reason)).toEqual([
      'CONNECTION_FAILED',
      'CONNECTION_FAILED',
      'CONNECTION_FAILED',
      'CONNECTION_FAILED',
      'SUBSCRIPTION_FAILED',
    ]);
    expect(statuses.at(-1)?.[0]).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts failed connections from the last that delivered an event or stayed open 10 s', () => {
    const { last, errors, subscription } = setup({ reconnect: { maxFailedConnections: 2 } });
    const refused = () => {
      last().open();
      last().drop(1006);
      vi.runOnlyPendingTimers();
    };
    refused();
    last().open();
    last().receive(JSON.stringify(call)); // a good connection: the count starts over
    last().drop(1006);
    vi.runOnlyPendingTimers();
    refused();
    last().open();
    vi.advanceTimersByTime(10_000); // steady without an event: starts over too
    last().drop(1006);
    vi.runOnlyPendingTimers();
    refused();
    expect(errors).toEqual([]);
    expect(subscription.status).toBe('reconnecting');
    last().open();
    vi.advanceTimersByTime(9_999); // not yet steady: a second failure in a row
    last().drop(1006);
    expect(errors.map((error) => error.reason)).toEqual(['SUBSCRIPTION_FAILED']);
    expect(subscription.status).toBe('closed');
  });

  it('a topic added later and refused ends it too: every reconnect subscribes to it again', () => {
    const bad = 'customer_id:00000000-0000-0000-0000-00000000beef:call';
    const { last, errors, subscription } = setup({ reconnect: { maxFailedConnections: 2 } });
    last().open();
    last().receive(JSON.stringify(call));
    subscription.subscribe([bad]);
    last().drop(1006); // the added topic is refused
    vi.runOnlyPendingTimers();
    last().open();
    expect(last().sent).toEqual([subscribeFrame([TOPIC, bad])]);
    last().drop(1006);
    expect(errors).toEqual([]);
    vi.runOnlyPendingTimers();
    last().open();
    last().drop(1006);
    expect(errors.map((error) => error.reason)).toEqual(['SUBSCRIPTION_FAILED']);
    expect(subscription.status).toBe('closed');
  });

  it('counts 1008 (older servers) as failed connections too: SUBSCRIPTION_REJECTED, then SUBSCRIPTION_FAILED', () => {
    const { last, errors, subscription } = setup({ reconnect: { maxFailedConnections: 2 } });
    last().open();
    last().drop(1008);
    vi.runOnlyPendingTimers();
    last().open();
    last().drop(1008);
    expect(errors.map((error) => [error.reason, error.closeCode])).toEqual([
      ['SUBSCRIPTION_REJECTED', 1008],
      ['SUBSCRIPTION_FAILED', 1008],
    ]);
    expect(subscription.status).toBe('closed');
  });

  it('retries for ever with maxFailedConnections: Infinity', () => {
    const { last, errors, subscription } = setup({
      reconnect: { maxFailedConnections: Infinity },
    });
    for (let i = 0; i < 50; i++) {
      last().open();
      last().drop(1006);
      vi.runOnlyPendingTimers();
    }
    expect(errors).toEqual([]);
    expect(subscription.status).toBe('reconnecting');
  });

  it('reports a connection error event, then reconnects', () => {
    const { last, sockets, errors } = setup();
    last().fail({ message: 'connection refused' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'CONNECTION_FAILED', closeCode: null });
    vi.runOnlyPendingTimers();
    expect(sockets).toHaveLength(2);
  });
});

describe('subscribeEvents: a frame published on two topics', () => {
  const CUSTOMER = 'customer_id:5e4a0680-804e-11ec-8477-2fea5968d85b';

  it('hands on a frame that arrives twice (broad topic: call:<id> and call:<type>:<id>) once', () => {
    const { last, events } = setup({ topics: [CUSTOMER] });
    last().open();
    const frame = JSON.stringify(callAt(1));
    last().receive(frame);
    last().receive(frame);
    const wrapped = JSON.stringify({ type: 'call_hangup', data: callAt(2) });
    last().receive(wrapped);
    last().receive(wrapped);
    expect(events.map((event) => [event.type, event.data])).toEqual([
      [null, { ...normalisedCall, tm_update: '2023-03-28T12:00:06.000Z' }],
      ['call_hangup', { ...normalisedCall, tm_update: '2023-03-28T12:00:07.000Z' }],
    ]);
  });

  it('hands on two updates of the same call, and the same time with another status', () => {
    const { last, events } = setup();
    last().open();
    last().receive(JSON.stringify(callAt(1)));
    last().receive(JSON.stringify(callAt(2)));
    last().receive(JSON.stringify({ ...callAt(2), status: 'terminating' }));
    expect(events.map((event) => (event.data as { status: string }).status)).toEqual([
      'hangup',
      'hangup',
      'terminating',
    ]);
  });

  it('drops the second copy of a new call (tm_create only), not another call created at once', () => {
    const { last, events } = setup();
    last().open();
    const created = { ...call, status: 'dialing', tm_hangup: undefined, tm_update: undefined };
    last().receive(JSON.stringify(created));
    last().receive(JSON.stringify(created));
    last().receive(JSON.stringify({ ...created, id: 'f3b76e03-5f61-4f48-9739-e018c4dfd68a' }));
    expect(events).toHaveLength(2);
  });

  it('hands on every frame without an id and a time (unknown resources)', () => {
    const { last, events } = setup();
    last().open();
    const frame = JSON.stringify({ type: 'conference_created', data: { name: 'Weekly sync' } });
    last().receive(frame);
    last().receive(frame);
    expect(events).toHaveLength(2);
  });

  it('keeps what it saw across a reconnect, per subscription', () => {
    const frame = JSON.stringify(callAt(1));
    const one = setup();
    const two = setup();
    one.last().open();
    two.last().open();
    one.last().receive(frame);
    two.last().receive(frame);
    one.last().drop();
    vi.runOnlyPendingTimers();
    one.last().open();
    one.last().receive(frame);
    expect(one.events).toHaveLength(1);
    expect(two.events).toHaveLength(1);
  });

  it('remembers only the last 512 events: 10,000 distinct frames, then an old one again', () => {
    const { last, events } = setup();
    last().open();
    for (let n = 0; n < 10_000; n++) last().receive(JSON.stringify(callAt(n)));
    expect(events).toHaveLength(10_000);
    last().receive(JSON.stringify(callAt(9_999))); // recent: dropped
    last().receive(JSON.stringify(callAt(0))); // long forgotten: handed on
    expect(events).toHaveLength(10_001);
  });
});

describe('subscribeEvents: closing', () => {
  it('close() while open: closes the socket, leaves no timer, no listener and no reconnect', async () => {
    const { last, sockets, statuses, subscription, events } = setup();
    last().open();
    subscription.close();
    expect(last().closeCalls).toEqual([1000]);
    expect(statuses.at(-1)).toEqual(['closed', { attempt: 0 }]);
    await flush(); // the socket's close event
    expect(last().listenerCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(120_000);
    expect(sockets).toHaveLength(1);
    last().receive(JSON.stringify(call));
    expect(events).toEqual([]);
    subscription.close();
    expect(statuses.filter(([status]) => status === 'closed')).toHaveLength(1);
  });

  it('close() while waiting to reconnect clears the timer', () => {
    const { last, sockets, subscription } = setup();
    last().fail();
    expect(vi.getTimerCount()).toBe(1);
    subscription.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(120_000);
    expect(sockets).toHaveLength(1);
  });

  it('close() while connecting swallows the socket error that follows, then lets go of it', async () => {
    const { last, errors, subscription } = setup();
    subscription.close();
    expect(last().closeCalls).toEqual([1000]);
    await flush(); // error, then close
    expect(errors).toEqual([]);
    expect(last().listenerCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an aborted signal closes it for good and its listener goes', async () => {
    const controller = new AbortController();
    const { last, sockets, statuses, subscription } = setup({ signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    last().open();
    last().drop();
    controller.abort();
    expect(subscription.status).toBe('closed');
    expect(statuses.at(-1)?.[0]).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    vi.advanceTimersByTime(120_000);
    expect(sockets).toHaveLength(1);
    expect(last().listenerCount()).toBe(0);
  });

  it('a signal aborted already opens nothing', () => {
    const { sockets, statuses, subscription } = setup({ signal: AbortSignal.abort() });
    expect(sockets).toEqual([]);
    expect(subscription.status).toBe('closed');
    expect(statuses).toEqual([['closed', { attempt: 0 }]]);
  });

  it('may be closed from its own callbacks: nothing is sent or scheduled after', () => {
    const holder: { subscription?: EventSubscription } = {};
    const { last, subscription } = setup({
      onStatus: (status) => {
        if (status === 'open') holder.subscription?.close();
      },
    });
    holder.subscription = subscription;
    last().open();
    expect(last().sent).toEqual([]);
    expect(subscription.status).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('subscribeEvents: no credential or URL in errors', () => {
  const CANARY = 'canary-S3cr3t/t0ken+x';

  function expectClean(error: unknown) {
    const texts: string[] = [];
    for (let e = error, depth = 0; e !== undefined && depth < 10; depth++) {
      texts.push(String(e));
      if (e instanceof Error) {
        texts.push(e.message, e.stack ?? '');
        if ('toJSON' in e && typeof e.toJSON === 'function') texts.push(JSON.stringify(e.toJSON()));
        e = e.cause;
      } else break;
    }
    const all = texts.join('\n');
    for (const secret of [CANARY, encodeURIComponent(CANARY), 'api.voipbin.net/v1.0/ws']) {
      expect(all).not.toContain(secret);
    }
  }

  it('a throwing WebSocket constructor: reported without them, and final', () => {
    const errors: VoipbinEventError[] = [];
    const statuses: EventSocketStatus[] = [];
    const Throwing = class {
      constructor(url: string) {
        throw new SyntaxError(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`, {
          cause: new Error(`token ${CANARY} at ${url}`),
        });
      }
    } as unknown as WebSocketConstructor;
    subscribeEvents({
      token: CANARY,
      topics: [TOPIC],
      WebSocket: Throwing,
      onEvent: () => {},
      onError: (error) => errors.push(error),
      onStatus: (status) => statuses.push(status),
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: 'CONNECTION_FAILED' });
    expect(errors[0]?.cause).toBeInstanceOf(Error);
    expectClean(errors[0]);
    expect(statuses).toEqual(['connecting', 'closed']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an error event quoting the URL and the key (as ws and undici do): reported without them', () => {
    const { last, errors } = setup({ token: undefined, accessKey: CANARY });
    const url = last().url;
    expect(url).toContain(encodeURIComponent(CANARY));
    last().fail({
      message: `connect ECONNREFUSED ${url}`,
      error: new Error(`Unexpected server response: 401 (${url})`, {
        cause: new Error(`accesskey ${CANARY}`),
      }),
    });
    expect(errors).toHaveLength(1);
    vi.runOnlyPendingTimers();
    last().fail({ message: `getaddrinfo ENOTFOUND ${url}` });
    expect(errors).toHaveLength(2);
    for (const error of errors) expectClean(error);
  });

  it('validation errors do not quote the credential or the base URL', () => {
    const attempts: Partial<SubscribeEventsOptions>[] = [
      { accessKey: CANARY, token: CANARY },
      { token: CANARY, baseURL: `ftp://${CANARY}@api.voipbin.net/v1.0` },
      { token: CANARY, topics: [] },
    ];
    for (const options of attempts) {
      try {
        subscribeEvents({ topics: [TOPIC], onEvent: () => {}, ...options });
        expect.unreachable();
      } catch (error) {
        expectClean(error);
      }
    }
  });
});

describe('subscribeEvents: options are checked first', () => {
  const WebSocket = FakeSocket as unknown as WebSocketConstructor;
  const base = { token: 'jwt-token', topics: [TOPIC], WebSocket, onEvent: () => {} };

  it.each<[string, Partial<SubscribeEventsOptions>, RegExp]>([
    ['no topics', { topics: [] }, /at least one topic/],
    ['topics not an array', { topics: TOPIC as unknown as string[] }, /at least one topic/],
    ['an empty topic', { topics: [TOPIC, ' '] }, /non-empty string/],
    ['a topic not a string', { topics: [42 as unknown as string] }, /non-empty string/],
    ['both credentials', { accessKey: 'key' }, /exactly one of `accessKey` and `token`/],
    ['no credential', { token: undefined }, /exactly one of `accessKey` and `token`/],
    ['an empty token', { token: '' }, /non-empty string/],
    ['a base URL that is no URL', { baseURL: 'api.voipbin.net' }, /`baseURL` must be/],
    ['a base URL of another scheme', { baseURL: 'ftp://api.voipbin.net' }, /`baseURL` must be/],
    ['no onEvent', { onEvent: undefined as never }, /`onEvent`/],
    ['maxFrameBytes 0', { maxFrameBytes: 0 }, /`maxFrameBytes`/],
    ['a negative delay', { reconnect: { initialDelayMs: -1 } }, /`reconnect.initialDelayMs`/],
    [
      'a cap under the first delay',
      { reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } },
      /`reconnect.maxDelayMs`/,
    ],
    ['half an attempt', { reconnect: { maxAttempts: 1.5 } }, /`reconnect.maxAttempts`/],
    [
      'no failed connection allowed',
      { reconnect: { maxFailedConnections: 0 } },
      /`reconnect.maxFailedConnections`/,
    ],
    [
      'a fraction of failed connections',
      { reconnect: { maxFailedConnections: 2.5 } },
      /`reconnect.maxFailedConnections`/,
    ],
  ])('%s: TypeError', (_, options, message) => {
    expect(() => subscribeEvents({ ...base, ...options })).toThrow(TypeError);
    expect(() => subscribeEvents({ ...base, ...options })).toThrow(message);
  });

  it('no WebSocket anywhere: says to pass one, e.g. undici on Node 20', () => {
    vi.stubGlobal('WebSocket', undefined);
    expect(() => subscribeEvents({ ...base, WebSocket: undefined })).toThrow(
      /pass one as `WebSocket` \(on Node 20: `import \{ WebSocket \} from 'undici'`\)/,
    );
  });

  it('uses the global WebSocket when none is passed', () => {
    const made: string[] = [];
    vi.stubGlobal(
      'WebSocket',
      class extends FakeSocket {
        constructor(url: string) {
          super(url);
          made.push(url);
        }
      },
    );
    subscribeEvents({ ...base, WebSocket: undefined }).close();
    expect(made).toEqual(['wss://api.voipbin.net/v1.0/ws?token=jwt-token']);
  });

  it('takes the platform WebSocket class as it is typed', () => {
    const typed: WebSocketConstructor | undefined = undefined as
      | typeof globalThis.WebSocket
      | undefined;
    expect(typed).toBeUndefined();
  });
});
