import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallSchema, sleep, talk } from '@voipbin-kit/core';
import * as v from 'valibot';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  createEmulator,
  type EmulatorEvent,
  type EmulatorOptions,
  TEST_NUMBERS,
} from '../src/index.ts';

const WEBHOOK = 'http://hooks.example.test/voipbin';

/** Places one call through the emulator's handler, in-process. */
async function place(
  emulator: ReturnType<typeof createEmulator>,
  target: string = TEST_NUMBERS.answer,
): Promise<string> {
  const response = await emulator.fetch(
    new Request('http://emulator.test/v1.0/calls', {
      method: 'POST',
      headers: { authorization: 'Bearer events-test-token', 'content-type': 'application/json' },
      body: JSON.stringify({
        source: { type: 'tel', target: '+821028286521' },
        destinations: [{ type: 'tel', target }],
        actions: [talk({ text: 'Hello there' }), sleep(2_000)],
      }),
    }),
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as { calls: { id: string }[] };
  return (body.calls[0] as { id: string }).id;
}

/** The types of a normal call's events (see lifecycle.test.ts). */
const NORMAL = [
  'call_created',
  'call_ringing',
  'call_progressing',
  'call_updated',
  'call_updated',
  'call_updated',
  'call_hangup',
];

/** Waits until `done()` holds, at most `ms` real milliseconds. */
async function until(done: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A webhook stub answering `status` (or throwing when `status` is an Error) per try. */
function hook(...answers: (number | Error)[]) {
  const bodies: EmulatorEvent[] = [];
  const calls: { url: string; init: RequestInit }[] = [];
  let i = 0;
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    bodies.push(JSON.parse(String(init?.body)) as EmulatorEvent);
    const answer = answers[Math.min(i++, answers.length - 1)] ?? 200;
    if (answer instanceof Error) throw answer;
    return new Response(answer === 200 ? 'ok' : 'nope', { status: answer });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, mock: fetch, bodies, calls };
}

function withHook(webhook: ReturnType<typeof hook>, options: EmulatorOptions = {}) {
  return createEmulator({
    webhookUrl: WEBHOOK,
    webhookFetch: webhook.fetch,
    webhookRetryDelay: 1,
    ...options,
  });
}

// ---- in-process subscribers ---------------------------------------------------------------

describe('subscribers', () => {
  test('get { type, data } with data the call as it was at that moment', async () => {
    const emulator = createEmulator();
    const events: EmulatorEvent[] = [];
    emulator.subscribe((event) => events.push(event));
    const id = await place(emulator);
    emulator.advance(60_000);

    expect(events.map((event) => event.type)).toEqual(NORMAL);
    // Each event carries the status of its own moment, not a later one.
    expect(events.map((event) => event.data.status)).toEqual([
      'dialing',
      'ringing',
      'progressing',
      'progressing',
      'progressing',
      'terminating',
      'hangup',
    ]);
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(['data', 'type']);
      expect(event.data.id).toBe(id);
      // A whole call, as VoIPBIN's API would answer it.
      expect(v.safeParse(CallSchema, event.data).success).toBe(true);
    }
    // Only the hangup event has the hangup fields.
    expect(events.map((event) => event.data.hangup_reason)).toEqual([
      '',
      '',
      '',
      '',
      '',
      '',
      'normal',
    ]);
    expect(events.map((event) => event.data.tm_ringing === undefined)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    // The latest state is the hangup; the first event still shows the call dialing.
    expect(emulator.call(id)?.status).toBe('hangup');
    expect(events[0]?.data.status).toBe('dialing');
  });

  test('an event goes out when the clock passes its moment, not earlier', async () => {
    const emulator = createEmulator();
    const types: string[] = [];
    emulator.subscribe((event) => types.push(event.type));
    await place(emulator);
    expect(types).toEqual(['call_created']);
    emulator.advance(999);
    expect(types).toEqual(['call_created']);
    emulator.advance(1);
    expect(types).toEqual(['call_created', 'call_ringing']);
  });

  test('unsubscribing stops the events to that subscriber only', async () => {
    const emulator = createEmulator();
    const kept: string[] = [];
    const dropped: string[] = [];
    emulator.subscribe((event) => kept.push(event.type));
    const unsubscribe = emulator.subscribe((event) => dropped.push(event.type));
    await place(emulator);
    emulator.advance(1_000);
    unsubscribe();
    emulator.advance(60_000);
    expect(dropped).toEqual(['call_created', 'call_ringing']);
    expect(kept).toEqual(NORMAL);
  });

  test('the same function subscribed twice is called once per event', async () => {
    const emulator = createEmulator();
    const types: string[] = [];
    const listener = (event: EmulatorEvent) => types.push(event.type);
    emulator.subscribe(listener);
    emulator.subscribe(listener);
    await place(emulator);
    expect(types).toEqual(['call_created']);
  });
});

// ---- webhooks -----------------------------------------------------------------------------

describe('webhooks', () => {
  test('every event is POSTed as JSON { type, data } to the webhook URL, in order', async () => {
    const webhook = hook(200);
    const emulator = withHook(webhook);
    const events: EmulatorEvent[] = [];
    emulator.subscribe((event) => events.push(event));
    await place(emulator);
    emulator.advance(60_000);
    await emulator.idle();

    expect(webhook.bodies.map((body) => body.type)).toEqual(NORMAL);
    // The same as subscribers get, the call as it was then.
    expect(webhook.bodies).toEqual(JSON.parse(JSON.stringify(events)));
    for (const { url, init } of webhook.calls) {
      expect(url).toBe(WEBHOOK);
      expect(init.method).toBe('POST');
      expect(new Headers(init.headers).get('content-type')).toBe('application/json');
    }
  });

  test('a 5xx answer is tried again, up to 3 tries, then given up', async () => {
    const webhook = hook(503);
    const emulator = withHook(webhook);
    await place(emulator, TEST_NUMBERS.failed);
    emulator.advance(1_000);
    await emulator.idle();
    // Two events (created, hangup), three tries each; their tries run side by side.
    const tries = (type: string) => webhook.bodies.filter((body) => body.type === type).length;
    expect(webhook.mock).toHaveBeenCalledTimes(6);
    expect(tries('call_created')).toBe(3);
    expect(tries('call_hangup')).toBe(3);
  });

  test('a 5xx then a 200 stops the tries', async () => {
    const webhook = hook(500, 200);
    const emulator = withHook(webhook);
    await place(emulator);
    await emulator.idle();
    expect(webhook.mock).toHaveBeenCalledTimes(2);
  });

  test('a connection error is tried again, up to 3 tries, then given up', async () => {
    const webhook = hook(new TypeError('fetch failed'));
    const emulator = withHook(webhook);
    await place(emulator);
    await emulator.idle();
    expect(webhook.mock).toHaveBeenCalledTimes(3);
    // Giving up leaves nothing pending and the emulator working.
    emulator.advance(1_000);
    await emulator.idle();
    expect(webhook.mock).toHaveBeenCalledTimes(6);
  });

  test('a connection error then a 200 delivers on the second try', async () => {
    const webhook = hook(new TypeError('fetch failed'), 200);
    const emulator = withHook(webhook);
    await place(emulator);
    await emulator.idle();
    expect(webhook.mock).toHaveBeenCalledTimes(2);
    expect(webhook.bodies.map((body) => body.type)).toEqual(['call_created', 'call_created']);
  });

  test('a 4xx answer is not tried again', async () => {
    const webhook = hook(404);
    const emulator = withHook(webhook);
    await place(emulator);
    await emulator.idle();
    expect(webhook.mock).toHaveBeenCalledTimes(1);
  });

  test('tries are webhookRetryDelay apart', async () => {
    const times: number[] = [];
    const emulator = createEmulator({
      webhookUrl: WEBHOOK,
      webhookRetryDelay: 40,
      webhookFetch: (async () => {
        times.push(performance.now());
        return new Response(null, { status: 502 });
      }) as typeof fetch,
    });
    await place(emulator);
    await emulator.idle();
    expect(times).toHaveLength(3);
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(35);
    expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(35);
  });

  test('idle() waits until every delivery under way has ended', async () => {
    let answered = 0;
    const emulator = createEmulator({
      webhookUrl: WEBHOOK,
      webhookFetch: (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        answered++;
        return new Response(null, { status: 200 });
      }) as typeof fetch,
    });
    await place(emulator);
    emulator.advance(60_000);
    expect(answered).toBe(0);
    await emulator.idle();
    expect(answered).toBe(NORMAL.length);
  });

  test('idle() resolves at once when nothing is being delivered', async () => {
    await expect(createEmulator().idle()).resolves.toBeUndefined();
  });

  test('each delivery is handed to waitUntil, as a Worker needs', async () => {
    const handed: Promise<unknown>[] = [];
    const emulator = createEmulator({
      webhookUrl: WEBHOOK,
      webhookFetch: hook(200).fetch,
      waitUntil: (promise) => handed.push(promise),
    });
    await place(emulator);
    emulator.advance(1_000);
    expect(handed).toHaveLength(2);
    await Promise.all(handed);
  });

  test('without webhookUrl nothing is POSTed', async () => {
    const webhook = hook(200);
    const emulator = createEmulator({ webhookFetch: webhook.fetch });
    await place(emulator);
    emulator.advance(60_000);
    await emulator.idle();
    expect(webhook.mock).not.toHaveBeenCalled();
  });
});

