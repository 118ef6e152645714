/**
 * The webhook receiver, `POST /webhooks/voipbin` signed (X-VoIPBIN-Signature, an HMAC-SHA256
 * of the raw body under the account's webhook secret) or `/webhooks/voipbin/<secret>`: VoIPBIN
 * delivers at least once and in no promised order, so repeats and late states must never
 * reach a subscriber.
 */
import { createHmac } from 'node:crypto';
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.ts';
import { graphql } from '../support/graphql.ts';
import { CALL_EVENTS, CALL_UPDATED, PLACE, statusesOf, timeOrder } from '../support/live.ts';
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
    // A new call has no tm_update (VoIPBIN's): null, only first, sorts before every time.
    expect(times.map(timeOrder)).toEqual(times.map(timeOrder).sort());
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

describe('POST /webhooks/voipbin, signed (X-VoIPBIN-Signature)', () => {
  const SIGNING = 'the-account-webhook-secret';
  const SIGNED_URL = 'http://gateway.test/webhooks/voipbin';
  /** VoIPBIN's signature (wm message.go computeSignature), with node:crypto. */
  const sign = (body: string | Buffer, secret = SIGNING) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  let signed: Gateway;
  beforeEach(() => {
    signed = createGateway({
      upstream: { kind: 'emulator', emulator },
      events: { source: 'webhook', webhookSigningSecret: SIGNING },
    });
  });
  afterEach(async () => {
    await signed.close();
  });

  const postSigned = (
    body: string | Uint8Array<ArrayBuffer>,
    headers: Record<string, string> = {},
  ) =>
    signed.fetch(
      new Request(SIGNED_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
    );

  async function followSigned() {
    const placed = await graphql(signed, PLACE);
    const id = placed.data?.createCall.calls[0].id as string;
    const stream = await subscribe((request) => signed.fetch(request), CALL_UPDATED, {
      variables: { id },
    });
    streams.push(stream);
    await stream.next();
    for (let second = 0; second < 20; second++) emulator.advance(1_000);
    const ringing = emitted.find((event) => event.type === 'call_ringing');
    return { id, stream, body: JSON.stringify(ringing) };
  }

  const messageOf = async (response: Response) =>
    ((await response.json()) as { message: string }).message;

  it('delivers a body signed with the account secret; a replay answers 200, delivers nothing', async () => {
    const { stream, body } = await followSigned();
    const first = await postSigned(body, { 'x-voipbin-signature': sign(body) });
    expect(first.status).toBe(200);
    expect(await messageOf(first)).toBe('Delivered');
    await stream.next();
    expect(stream.results.at(-1)?.data?.callUpdated.status).toBe('RINGING');
    // No timestamp is signed: the same request again is a replay, dropped as a repeat.
    const replay = await postSigned(body, { 'X-VoIPBIN-Signature': sign(body) });
    expect(replay.status).toBe(200);
    expect(await messageOf(replay)).toBe('Already delivered');
    expect(stream.results).toHaveLength(2);
  });

  it('answers 401 and delivers nothing for a wrong, missing or malformed signature', async () => {
    const { stream, body } = await followSigned();
    const changed = Buffer.from(body);
    // One byte changed, inside a string value: still an event.
    const at = body.indexOf('ringing');
    changed[at] = 'R'.charCodeAt(0);
    const good = sign(body);
    const cases: [string, string | Uint8Array<ArrayBuffer>, Record<string, string>][] = [
      ['one byte changed', changed, { 'x-voipbin-signature': good }],
      ['another secret', body, { 'x-voipbin-signature': sign(body, 'another-secret') }],
      ['no header', body, {}],
      [
        'sha1=',
        body,
        { 'x-voipbin-signature': `sha1=${createHmac('sha1', SIGNING).update(body).digest('hex')}` },
      ],
      ['not hex', body, { 'x-voipbin-signature': `sha256=${'z'.repeat(64)}` }],
      ['no prefix', body, { 'x-voipbin-signature': good.slice('sha256='.length) }],
      ['too short', body, { 'x-voipbin-signature': good.slice(0, -2) }],
      ['two values', body, { 'x-voipbin-signature': `${good}, ${good}` }],
      ['empty', body, { 'x-voipbin-signature': '' }],
    ];
    for (const [what, payload, headers] of cases) {
      const response = await postSigned(payload, headers);
      expect(response.status, what).toBe(401);
      expect(await messageOf(response), what).toMatch(/X-VoIPBIN-Signature/);
    }
    expect(stream.results).toHaveLength(1);
  });

  it('checks the raw bytes: the same JSON with other whitespace fails the original signature', async () => {
    const { stream, body } = await followSigned();
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    expect(JSON.parse(reformatted)).toEqual(JSON.parse(body));
    const response = await postSigned(reformatted, { 'x-voipbin-signature': sign(body) });
    expect(response.status).toBe(401);
    expect(stream.results).toHaveLength(1);
    // Signed as it is sent, it is delivered.
    const own = await postSigned(reformatted, { 'x-voipbin-signature': sign(reformatted) });
    expect(own.status).toBe(200);
  });

  it('keeps the body limit (413), other methods (405), and has no path secret route', async () => {
    const big = 'x'.repeat(300 * 1024);
    expect((await postSigned(big, { 'x-voipbin-signature': sign(big) })).status).toBe(413);
    const get = await signed.fetch(new Request(SIGNED_URL));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    // With a signing secret only, the path secret's URL is no route.
    const body = JSON.stringify({ type: 'call_ringing', data: {} });
    const pathed = await signed.fetch(
      new Request(`${SIGNED_URL}/${SECRET}`, { method: 'POST', body }),
    );
    expect(pathed.status).toBe(404);
  });

  it('with both secrets, both routes deliver, and a repeat by the other route is dropped', async () => {
    const both = createGateway({
      upstream: { kind: 'emulator', emulator },
      events: { source: 'webhook', webhookSigningSecret: SIGNING, webhookSecret: SECRET },
    });
    try {
      const placed = await graphql(both, PLACE);
      const id = placed.data?.createCall.calls[0].id as string;
      const stream = await subscribe((request) => both.fetch(request), CALL_UPDATED, {
        variables: { id },
      });
      streams.push(stream);
      await stream.next();
      emulator.advance(1_000);
      const body = JSON.stringify(emitted.find((event) => event.type === 'call_ringing'));
      const signedAnswer = await both.fetch(
        new Request(SIGNED_URL, {
          method: 'POST',
          headers: { 'x-voipbin-signature': sign(body) },
          body,
        }),
      );
      expect(await messageOf(signedAnswer)).toBe('Delivered');
      const pathAnswer = await both.fetch(new Request(URL_, { method: 'POST', body }));
      expect(await messageOf(pathAnswer)).toBe('Already delivered');
    } finally {
      await both.close();
    }
  });

  it('end to end: an emulator posting signed webhooks (a signing fetch) reaches a subscriber', async () => {
    // The emulator does not sign yet (createEmulator({ webhookSecret }) is to come): its webhook
    // goes through a fetch that signs the exact bytes it sends, as VoIPBIN does.
    let target: Gateway | undefined;
    const signingFetch: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const bytes = Buffer.from(await request.arrayBuffer());
      const headers = new Headers(request.headers);
      headers.set('X-VoIPBIN-Signature', sign(bytes));
      return (target as Gateway).fetch(
        new Request(request.url, { method: request.method, headers, body: bytes }),
      );
    };
    const posting = createEmulator({
      clock: 'manual',
      webhookUrl: SIGNED_URL,
      webhookFetch: signingFetch,
    });
    target = createGateway({
      upstream: { kind: 'emulator', emulator: posting },
      events: { source: 'webhook', webhookSigningSecret: SIGNING },
    });
    try {
      const placed = await graphql(target, PLACE);
      const id = placed.data?.createCall.calls[0].id as string;
      const stream = await subscribe(
        (request) => (target as Gateway).fetch(request),
        CALL_UPDATED,
        {
          variables: { id },
        },
      );
      streams.push(stream);
      await stream.next();
      for (let second = 0; second < 20; second++) {
        posting.advance(1_000);
        await posting.idle();
      }
      const results = await stream.completed();
      const statuses = results.map((result) => result.data?.callUpdated.status);
      expect(statusesOf(statuses)).toEqual(
        expect.arrayContaining(['DIALING', 'RINGING', 'HANGUP']),
      );
      expect(statuses.at(-1)).toBe('HANGUP');
    } finally {
      await target.close();
    }
  });

  it('the embedded emulator posts its webhooks signed when there is a signing secret', async () => {
    const embedded = createGateway({
      upstream: { kind: 'emulator', speed: 200 },
      events: { source: 'webhook', webhookSigningSecret: SIGNING },
    });
    try {
      // Open before the call is placed: every state it then reaches arrives (at speed 200 the
      // call is over in ~60 ms, before a callUpdated opened after createCall would be).
      const stream = await subscribe((request) => embedded.fetch(request), CALL_EVENTS);
      streams.push(stream);
      const placed = await graphql(embedded, PLACE);
      const id = placed.data?.createCall.calls[0].id as string;
      const statuses: string[] = [];
      // Bounded: the quickstart call has five states; any other call's are skipped.
      for (let i = 0; i < 20 && statuses.at(-1) !== 'HANGUP'; i++) {
        const call = (await stream.next(10_000)).data?.callEvents;
        if (call?.id === id) statuses.push(call.status);
      }
      expect(statuses.at(-1)).toBe('HANGUP');
      // Those after the first came by the emulator's signed webhooks (a bad signature is a 401).
      expect(statusesOf(statuses)).toEqual(
        expect.arrayContaining(['DIALING', 'RINGING', 'HANGUP']),
      );
    } finally {
      await embedded.close();
    }
  });
});
