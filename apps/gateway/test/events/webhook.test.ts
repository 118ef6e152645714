/**
 * The webhook receiver, `POST /webhooks/voipbin/<secret>`: VoIPBIN delivers at least once and
 * in no promised order, so repeats and late states must never reach a subscriber.
 */
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.ts';
import { graphql } from '../support/graphql.ts';
import { CALL_UPDATED, PLACE } from '../support/live.ts';
import { type SseSubscription, subscribe } from '../support/sse.ts';

const SECRET = 'webhook-secret-0123456789abcdef';
const URL_ = `http://gateway.test/webhooks/voipbin/${SECRET}`;

let emulator: Emulator;
let gateway: Gateway;
/** Every event the emulator emitted, as VoIPBIN would post it. */
let emitted: { type: string; data: Record<string, unknown> }[];
let streams: SseSubscription[];

beforeEach(() => {
  emulator = createEmulator({ clock: 'manual' });
  gateway = createGateway({
    upstream: { kind: 'emulator', emulator },
    events: { source: 'webhook', webhookSecret: SECRET },
  });
  emitted = [];
  streams = [];
  emulator.subscribe((event) => emitted.push(event));
});
afterEach(async () => {
  for (const stream of streams) stream.close();
  await gateway.close();
});

const post = (body: unknown, url = URL_, headers: Record<string, string> = {}) =>
  gateway.fetch(
    new Request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );

async function follow() {
  const placed = await graphql(gateway, PLACE);
  const id = placed.data?.createCall.calls[0].id as string;
  const stream = await subscribe((request) => gateway.fetch(request), CALL_UPDATED, {
    variables: { id },
  });
  streams.push(stream);
  await stream.next();
  // The whole call, its events kept aside to be posted in whatever order a test likes.
  for (let second = 0; second < 20; second++) emulator.advance(1_000);
  return { id, stream };
}

describe('POST /webhooks/voipbin/<secret>', () => {
  it('delivers each state once, whatever the repeats and the order they come in', async () => {
    const { stream } = await follow();
    expect(emitted.length).toBeGreaterThanOrEqual(4);
    const [ringing, progressing] = emitted;
    // A repeat of each, the first ones late, then everything again in reverse.
    const deliveries = [
      ringing,
      ringing,
      progressing,
      ringing,
      ...emitted.slice(2),
      ...[...emitted].reverse(),
    ];
    const answers: string[] = [];
    for (const event of deliveries) {
      const response = await post(event);
      expect(response.status).toBe(200);
      answers.push(((await response.json()) as { message: string }).message);
    }
    // Each event delivered once; every repeat answered without publishing it again.
    expect(answers.filter((answer) => answer === 'Delivered')).toHaveLength(emitted.length);
    expect(answers.filter((answer) => answer === 'Already delivered')).toHaveLength(
      deliveries.length - emitted.length,
    );
    const results = await stream.completed();
    const statuses = results.map((result) => result.data?.callUpdated.status);
    const times = results.map((result) => result.data?.callUpdated.updatedAt as string);
    expect(new Set(times).size).toBe(times.length);
    expect([...times].sort()).toEqual(times);
    expect(statuses[0]).toBe('DIALING');
    expect(statuses.at(-1)).toBe('HANGUP');
    // One state per event the emulator emitted (call_created is the state read when subscribing).
    expect(emitted[0]?.type).toBe('call_created');
    expect(results).toHaveLength(emitted.length);
  });

  it('answers a wrong secret 404, as a path that does not exist, and delivers nothing', async () => {
    const { stream } = await follow();
    const ringing = emitted.find((event) => event.type === 'call_ringing');
    for (const url of [
      'http://gateway.test/webhooks/voipbin/wrong-secret-0123456789abcdef',
      `http://gateway.test/webhooks/voipbin/${SECRET.slice(0, -1)}`,
      `http://gateway.test/webhooks/voipbin/${SECRET}x`,
      'http://gateway.test/webhooks/voipbin/',
    ]) {
      const response = await post(ringing, url);
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain(SECRET);
    }
    expect(stream.results).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{"type": "call_ringing", ', /not JSON/],
    ['no data', { type: 'call_ringing' }, /Not a VoIPBIN event.*data/],
    ['a call without an id', { type: 'call_ringing', data: { status: 'ringing' } }, /data\.id/],
    ['an array', [], /Not a VoIPBIN event/],
  ])('refuses %s with 400 and delivers nothing', async (_, body, message) => {
    const { stream } = await follow();
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
    expect(stream.results).toHaveLength(1);
  });

  it('refuses a body over the limit with 413, and another method with 405', async () => {
    expect((await post('x'.repeat(300 * 1024))).status).toBe(413);
    const get = await gateway.fetch(new Request(URL_));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers a group call or an unknown event 200 and delivers nothing', async () => {
    const { stream } = await follow();
    expect((await post({ type: 'recording_started', data: { id: 'x' } })).status).toBe(200);
    expect(stream.results).toHaveLength(1);
  });
});