// ---- a real clock and a real HTTP receiver ------------------------------------------------

describe('with a real clock', () => {
  let server: Server | undefined;
  let emulator: ReturnType<typeof createEmulator> | undefined;

  afterEach(async () => {
    emulator?.reset();
    emulator = undefined;
    if (server) {
      const closing = server;
      server = undefined;
      closing.closeAllConnections();
      await new Promise((resolve) => closing.close(resolve));
    }
  });

  test('events go out by themselves, with no request, as the time comes', async () => {
    // 1000x: the 7.2 s life of the call takes about 7 ms.
    emulator = createEmulator({ clock: { speed: 1_000 } });
    const types: string[] = [];
    emulator.subscribe((event) => types.push(event.type));
    await place(emulator);
    await until(() => types.includes('call_hangup'));
    expect(types).toEqual(NORMAL);
  });

  test('a webhook receiver on 127.0.0.1 gets every event of a call', async () => {
    const received: { event: EmulatorEvent; headers: IncomingMessage['headers'] }[] = [];
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          event: JSON.parse(Buffer.concat(chunks).toString('utf8')) as EmulatorEvent,
          headers: request.headers,
        });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    emulator = createEmulator({
      clock: { speed: 1_000 },
      webhookUrl: `http://127.0.0.1:${port}/voipbin/events`,
    });
    const id = await place(emulator);
    // No request after placing the call: the emulator's own timer sends the events.
    await until(() => received.some(({ event }) => event.type === 'call_hangup'));
    await emulator.idle();

    expect(received).toHaveLength(NORMAL.length);
    for (const { event, headers } of received) {
      expect(event.data.id).toBe(id);
      expect(headers['content-type']).toBe('application/json');
    }
    // Deliveries run side by side, so they may arrive in any order; each carries its moment.
    const byMoment = received
      .map(({ event }) => event)
      .sort(
        (a, b) =>
          Date.parse(a.data.tm_update as string) - Date.parse(b.data.tm_update as string) ||
          NORMAL.indexOf(a.type) - NORMAL.indexOf(b.type),
      );
    expect(byMoment.map((event) => event.type)).toEqual(NORMAL);
    expect(byMoment.map((event) => event.data.status)).toEqual([
      'dialing',
      'ringing',
      'progressing',
      'progressing',
      'progressing',
      'terminating',
      'hangup',
    ]);
  });
});
