/**
 * VoIPBIN's event WebSocket (`/v1.0/ws`), read with raw WebSockets only: the emulator's
 * in-memory one (`emulator.WebSocket`) and, over real HTTP on Node, undici's (the WHATWG API
 * both share) and the `ws` client (to read a refused handshake's answer). As VoIPBIN's Go
 * (bin-api-manager pkg/websockhandler, pkg/subscribehandler, pkg/pubsubhandler): a client
 * subscribes to topics `customer_id:<id>[:...]` matched by prefix; each event is published on
 * `customer_id:<id>:call:<call-id>` and `customer_id:<id>:call:<type>:<call-id>`, so a broad
 * topic gets each frame twice; frames are the bare call (or `{ type, data }`, older servers');
 * a topic it may not see ends the socket with no close frame (1006).
 */
import { CALL_EVENT_TYPES, CallSchema, EventSchema } from '@voipbin-kit/core';
import { WebSocket as UndiciWebSocket } from 'undici';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import {
  createEmulator,
  DEFAULT_CUSTOMER_ID,
  type Emulator,
  type EmulatorEvent,
  type EmulatorOptions,
  type WsFrames,
} from '../src/index.ts';
import { listen, type RunningEmulator } from '../src/node.ts';
import { type SocketEvent, SocketHub, type SocketPeer, uuidOf } from '../src/sockets.ts';
import { conforming } from './support/conforming.ts';
import { type QuickstartRequest, quickstartRequests } from './support/quickstart.ts';

const [manual] = quickstartRequests() as [QuickstartRequest];
const CUSTOMER = DEFAULT_CUSTOMER_ID;
const OTHER = 'c0c0c0c0-9999-4999-8999-000000000009';
const CUSTOMER_TOPIC = `customer_id:${CUSTOMER}:call`;
const WS_URL = 'ws://emulator.test/v1.0/ws?token=socket-test-token';

/** The WHATWG subset both sockets share (the one core's event client will take). */
interface RawSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string; wasClean: boolean }) => void,
  ): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}

interface Received {
  socket: RawSocket;
  /** Every text frame, parsed. */
  frames: Record<string, unknown>[];
  /** The events fired, in order: `open`, `message`, `error`, `close`. */
  fired: string[];
  close?: { code: number; reason: string; wasClean: boolean };
  opened: Promise<void>;
  ended: Promise<void>;
}

/** Records what a socket receives. */
function record(socket: RawSocket): Received {
  const received: Received = {
    socket,
    frames: [],
    fired: [],
    opened: new Promise((resolve) => socket.addEventListener('open', () => resolve())),
    ended: new Promise((resolve) => socket.addEventListener('close', () => resolve())),
  };
  socket.addEventListener('open', () => received.fired.push('open'));
  socket.addEventListener('error', () => received.fired.push('error'));
  socket.addEventListener('message', (event: { data: unknown }) => {
    received.fired.push('message');
    received.frames.push(JSON.parse(String(event.data)));
  });
  socket.addEventListener('close', (event: { code: number; reason: string; wasClean: boolean }) => {
    received.fired.push('close');
    received.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
  });
  return received;
}

/** An open in-memory socket subscribed to `topics`. */
async function subscribed(emulator: Emulator, topics: string[], url = WS_URL) {
  const received = record(new emulator.WebSocket(url));
  await received.opened;
  received.socket.send(JSON.stringify({ type: 'subscribe', topics }));
  return received;
}

