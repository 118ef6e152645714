/**
 * VoIPBIN's event WebSocket (`/v1.0/ws`), read with raw WebSockets only: the emulator's
 * in-memory one (`emulator.WebSocket`) and, over real HTTP on Node, undici's (the WHATWG API
 * both share) and the `ws` client (to read a refused handshake's answer). A client subscribes
 * to topics `customer_id:<id>:call[:<call-id>]`, matched by prefix; frames are wrapped
 * `{ type, data }` or the bare call; a topic it may not see closes the socket with 1008.
 */
import { CallSchema, EventSchema } from '@voipbin-kit/core';
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
      // Every event of the call, in order, to the customer topic (created included).
      expect(customer.frames).toHaveLength(events.length);
      // From ringing on to the call's topic: it was subscribed once the call was placed.
      expect(oneCall.frames).toHaveLength(events.length - 1);
      for (const [socket, expected] of [
        [customer, events],
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

  it('matches topics by prefix, and sends each event once per socket', async () => {
    const emulator = emulatorWith({ wsFrames: 'wrapped' });
    const id = await placeQuickstart(emulator.fetch);
    const other = await placeQuickstart(emulator.fetch);
    const both = await subscribed(emulator, [CUSTOMER_TOPIC, `${CUSTOMER_TOPIC}:${id}`]);
    const prefix = await subscribed(emulator, [`${CUSTOMER_TOPIC}:${id.slice(0, 8)}`]);
    const otherCall = await subscribed(emulator, [`${CUSTOMER_TOPIC}:${other}`]);
    const queues = await subscribed(emulator, [`customer_id:${CUSTOMER}:queue`]);
    emulator.advance(1_000);
    await settle();

    const ringing = (r: Received) =>
      r.frames.map((f) => `${f.type} ${(f.data as { id: string }).id}`);
    // Both calls ring once each, though two of its topics match the first.
    expect(ringing(both).sort()).toEqual([`call_ringing ${id}`, `call_ringing ${other}`].sort());
    expect(ringing(prefix)).toEqual(
      id.slice(0, 8) === other.slice(0, 8)
        ? expect.arrayContaining([`call_ringing ${id}`])
        : [`call_ringing ${id}`],
    );
    expect(ringing(otherCall)).toEqual([`call_ringing ${other}`]);
    expect(queues.frames).toEqual([]);
  });

  it('unsubscribe stops a topic', async () => {
    const emulator = emulatorWith({ wsFrames: 'bare' });
    const socket = await subscribed(emulator, [CUSTOMER_TOPIC]);
    await placeQuickstart(emulator.fetch);
    await settle();
    expect(socket.frames).toHaveLength(1);
    socket.socket.send(JSON.stringify({ type: 'unsubscribe', topics: [CUSTOMER_TOPIC] }));
    runToEnd(emulator);
    await settle();
    expect(socket.frames).toHaveLength(1);
    expect(socket.socket.readyState).toBe(1);
  });

  it.each([
    ['another customer', `customer_id:${OTHER}:call`],
    ['a malformed topic', 'calls'],
    ['an agent topic', `agent_id:${OTHER}:agent`],
  ])(
    'a topic of %s closes the socket with 1008, and nothing is sent to it',
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
      expect(socket.close?.code).toBe(1008);
      expect(socket.close?.wasClean).toBe(true);
      expect(socket.close?.reason).toMatch(/permission|topic/);
      expect(socket.frames).toEqual([]);
      expect(socket.fired).toEqual(['open', 'close']);
      expect(socket.socket.readyState).toBe(3);
    },
  );

  it('a message that is not JSON closes the socket with 1008', async () => {
    const emulator = emulatorWith();
    const socket = record(new emulator.WebSocket(WS_URL));
    await socket.opened;
    socket.socket.send('subscribe please');
    await socket.ended;
    expect(socket.close).toEqual({ code: 1008, reason: 'malformed message', wasClean: true });
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
    expect(fired).toEqual(['open', 'message dialing']);
    emulator.advance(1_000);
    expect(fired).toEqual(['open', 'message dialing']);
    await settle();
    expect(fired).toEqual(['open', 'message dialing', 'message ringing']);

    // A listener removed hears nothing more; a handler set to null neither.
    const heard: string[] = [];
    const listener = () => heard.push('message');
    ws.addEventListener('message', listener);
    ws.removeEventListener('message', listener);
    ws.onmessage = null;
    emulator.advance(3_000);
    await settle();
    expect(heard).toEqual([]);
    expect(fired).toEqual(['open', 'message dialing', 'message ringing']);

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
      expect(socket.fired).toEqual(['open', 'message', 'close']);
      expect(socket.frames.map((f) => f.type)).toEqual(['call_created']);
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

  it('sockets.frames changes the shape of the frames from then on', async () => {
    const emulator = emulatorWith();
    expect(emulator.sockets.frames).toBe('mixed');
    emulator.sockets.frames = 'bare';
    const socket = await subscribed(emulator, [CUSTOMER_TOPIC]);
    await placeQuickstart(emulator.fetch);
    emulator.sockets.frames = 'wrapped';
    emulator.advance(1_000);
    await settle();
    expect(socket.frames.map((f) => read(f).wrapped)).toEqual([false, true]);
    expect(() => {
      emulator.sockets.frames = 'both' as WsFrames;
    }).toThrow(TypeError);
    expect(() => createEmulator({ wsFrames: 'json' as WsFrames })).toThrow(TypeError);
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
    const { emulator, running, ws } = await start({ wsFrames: 'bare' });
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
    await until(() => received.frames.length === events.length);
    const frames = received.frames.map(read);
    expect(frames.every((f) => !f.wrapped && f.call.id === id)).toBe(true);
    expect(frames.map((f) => f.call.status)).toEqual(events.map((e) => e.data.status));
    expect(frames[0]?.call.status).toBe('dialing');
    expect(frames.at(-1)?.call.status).toBe('hangup');
    expect(received.frames).toEqual(events.map((e) => JSON.parse(JSON.stringify(e.data))));

    socket.close();
    await received.ended;
    await until(() => emulator.sockets.count === 0);
  });

  it('a forbidden topic closes with 1008; drop() closes with 1006', async () => {
    const { emulator, ws } = await start();
    const url = `${ws}/ws?token=node-socket-token`;
    const forbidden = record(new UndiciWebSocket(url));
    await forbidden.opened;
    forbidden.socket.send(
      JSON.stringify({ type: 'subscribe', topics: [`customer_id:${OTHER}:call`] }),
    );
    await forbidden.ended;
    expect(forbidden.close).toMatchObject({ code: 1008, wasClean: true });
    expect(forbidden.close?.reason).toMatch(/permission/);

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
