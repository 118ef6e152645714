import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Action, action, CallSchema, sleep, talk } from '@voipbin-kit/core';
import * as v from 'valibot';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  createEmulator,
  type EmulatorEvent,
  type EmulatorOptions,
  TEST_NUMBERS,
} from '../src/index.ts';
import { conforming } from './support/conforming.ts';

const WEBHOOK = 'http://hooks.example.test/voipbin';

/** `POST /v1.0/calls` of one call to `target`, for the emulator's handler. */
const placing = (
  target: string = TEST_NUMBERS.answer,
  actions: Action[] = [talk({ text: 'Hello there' }), sleep(2_000)],
) =>
  new Request('http://emulator.test/v1.0/calls', {
    method: 'POST',
    headers: { authorization: 'Bearer events-test-token', 'content-type': 'application/json' },
    body: JSON.stringify({
      source: { type: 'tel', target: '+821028286521' },
      destinations: [{ type: 'tel', target }],
      actions,
    }),
  });

/** Places one call through the emulator's handler, in-process. */
async function place(
  emulator: ReturnType<typeof createEmulator>,
  target: string = TEST_NUMBERS.answer,
  actions: Action[] = [talk({ text: 'Hello there' }), sleep(2_000)],
): Promise<string> {
  const response = await emulator.fetch(placing(target, actions));
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
  'call_terminating',
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
  return conforming(
    createEmulator({
      webhookUrl: WEBHOOK,
      webhookFetch: webhook.fetch,
      webhookRetryDelay: 1,
      ...options,
    }),
  );
}

// ---- in-process subscribers ---------------------------------------------------------------

describe('subscribers', () => {
  test('get { type, data } with data the call as it was at that moment', async () => {
    const emulator = conforming(createEmulator());
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
    // Only the hangup event has the hangup fields: empty strings are left out (omitempty).
    expect(events.map((event) => event.data.hangup_reason)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
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
    const emulator = conforming(createEmulator());
    const types: string[] = [];
    emulator.subscribe((event) => types.push(event.type));
    await place(emulator);
    expect(types).toEqual(['call_created']);
    emulator.advance(999);
    expect(types).toEqual(['call_created']);
    emulator.advance(1);
    expect(types).toEqual(['call_created', 'call_ringing']);
  });

  test('the POST answers each call as created, however long placing it took', async () => {
    // A slow subscriber, or a busy machine on a fast clock: time passes while the call is made.
    const emulator = conforming(createEmulator());
    emulator.subscribe((event) => {
      if (event.type === 'call_created') emulator.advance(1_500);
    });
    const response = await emulator.fetch(
      placing(TEST_NUMBERS.answer, [talk({ text: 'Hello there' })]),
    );
    const [call] = ((await response.json()) as { calls: { id: string; status: string }[] }).calls;
    expect(call?.status).toBe('dialing');
    // Asked again, the call is as it is now.
    const now = await emulator.fetch(
      new Request(`http://emulator.test/v1.0/calls/${call?.id}`, {
        headers: { authorization: 'Bearer events-test-token' },
      }),
    );
    expect(((await now.json()) as { status: string }).status).toBe('ringing');
  });

  test('unsubscribing stops the events to that subscriber only', async () => {
    const emulator = conforming(createEmulator());
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
    const emulator = conforming(createEmulator());
    const types: string[] = [];
    const listener = (event: EmulatorEvent) => types.push(event.type);
    emulator.subscribe(listener);
    emulator.subscribe(listener);
    await place(emulator);
    expect(types).toEqual(['call_created']);
  });
});

// ---- subscribers that throw ---------------------------------------------------------------

describe('a subscriber that throws', () => {
  /** Runs `body` with console.error stubbed; returns what it was called with, as text. */
  async function logged(body: () => Promise<void>): Promise<string[][]> {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await body();
      return spy.mock.calls.map((args) => args.map(String));
    } finally {
      spy.mockRestore();
    }
  }

  test('on call_hangup: the call still finishes and the other subscribers get every event', async () => {
    const webhook = hook(200);
    const emulator = withHook(webhook, { maxActiveCalls: 1 });
    const types: string[] = [];
    let id = '';
    const errors = await logged(async () => {
      emulator.subscribe((event) => {
        if (event.type === 'call_hangup') throw new Error('a bug in the subscriber');
      });
      emulator.subscribe((event) => types.push(event.type));
      id = await place(emulator);
      emulator.advance(60_000);
    });
    expect(types).toEqual(NORMAL);
    await emulator.idle();
    expect(webhook.bodies.map((body) => body.type)).toEqual(NORMAL);
    // The call no longer counts toward maxActiveCalls: another one may be placed.
    expect(emulator.stats()).toMatchObject({ active: 0, finished: 1 });
    await place(emulator);
    // Reported once, with the error but not the event's data (numbers, ids).
    expect(errors).toHaveLength(1);
    expect(errors[0]?.join(' ')).toMatch(/call_hangup.*a bug in the subscriber/s);
    expect(errors[0]?.join(' ')).not.toMatch(new RegExp(`${id}|${TEST_NUMBERS.answer.slice(1)}`));
  });

  test('on call_created: the request that placed the call still answers it', async () => {
    const emulator = conforming(createEmulator());
    const types: string[] = [];
    const errors = await logged(async () => {
      emulator.subscribe((event) => {
        if (event.type === 'call_created') throw new Error('a bug in the subscriber');
      });
      emulator.subscribe((event) => types.push(event.type));
      // `place` requires a 200 with the call.
      const id = await place(emulator);
      expect(emulator.call(id)?.status).toBe('dialing');
      emulator.advance(60_000);
      expect(emulator.call(id)?.status).toBe('hangup');
    });
    expect(types).toEqual(NORMAL);
    expect(emulator.stats()).toMatchObject({ active: 0, finished: 1 });
    expect(errors).toHaveLength(1);
  });
});