/** Lets every queued event (microtasks and one macrotask turn) be delivered. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Waits until `done()` holds, at most `ms` real milliseconds. */
async function until(done: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Places the quickstart's call ("manual actions") as its curl does, through `fetch`. */
async function placeQuickstart(
  fetch: (input: string, init: RequestInit) => Promise<Response>,
  root = 'http://emulator.test/v1.0',
): Promise<string> {
  const response = await fetch(`${root}/calls${manual.url.search}`, {
    method: manual.method,
    headers: manual.headers,
    body: manual.body,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { calls: { id: string }[] }).calls[0]?.id as string;
}

/** Runs the clock through a whole call (1 s steps), sending every event. */
function runToEnd(emulator: Emulator) {
  for (let i = 0; i < 120; i++) emulator.advance(1_000);
}

/** A frame as core reads it: the call, and the event type when the frame is wrapped. */
function read(frame: Record<string, unknown>) {
  const event = v.parse(EventSchema, frame);
  expect(event.kind).toBe('call');
  const data = 'data' in frame ? frame.data : frame;
  // Core's CallSchema, as conformance tests use for answers.
  const call = v.parse(CallSchema, data);
  return { wrapped: 'data' in frame, type: event.type, call };
}

function emulatorWith(options: EmulatorOptions = {}) {
  return conforming(createEmulator(options));
}

describe('the in-memory WebSocket', () => {
  it.each<[WsFrames]>([['wrapped'], ['bare'], ['mixed']])(
    'pushes the call events in order, %s, to the customer topic and to one call topic',
    async (wsFrames) => {
      const emulator = emulatorWith({ wsFrames });
      const events: EmulatorEvent[] = [];
      emulator.subscribe((event) => events.push(event));

      const customer = await subscribed(emulator, [CUSTOMER_TOPIC]);
      const id = await placeQuickstart(emulator.fetch);
      const oneCall = await subscribed(emulator, [`${CUSTOMER_TOPIC}:${id}`]);
      runToEnd(emulator);
      await settle();

      expect(events.at(-1)?.type).toBe('call_hangup');
      // Every event of the call, in order, to the customer topic (created included), twice:
      // once for its call topic, once for its type's topic, both of which the topic starts.
      const twice = events.flatMap((event) => [event, event]);
      expect(customer.frames).toHaveLength(2 * events.length);
      // From ringing on to the call's topic, once: it was subscribed once the call was placed,
      // and it starts the call topic only.
      expect(oneCall.frames).toHaveLength(events.length - 1);
      for (const [socket, expected] of [
        [customer, twice],
        [oneCall, events.slice(1)],
      ] as const) {
        const frames = socket.frames.map(read);
        expect(frames.map((f) => f.call.id)).toEqual(expected.map(() => id));
        expect(frames.map((f) => f.call.status)).toEqual(expected.map((e) => e.data.status));
        expect(frames.map((f) => f.call.tm_update)).toEqual(
          expected.map((e) => v.parse(CallSchema, e.data).tm_update),
        );
        const shapes = frames.map((f) => f.wrapped);
        const want =
          wsFrames === 'mixed'
            ? expected.map((_, i) => i % 2 === 0)
            : expected.map(() => wsFrames === 'wrapped');
        expect(shapes).toEqual(want);
        // A wrapped frame is exactly the event; a bare one, exactly its call.
        socket.frames.forEach((frame, i) => {
          const event = expected[i] as EmulatorEvent;
          expect(frame).toEqual(JSON.parse(JSON.stringify(shapes[i] ? event : event.data)));
        });
      }
      expect(oneCall.frames.map((f) => read(f).call.status)).toEqual(
        expect.arrayContaining(['ringing', 'progressing', 'hangup']),
      );
      expect(read(oneCall.frames[0] as Record<string, unknown>).call.status).toBe('ringing');
      expect(read(oneCall.frames.at(-1) as Record<string, unknown>).call.status).toBe('hangup');
      expect(emulator.stats().sockets).toBe(2);
    },
  );

  it('matches topics by prefix: one frame per published topic a socket topic starts', async () => {
    const emulator = emulatorWith({ wsFrames: 'wrapped' });
    const id = await placeQuickstart(emulator.fetch);
    const other = await placeQuickstart(emulator.fetch);
    const both = await subscribed(emulator, [CUSTOMER_TOPIC, `${CUSTOMER_TOPIC}:${id}`]);
    const prefix = await subscribed(emulator, [`${CUSTOMER_TOPIC}:${id.slice(0, 8)}`]);
    const otherCall = await subscribed(emulator, [`${CUSTOMER_TOPIC}:${other}`]);
    const queues = await subscribed(emulator, [`customer_id:${CUSTOMER}:queue`]);
    const typed = await subscribed(emulator, [`${CUSTOMER_TOPIC}:call_ringing:${id}`]);
    const callAndTyped = await subscribed(emulator, [
      `${CUSTOMER_TOPIC}:${id}`,
      `${CUSTOMER_TOPIC}:call_ringing:${id}`,
    ]);
    emulator.advance(1_000);
    await settle();

    const ringing = (r: Received) =>
      r.frames.map((f) => `${f.type} ${(f.data as { id: string }).id}`).sort();
    // Two of its topics start the first call's call topic: that one is sent once; the type's
    // topic is the second frame.
    expect(ringing(both)).toEqual(
      [
        `call_ringing ${id}`,
        `call_ringing ${id}`,
        `call_ringing ${other}`,
        `call_ringing ${other}`,
      ].sort(),
    );
    expect(ringing(prefix)).toEqual(
      id.slice(0, 8) === other.slice(0, 8)
        ? expect.arrayContaining([`call_ringing ${id}`])
        : [`call_ringing ${id}`],
    );
    expect(ringing(otherCall)).toEqual([`call_ringing ${other}`]);
    expect(queues.frames).toEqual([]);
    expect(ringing(typed)).toEqual([`call_ringing ${id}`]);
    // Each published topic is started by one of its topics: twice.
    expect(ringing(callAndTyped)).toEqual([`call_ringing ${id}`, `call_ringing ${id}`]);
  });

  it('unsubscribe stops a topic', async () => {
    const emulator = emulatorWith({ wsFrames: 'bare' });
    const socket = await subscribed(emulator, [CUSTOMER_TOPIC]);
    await placeQuickstart(emulator.fetch);
    await settle();
    expect(socket.frames).toHaveLength(2);
    socket.socket.send(JSON.stringify({ type: 'unsubscribe', topics: [CUSTOMER_TOPIC] }));
    runToEnd(emulator);
    await settle();
    expect(socket.frames).toHaveLength(2);
    expect(socket.socket.readyState).toBe(1);
  });

  it.each([
    ['another customer', `customer_id:${OTHER}:call`],
    ['another customer, two parts', `customer_id:${OTHER}`],
    ['a malformed topic', 'calls'],
    ['an empty topic', ''],
    ['an id that is not a UUID', 'customer_id:me:call'],
    ['the nil UUID', 'customer_id:00000000-0000-0000-0000-000000000000'],
    ['another scope', `flow_id:${CUSTOMER}:call`],
    ['an agent topic (an access key or token of no agent)', `agent_id:${OTHER}:agent`],
  ])(
    'a topic of %s ends the socket with no close frame (1006), and nothing is sent to it',
    async (_what, topic) => {
      const emulator = emulatorWith({
        credentials: { mine: CUSTOMER, theirs: OTHER },
        wsFrames: 'wrapped',
      });
      const socket = await subscribed(
        emulator,
        [`customer_id:${CUSTOMER}:call`, topic],
        'ws://emulator.test/v1.0/ws?token=mine',
      );
      expect(emulator.sockets.count).toBe(0);
      await fetchAs(emulator, 'mine');
      await fetchAs(emulator, 'theirs');
      runToEnd(emulator);
      await socket.ended;
      await settle();
      expect(socket.close).toEqual({ code: 1006, reason: '', wasClean: false });
      expect(socket.frames).toEqual([]);
      expect(socket.fired).toEqual(['open', 'close']);
      expect(socket.socket.readyState).toBe(3);
    },
  );

  it('text that is not a subscribe message is ignored: the socket stays open', async () => {
    const emulator = emulatorWith();
    const socket = record(new emulator.WebSocket(WS_URL));
    await socket.opened;
    for (const text of [
      'subscribe please',
      '[]',
      '42',
      'null',
      '{"type":1,"topics":["calls"]}',
      '{"type":"subscribe","topics":"calls"}',
      `{"type":"subscribe","topics":[1,"${CUSTOMER_TOPIC}"]}`,
      // A type other than subscribe and unsubscribe, of topics that pass: nothing.
      JSON.stringify({ type: 'ping', topics: [CUSTOMER_TOPIC] }),
      JSON.stringify({ type: 'SUBSCRIBE', topics: [CUSTOMER_TOPIC] }),
      JSON.stringify({ type: 'ping' }),
      JSON.stringify({}),
    ]) {
      socket.socket.send(text);
    }
    await placeQuickstart(emulator.fetch);
    await settle();
    expect(socket.socket.readyState).toBe(1);
    expect(socket.frames).toEqual([]);
    // Go's JSON reads the keys whatever their case.
    socket.socket.send(JSON.stringify({ TYPE: 'subscribe', Topics: [CUSTOMER_TOPIC] }));
    emulator.advance(1_000);
    await settle();
    expect(socket.frames.map((f) => f.status)).toEqual(['ringing', 'ringing']);
    expect(emulator.sockets.count).toBe(1);
  });

  it.each([
    ['a type it does not know, of a topic that fails', { type: 'ping', topics: ['calls'] }],
    [
      'an unsubscribe of a topic that fails',
      { type: 'unsubscribe', topics: [`customer_id:${OTHER}`] },
    ],
    ['a null topic (read as "")', { type: 'subscribe', topics: [CUSTOMER_TOPIC, null] }],
  ])(
    '%s ends the socket (1006): the topics are checked whatever the type',
    async (_what, message) => {
      const emulator = emulatorWith();
      const socket = record(new emulator.WebSocket(WS_URL));
      await socket.opened;
      socket.socket.send(JSON.stringify(message));
      await socket.ended;
      expect(socket.close).toEqual({ code: 1006, reason: '', wasClean: false });
      expect(emulator.sockets.count).toBe(0);
    },
  );

  it('a binary frame ends the socket (1006): VoIPBIN reads text frames only', async () => {
    const emulator = emulatorWith();
    const socket = record(new emulator.WebSocket(WS_URL));
    await socket.opened;
    (socket.socket as unknown as { send(data: Uint8Array): void }).send(
      new TextEncoder().encode(JSON.stringify({ type: 'subscribe', topics: [CUSTOMER_TOPIC] })),
    );
    await socket.ended;
    expect(socket.close).toEqual({ code: 1006, reason: '', wasClean: false });
  });

  it('accepts a topic of the customer with any number of parts', async () => {
    const emulator = emulatorWith({ wsFrames: 'wrapped' });
    const id = await placeQuickstart(emulator.fetch);
    const whole = await subscribed(emulator, [`customer_id:${CUSTOMER}`]);
    const hangups = await subscribed(emulator, [`${CUSTOMER_TOPIC}:call_hangup`]);
    const itsHangup = await subscribed(emulator, [`${CUSTOMER_TOPIC}:call_hangup:${id}`]);
    const deeper = await subscribed(emulator, [`${CUSTOMER_TOPIC}:call_hangup:${id}:more`]);
    // The docs' wildcard is no wildcard: the topic is taken, and starts no topic.
    const wildcard = await subscribed(emulator, [`${CUSTOMER_TOPIC}:*`]);
    // The id is read as a UUID, so another spelling passes; topics are matched as text, so it
    // starts none of them.
    const upper = await subscribed(emulator, [`customer_id:${CUSTOMER.toUpperCase()}:call`]);
    const braced = await subscribed(emulator, [`customer_id:{${CUSTOMER}}`]);
    const events: string[] = [];
    emulator.subscribe((event) => events.push(event.type));
    runToEnd(emulator);
    await settle();

    expect(events.at(-1)).toBe('call_hangup');
    for (const socket of [whole, hangups, itsHangup, deeper, wildcard, upper, braced]) {
      expect(socket.socket.readyState).toBe(1);
    }
    expect(whole.frames.map((f) => f.type)).toEqual(events.flatMap((type) => [type, type]));
    expect(hangups.frames.map((f) => f.type)).toEqual(['call_hangup']);
    expect(itsHangup.frames.map((f) => f.type)).toEqual(['call_hangup']);
    for (const socket of [deeper, wildcard, upper, braced]) expect(socket.frames).toEqual([]);
  });

  it.each([
    ['an unknown token', 'ws://emulator.test/v1.0/ws?token=wrong'],
    ['no credential', 'ws://emulator.test/v1.0/ws'],
    ['another path', 'ws://emulator.test/v1.0/events?token=mine'],
  ])(
    'refuses %s as a browser sees a refused handshake: error, then close 1006',
    async (_what, url) => {
      const emulator = emulatorWith({ credentials: { mine: CUSTOMER } });
      const socket = record(new emulator.WebSocket(url));
      expect(socket.socket.readyState).toBe(0);
      await socket.ended;
      expect(socket.fired).toEqual(['error', 'close']);
      expect(socket.close).toEqual({ code: 1006, reason: '', wasClean: false });
      expect(socket.socket.readyState).toBe(3);
      expect(emulator.sockets.count).toBe(0);
    },
  );

  it('accepts the access key, and a URL of any host, http(s) read as ws(s)', async () => {
    const emulator = emulatorWith({ credentials: { key: CUSTOMER } });
    for (const url of [
      'wss://api.voipbin.net/v1.0/ws?accesskey=key',
      'http://localhost:1/v1.0/ws/?accesskey=key',
    ]) {
      const socket = record(new emulator.WebSocket(url));
      await socket.opened;
      expect(socket.socket.readyState).toBe(1);
    }
    expect(emulator.sockets.count).toBe(2);
    const ws = new emulator.WebSocket('https://x/v1.0/ws?accesskey=key');
    expect(ws.url).toBe('wss://x/v1.0/ws?accesskey=key');
    expect(() => new emulator.WebSocket('ftp://x/v1.0/ws')).toThrow(/ws: or wss:/);
    expect(() => new emulator.WebSocket('not a url')).toThrow(DOMException);
  });

  it('fires its events asynchronously, never inside the constructor or send', async () => {
    const emulator = emulatorWith({ wsFrames: 'bare' });
    // The constructor core's event client takes (checked by the type checker).
    const _injectable: new (
      url: string,
    ) => Omit<RawSocket, 'removeEventListener'> & {
      removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
    } = emulator.WebSocket;
    const fired: string[] = [];
    const ws = new emulator.WebSocket(WS_URL);
    ws.onopen = () => fired.push('open');
    ws.onmessage = (event) => fired.push(`message ${JSON.parse(event.data).status}`);
    ws.onclose = (event) => fired.push(`close ${event.code} ${event.reason} ${event.wasClean}`);
    ws.onerror = () => fired.push('error');
    expect(ws.readyState).toBe(ws.CONNECTING);
    expect(() => ws.send('{}')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    expect(fired).toEqual([]);
    await settle();
    expect(fired).toEqual(['open']);
    expect(ws.readyState).toBe(emulator.WebSocket.OPEN);

    ws.send(JSON.stringify({ type: 'subscribe', topics: [CUSTOMER_TOPIC] }));
    await placeQuickstart(emulator.fetch);
    await settle();
    const dialing = ['open', 'message dialing', 'message dialing'];
    expect(fired).toEqual(dialing);
    emulator.advance(1_000);
    expect(fired).toEqual(dialing);
    await settle();
    const ringing = [...dialing, 'message ringing', 'message ringing'];
    expect(fired).toEqual(ringing);

    // A listener removed hears nothing more; a handler set to null neither.
    const heard: string[] = [];
    const listener = () => heard.push('message');
    ws.addEventListener('message', listener);
    ws.removeEventListener('message', listener);
    ws.onmessage = null;
    emulator.advance(3_000);
    await settle();
    expect(heard).toEqual([]);
    expect(fired).toEqual(ringing);

    expect(() => ws.close(1001)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    ws.close(1000, 'bye');
    expect(ws.readyState).toBe(ws.CLOSING);
    expect(emulator.sockets.count).toBe(0);
    await settle();
    expect(fired.at(-1)).toBe('close 1000 bye true');
    expect(ws.readyState).toBe(ws.CLOSED);
    expect(emulator.stats().sockets).toBe(0);
  });

  it('close() while connecting fails the connection: error, then close 1006', async () => {
    const emulator = emulatorWith();
    const socket = record(new emulator.WebSocket(WS_URL));
    socket.socket.close();
    await socket.ended;
    expect(socket.fired).toEqual(['error', 'close']);
    expect(socket.close?.code).toBe(1006);
    expect(emulator.sockets.count).toBe(0);
  });

  it('drop() closes every socket abnormally; events missed meanwhile are not replayed', async () => {
    const emulator = emulatorWith({ wsFrames: 'wrapped' });
    const first = await subscribed(emulator, [CUSTOMER_TOPIC]);
    const second = await subscribed(emulator, [CUSTOMER_TOPIC]);
    await placeQuickstart(emulator.fetch);
    expect(emulator.sockets.count).toBe(2);

    expect(emulator.sockets.drop()).toBe(2);
    expect(emulator.sockets.count).toBe(0);
    emulator.advance(1_000); // ringing, while disconnected
    await Promise.all([first.ended, second.ended]);
    for (const socket of [first, second]) {
      expect(socket.close).toEqual({ code: 1006, reason: '', wasClean: false });
      expect(socket.fired).toEqual(['open', 'message', 'message', 'close']);
      expect(socket.frames.map((f) => f.type)).toEqual(['call_created', 'call_created']);
    }

    // The client reconnects and subscribes again: it hears what happens from then on.
    const again = await subscribed(emulator, [CUSTOMER_TOPIC]);
    emulator.advance(3_000);
    await settle();
    expect(again.frames.map((f) => f.type)[0]).toBe('call_progressing');
    expect(again.frames.map((f) => f.type)).not.toContain('call_ringing');
    again.socket.close();
    await again.ended;
    expect(again.close).toEqual({ code: 1005, reason: '', wasClean: true });
    expect(emulator.sockets.count).toBe(0);
  });

  it('frames are bare by default; sockets.frames changes them from then on', async () => {
    const emulator = emulatorWith();
    expect(emulator.sockets.frames).toBe('bare');
    const socket = await subscribed(emulator, [CUSTOMER_TOPIC]);
    await placeQuickstart(emulator.fetch);
    emulator.sockets.frames = 'wrapped';
    emulator.advance(1_000);
    await settle();
    expect(socket.frames.map((f) => read(f).wrapped)).toEqual([false, false, true, true]);
    expect(() => {
      emulator.sockets.frames = 'both' as WsFrames;
    }).toThrow(TypeError);
    expect(() => createEmulator({ wsFrames: 'json' as WsFrames })).toThrow(TypeError);
  });
});

describe('the hub, as VoIPBIN routes an event', () => {
  const AGENT = 'a9e7a1e2-0000-4000-8000-00000000000a';
  const CALL = 'ca11ca11-0000-4000-8000-000000000001';

  /** A hub whose credentials act as the customer, and `agent` as agent AGENT. */
  function hub(frames?: 'wrapped') {
    return new SocketHub(frames, (_request, url) =>
      url.searchParams.get('token') === 'agent'
        ? { customerId: CUSTOMER, agentId: AGENT }
        : CUSTOMER,
    );
  }

  /** A socket of the hub recording what it is sent, and how it ended. */
  function peer(sockets: SocketHub, agentId?: string) {
    const seen = { frames: [] as unknown[], ended: '' };
    const end: SocketPeer = {
      send: (text) => seen.frames.push(JSON.parse(text)),
      close: (code) => {
        seen.ended = `close ${code}`;
      },
      drop: () => {
        seen.ended = 'drop';
      },
    };
    const connection = sockets.attach(CUSTOMER, end, agentId);
    const send = (type: string, topics: string[]) =>
      connection.receive(JSON.stringify({ type, topics }));
    return { seen, send, connection };
  }

  const event = (type: string, data: Record<string, unknown> = {}): SocketEvent => ({
    type,
    data: {
      id: CALL,
      customer_id: CUSTOMER,
      owner_id: '00000000-0000-0000-0000-000000000000',
      ...data,
    },
  });

  it('the default frames are bare; an invalid shape is refused', () => {
    expect(hub().frames).toBe('bare');
    expect(() => new SocketHub('json' as WsFrames, () => CUSTOMER)).toThrow(TypeError);
  });

  it('accept() gives the identity of the credential, agent included', () => {
    const sockets = hub();
    expect(sockets.accept(new Request('http://x/v1.0/ws?token=agent'))).toEqual({
      customerId: CUSTOMER,
      agentId: AGENT,
    });
    expect(sockets.accept(new Request('http://x/v1.0/ws?token=key'))).toEqual({
      customerId: CUSTOMER,
    });
  });

  it('passes any event type through as published; a type with no "_" is not published', () => {
    const sockets = hub('wrapped');
    const socket = peer(sockets);
    socket.send('subscribe', [`customer_id:${CUSTOMER}:call`]);
    // VoIPBIN's eight (core pins them to cm models/call/event.go), one it may add, one it cannot.
    for (const type of [...CALL_EVENT_TYPES, 'call_something_new', 'nounderscore']) {
      sockets.publish(event(type));
    }
    const types = socket.seen.frames.map((f) => (f as { type: string }).type);
    expect(types).toEqual(
      [...CALL_EVENT_TYPES, 'call_something_new'].flatMap((type) => [type, type]),
    );
  });

  it('an event with an id field that is not a UUID is not published', () => {
    const sockets = hub();
    const socket = peer(sockets);
    socket.send('subscribe', [`customer_id:${CUSTOMER}`]);
    sockets.publish(event('call_ringing', { owner_id: 'nobody' }));
    sockets.publish(event('call_ringing', { id: 42 }));
    expect(socket.seen.frames).toEqual([]);
  });

  it('an agent topic of its own agent is accepted and gets the calls it owns', () => {
    const sockets = hub();
    const agent = peer(sockets, AGENT);
    agent.send('subscribe', [`agent_id:${AGENT}`]);
    const keyless = peer(sockets);
    keyless.send('subscribe', [`agent_id:${AGENT}`]);
    expect(keyless.seen.ended).toBe('drop');
    expect(agent.seen.ended).toBe('');

    sockets.publish(event('call_ringing'));
    expect(agent.seen.frames).toEqual([]);
    sockets.publish(event('call_ringing', { owner_type: 'agent', owner_id: AGENT }));
    // Its call topic and its type's topic.
    expect(agent.seen.frames).toHaveLength(2);
  });

  it('an owned call is published once per scope held: a customer topic then gets it 4 times', () => {
    const sockets = hub();
    const customer = peer(sockets);
    customer.send('subscribe', [`customer_id:${CUSTOMER}`]);
    const owned = event('call_ringing', { owner_type: 'agent', owner_id: AGENT });
    sockets.publish(owned);
    // Only the customer scope is bound: webhook-manager's customer message reaches the pod.
    expect(customer.seen.frames).toHaveLength(2);
    // Another socket binds the agent scope: its message reaches the pod too, and each is
    // published on all four topics.
    const agent = peer(sockets, AGENT);
    agent.send('subscribe', [`agent_id:${AGENT}:call`]);
    sockets.publish(owned);
    expect(customer.seen.frames).toHaveLength(2 + 4);
    expect(agent.seen.frames).toHaveLength(4);
    // Once the agent's socket is gone, the agent scope is no longer bound.
    agent.connection.closed();
    sockets.publish(owned);
    expect(customer.seen.frames).toHaveLength(2 + 4 + 2);
  });

  it('an unsubscribe releases the scope for the whole pod, even of a topic never subscribed', () => {
    // VoIPBIN's scopeRefCount counts subscriptions per pod: a second socket's unsubscribe takes
    // the first's hold on the scope away, and the events of the scope stop reaching the pod.
    const sockets = hub();
    const first = peer(sockets);
    first.send('subscribe', [`customer_id:${CUSTOMER}:call`]);
    const second = peer(sockets);
    second.send('unsubscribe', [`customer_id:${CUSTOMER}:call:${CALL}`]);
    sockets.publish(event('call_ringing'));
    expect(first.seen.frames).toEqual([]);
    // Subscribing again (any socket, any topic of the scope) binds it again.
    second.send('subscribe', [`customer_id:${CUSTOMER}:queue`]);
    sockets.publish(event('call_ringing'));
    expect(first.seen.frames).toHaveLength(2);
  });

  it('a subscribe twice holds the scope twice; one unsubscribe leaves it held', () => {
    const sockets = hub();
    const socket = peer(sockets);
    socket.send('subscribe', [`customer_id:${CUSTOMER}:call`]);
    socket.send('subscribe', [`customer_id:${CUSTOMER}:call`]);
    socket.send('unsubscribe', [`customer_id:${CUSTOMER}:call`]);
    const other = peer(sockets);
    other.send('subscribe', [`customer_id:${CUSTOMER}:call`]);
    other.send('unsubscribe', [`customer_id:${CUSTOMER}:queue`]);
    sockets.publish(event('call_ringing'));
    // The first socket's topic is gone, its second hold on the scope is not: the other's
    // unsubscribe took one, and the scope is bound still.
    expect(socket.seen.frames).toEqual([]);
    expect(other.seen.frames).toHaveLength(2);
    // When the first socket closes, all it held is released: nothing reaches the pod.
    socket.connection.closed();
    sockets.publish(event('call_ringing'));
    expect(other.seen.frames).toHaveLength(2);
  });

  it('reads UUIDs as gofrs/uuid does', () => {
    const id = '5e4a0680-804e-11ec-8477-2fea5968d85b';
    for (const text of [
      id,
      id.toUpperCase(),
      `{${id}}`,
      `urn:uuid:${id}`,
      id.replaceAll('-', ''),
      `{${id.replaceAll('-', '')}}`,
      `urn:uuid:${id.replaceAll('-', '')}`,
    ]) {
      expect(uuidOf(text), text).toBe(id);
    }
    for (const text of ['', 'me', `${id}0`, `URN:UUID:${id}`, `(${id})`, id.replace('-', 'x')]) {
      expect(uuidOf(text), text).toBeUndefined();
    }
  });
});

/** Places the quickstart call with `token`. */
async function fetchAs(emulator: Emulator, token: string) {
  const response = await emulator.fetch(`http://emulator.test/v1.0/calls?token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: manual.body,
  });
  expect(response.status).toBe(200);
}

describe('the WebSocket over HTTP on Node (listen)', () => {
  let running: RunningEmulator | undefined;
  const opened: { close(): void }[] = [];

  afterEach(async () => {
    for (const socket of opened.splice(0)) socket.close();
    await running?.close();
    running = undefined;
  });

  async function start(options: EmulatorOptions = {}) {
    const emulator = emulatorWith(options);
    running = await listen(emulator, { port: 0 });
    return { emulator, running, ws: running.url.replace(/^http/, 'ws') };
  }

  it('pushes the quickstart call’s events, bare, to undici’s WebSocket', async () => {
    // Bare: the default.
    const { emulator, running, ws } = await start();
    const events: EmulatorEvent[] = [];
    emulator.subscribe((event) => events.push(event));
    const socket = new UndiciWebSocket(`${ws}/ws?token=node-socket-token`);
    opened.push(socket);
    const received = record(socket);
    await received.opened;
    socket.send(JSON.stringify({ type: 'subscribe', topics: [CUSTOMER_TOPIC] }));
    // No acknowledgement (as VoIPBIN): give the server a moment to read the subscription
    // before the call is placed over another connection.
    await until(() => emulator.sockets.count === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const id = await placeQuickstart((input, init) => emulator.fetch(input, init), running.url);
    runToEnd(emulator);
    // Each event twice: its call topic and its type's topic both start with the topic.
    const twice = events.flatMap((event) => [event, event]);
    await until(() => received.frames.length === twice.length);
    const frames = received.frames.map(read);
    expect(frames.every((f) => !f.wrapped && f.call.id === id)).toBe(true);
    expect(frames.map((f) => f.call.status)).toEqual(twice.map((e) => e.data.status));
    expect(frames[0]?.call.status).toBe('dialing');
    expect(frames.at(-1)?.call.status).toBe('hangup');
    expect(received.frames).toEqual(twice.map((e) => JSON.parse(JSON.stringify(e.data))));

    socket.close();
    await received.ended;
    await until(() => emulator.sockets.count === 0);
  });

  it('a forbidden topic and drop() both end the socket with no close frame (1006)', async () => {
    const { emulator, ws } = await start();
    const url = `${ws}/ws?token=node-socket-token`;
    const forbidden = record(new UndiciWebSocket(url));
    await forbidden.opened;
    forbidden.socket.send(
      JSON.stringify({ type: 'subscribe', topics: [`customer_id:${OTHER}:call`] }),
    );
    await forbidden.ended;
    expect(forbidden.close).toMatchObject({ code: 1006, wasClean: false });

    const dropped = record(new UndiciWebSocket(url));
    await dropped.opened;
    await until(() => emulator.sockets.count === 1);
    emulator.sockets.drop();
    await dropped.ended;
    expect(dropped.close).toMatchObject({ code: 1006, wasClean: false });
    expect(emulator.sockets.count).toBe(0);
  });

  it.each([
    ['an unknown token', '/ws?token=wrong', 401, 'INVALID_CREDENTIALS'],
    ['no credential', '/ws', 401, 'AUTHENTICATION_REQUIRED'],
    ['another path', '/socket?token=mine', 404, 'ROUTE_NOT_FOUND'],
  ])(
    'refuses the upgrade for %s with VoIPBIN’s error body',
    async (_what, path, status, reason) => {
      const { emulator, ws } = await start({ credentials: { mine: CUSTOMER } });
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const client = new WsClient(`${ws}${path}`);
        client.on('open', () => reject(new Error('opened')));
        client.on('error', () => {});
        client.on('unexpected-response', (_request, response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
      });
      expect(answer.status).toBe(status);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { reason } });
      expect(emulator.sockets.count).toBe(0);
    },
  );

  it('pings every interval; a client that answers no ping is cut off (1006)', async () => {
    const emulator = emulatorWith();
    // A deadline well above any stall of a busy machine's event loop: past one, the deadline's
    // timer runs before the pong is read, and the answering client would be cut off too.
    running = await listen(emulator, { port: 0, wsPingIntervalMs: 100, wsPongTimeoutMs: 1_500 });
    const url = `${running.url.replace(/^http/, 'ws')}/ws?token=node-socket-token`;
    const answering = new WsClient(url);
    const silent = new WsClient(url, { autoPong: false });
    opened.push(answering, silent);
    let pings = 0;
    answering.on('ping', () => pings++);
    const cut = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    // The client's messages do not count as an answer.
    silent.once('open', () => {
      const timer = setInterval(() => {
        if (silent.readyState !== silent.OPEN) return clearInterval(timer);
        silent.send(JSON.stringify({ type: 'subscribe', topics: [CUSTOMER_TOPIC] }));
      }, 100);
    });
    expect(await cut).toBe(1006);
    expect(pings).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answering.readyState).toBe(answering.OPEN);
    await until(() => emulator.sockets.count === 1);
  });

  it('a binary frame ends the socket (1006)', async () => {
    const { emulator, ws } = await start();
    const client = new WsClient(`${ws}/ws?token=node-socket-token`);
    opened.push(client);
    await new Promise((resolve) => client.once('open', resolve));
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    client.send(Buffer.from(JSON.stringify({ type: 'subscribe', topics: [CUSTOMER_TOPIC] })));
    expect(await closed).toBe(1006);
    await until(() => emulator.sockets.count === 0);
  });

  it('the cookie and the Bearer header are read as for a request', async () => {
    const { emulator, ws } = await start({ credentials: { mine: CUSTOMER } });
    for (const headers of [{ cookie: 'token=mine' }, { authorization: 'Bearer mine' }]) {
      const client = new WsClient(`${ws}/ws`, { headers });
      opened.push(client);
      await new Promise((resolve, reject) => {
        client.once('open', resolve);
        client.once('error', reject);
      });
    }
    await until(() => emulator.sockets.count === 2);
  });

  it('close() closes the open sockets (1001) and resolves', async () => {
    const { emulator, running, ws } = await start();
    const sockets = [0, 1].map(() =>
      record(new UndiciWebSocket(`${ws}/ws?token=node-socket-token`)),
    );
    await Promise.all(sockets.map((s) => s.opened));
    await until(() => emulator.sockets.count === 2);
    await running.close();
    await Promise.all(sockets.map((s) => s.ended));
    for (const socket of sockets) expect(socket.close).toMatchObject({ code: 1001 });
    expect(emulator.sockets.count).toBe(0);
  });
});