// ---- dedupe keys --------------------------------------------------------------------------

/** A VoIPBIN timestamp in epoch microseconds. */
const micros = (tm: unknown) =>
  Date.parse(`${String(tm).slice(0, 23)}Z`) * 1_000 + Number(String(tm).slice(23, 26));

describe('dedupe keys', () => {
  // VoIPBIN's receivers dedupe by event type + resource id + tm_update (VOIPBIN-FACTS.md,
  // Events): two events of a call sharing all three would be dropped as one.
  test('every event of a call has its own (type, id, tm_update), and tm_update never goes back', async () => {
    const emulator = conforming(createEmulator());
    const events: EmulatorEvent[] = [];
    emulator.subscribe((event) => events.push(event));
    const loop = '6a1f3c2e-9d4b-4e8a-b1c7-2f5e8d0a3b61';
    const zeroTime: Action[] = [
      action('answer'),
      action('variable_set', { key: 'greeting', value: 'hello' }),
      talk({ text: 'Hi' }),
    ];
    // Zero-duration actions start in the same millisecond as the answer and as each other; the
    // endless call is hung up through the API in that millisecond too.
    const ids = [
      await place(emulator, TEST_NUMBERS.answer, zeroTime),
      await place(emulator, TEST_NUMBERS.endless, zeroTime),
      // A goto without loop_count over a zero-duration action: 1 000 steps in one millisecond.
      await place(emulator, TEST_NUMBERS.answer, [
        action('answer', undefined, { id: loop }),
        action('goto', { target_id: loop }),
      ]),
    ];
    emulator.advance(4_000);
    await emulator.fetch(
      new Request(`http://emulator.test/v1.0/calls/${ids[1]}/hangup`, {
        method: 'POST',
        headers: { authorization: 'Bearer events-test-token' },
      }),
    );
    emulator.advance(60_000);

    for (const id of ids) {
      const mine = events.filter((event) => event.data.id === id);
      expect(mine.at(-1)?.type).toBe('call_hangup');
      const keys = mine.map((event) => `${event.type} ${event.data.id} ${event.data.tm_update}`);
      expect(new Set(keys).size, `distinct dedupe keys of ${id}`).toBe(keys.length);
      const updates = mine.map((event) => micros(event.data.tm_update));
      expect(updates, 'tm_update in event order').toEqual([...updates].sort((a, b) => a - b));
      // The moments themselves stay exact: answered at 4 s, whatever ran in that millisecond.
      const tmCreate = micros(mine[0]?.data.tm_create);
      for (const event of mine.slice(2)) {
        expect(micros(event.data.tm_progressing)).toBe(tmCreate + 4_000_000);
      }
    }
    // The hangup of the endless call came 200 ms after the API hangup, exactly.
    const hangup = events.find((e) => e.data.id === ids[1] && e.type === 'call_hangup');
    expect(micros(hangup?.data.tm_hangup)).toBe(micros(hangup?.data.tm_create) + 4_200_000);
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
    const emulator = conforming(
      createEmulator({
        webhookUrl: WEBHOOK,
        webhookRetryDelay: 40,
        webhookFetch: (async () => {
          times.push(performance.now());
          return new Response(null, { status: 502 });
        }) as typeof fetch,
      }),
    );
    await place(emulator);
    await emulator.idle();
    expect(times).toHaveLength(3);
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(35);
    expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(35);
  });

  test('idle() waits until every delivery under way has ended', async () => {
    let answered = 0;
    const emulator = conforming(
      createEmulator({
        webhookUrl: WEBHOOK,
        webhookFetch: (async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          answered++;
          return new Response(null, { status: 200 });
        }) as typeof fetch,
      }),
    );
    await place(emulator);
    emulator.advance(60_000);
    expect(answered).toBe(0);
    await emulator.idle();
    expect(answered).toBe(NORMAL.length);
  });

  test('idle() resolves at once when nothing is being delivered', async () => {
    await expect(conforming(createEmulator()).idle()).resolves.toBeUndefined();
  });

  test('each delivery is handed to waitUntil, as a Worker needs', async () => {
    const handed: Promise<unknown>[] = [];
    const emulator = conforming(
      createEmulator({
        webhookUrl: WEBHOOK,
        webhookFetch: hook(200).fetch,
        waitUntil: (promise) => handed.push(promise),
      }),
    );
    await place(emulator);
    emulator.advance(1_000);
    expect(handed).toHaveLength(2);
    await Promise.all(handed);
  });

  test('without webhookUrl nothing is POSTed', async () => {
    const webhook = hook(200);
    const emulator = conforming(createEmulator({ webhookFetch: webhook.fetch }));
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
    emulator = conforming(createEmulator({ clock: { speed: 1_000 } }));
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

    emulator = conforming(
      createEmulator({
        clock: { speed: 1_000 },
        webhookUrl: `http://127.0.0.1:${port}/voipbin/events`,
      }),
    );
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
