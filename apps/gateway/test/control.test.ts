/**
 * In-call control: talk, hold, mute, recording, each against the emulator's call lifecycle,
 * with the gateway's rules (the calls:control scope, the caller's own calls, the talk length
 * limit, the rate limit), and an answer that is not a call read as an unknown outcome.
 */
import { CALL_CONTROLS } from '@voipbin-kit/core';
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway, type GatewayConfig } from '../src/index.ts';
import { hashApiKey } from '../src/security/auth.ts';
import {
  callJson,
  graphql,
  jsonResponse,
  recordingFetch,
  recordRequests,
  stubUpstream,
} from './support/graphql.ts';
import { PLACE } from './support/live.ts';

const KEY_A = 'key-of-principal-a';
const KEY_B = 'key-of-principal-b';
const A = { 'x-api-key': KEY_A };
const B = { 'x-api-key': KEY_B };
const JWT_SECRET = 'a-test-secret-of-at-least-32-bytes!!';

const CALL_FIELDS = 'id status muteDirection recordingId recordingIds action { type }';
const MUTATIONS: Record<string, string> = {
  talkToCall: `mutation($id: ID!) { talkToCall(id: $id, input: { text: "One moment, please.", language: "en-US" }) { ${CALL_FIELDS} } }`,
  holdCall: `mutation($id: ID!) { holdCall(id: $id) { ${CALL_FIELDS} } }`,
  unholdCall: `mutation($id: ID!) { unholdCall(id: $id) { ${CALL_FIELDS} } }`,
  muteCall: `mutation($id: ID!) { muteCall(id: $id, direction: IN) { ${CALL_FIELDS} } }`,
  unmuteCall: `mutation($id: ID!) { unmuteCall(id: $id, direction: IN) { ${CALL_FIELDS} } }`,
  startRecording: `mutation($id: ID!) { startRecording(id: $id) { ${CALL_FIELDS} } }`,
  stopRecording: `mutation($id: ID!) { stopRecording(id: $id) { ${CALL_FIELDS} } }`,
  startMusicOnHold: `mutation($id: ID!) { startMusicOnHold(id: $id) { ${CALL_FIELDS} } }`,
  stopMusicOnHold: `mutation($id: ID!) { stopMusicOnHold(id: $id) { ${CALL_FIELDS} } }`,
  startSilence: `mutation($id: ID!) { startSilence(id: $id) { ${CALL_FIELDS} } }`,
  stopSilence: `mutation($id: ID!) { stopSilence(id: $id) { ${CALL_FIELDS} } }`,
};

it('has a mutation for every control verb of core (hangupCall is tried in ownership.test.ts)', () => {
  const verbs = Object.values(CALL_CONTROLS).map((verb) => verb.mutation);
  expect(Object.keys(MUTATIONS).sort()).toEqual(verbs.filter((m) => m !== 'hangupCall').sort());
});

let emulator: Emulator;
let gateway: Gateway;

async function setup(config: Omit<GatewayConfig, 'upstream'> = {}) {
  emulator = createEmulator({ clock: 'manual' });
  gateway = recordingFetch(
    createGateway({
      ...config,
      upstream: { kind: 'emulator', emulator },
      security: {
        auth: {
          jwt: { secret: JWT_SECRET },
          apiKeyHashes: [await hashApiKey(KEY_A), await hashApiKey(KEY_B)],
        },
        ...config.security,
      },
    }),
  );
}

/** A's quickstart call, answered (4 s on the emulator's clock). */
async function answeredCall(): Promise<string> {
  const placed = await graphql(gateway, PLACE, undefined, A);
  const id = placed.data?.createCall.calls[0].id as string;
  emulator.advance(4_500);
  return id;
}

const run = (name: string, id: string, headers: Record<string, string> = A) =>
  graphql(gateway, MUTATIONS[name] as string, { id }, headers);

describe('in-call control on the emulator', () => {
  beforeEach(() => setup());

  it('talks into an answered call and answers the call with the talk running', async () => {
    const id = await answeredCall();
    const { data, errors } = await run('talkToCall', id);
    expect(errors).toBeUndefined();
    expect(data?.talkToCall).toMatchObject({ id, status: 'PROGRESSING', action: { type: 'talk' } });
  });

  it('holds and unholds, mutes and unmutes (muteDirection as VoIPBIN shows it)', async () => {
    const id = await answeredCall();
    for (const name of ['holdCall', 'unholdCall']) {
      const { data, errors } = await run(name, id);
      expect(errors, name).toBeUndefined();
      expect(data?.[name]).toMatchObject({ id, status: 'PROGRESSING' });
    }
    expect((await run('muteCall', id)).data?.muteCall.muteDirection).toBe('IN');
    expect((await run('unmuteCall', id)).data?.unmuteCall.muteDirection).toBeNull();
  });

  it('starts and stops a recording: recordingId set, then cleared, kept in recordingIds', async () => {
    const id = await answeredCall();
    const started = (await run('startRecording', id)).data?.startRecording;
    expect(started.recordingId).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.recordingIds).toEqual([started.recordingId]);
    const stopped = (await run('stopRecording', id)).data?.stopRecording;
    expect(stopped.recordingId).toBeNull();
    expect(stopped.recordingIds).toEqual([started.recordingId]);
  });

  it('talks into a call not yet answered as VoIPBIN does: no refusal (cm media.go answers the channel first)', async () => {
    const placed = await graphql(gateway, PLACE, undefined, A);
    const id = placed.data?.createCall.calls[0].id as string;
    const { data, errors } = await run('talkToCall', id);
    expect(errors).toBeUndefined();
    expect(data?.talkToCall).toMatchObject({ id, status: 'DIALING' });
  });

  it("answers another principal's control of a call NOT_FOUND, sending nothing", async () => {
    const id = await answeredCall();
    const sent = recordRequests(emulator);
    for (const name of Object.keys(MUTATIONS)) {
      const { errors } = await run(name, id, B);
      expect(errors?.[0]?.extensions?.code, name).toBe('NOT_FOUND');
    }
    expect(sent.filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('needs calls:control (besides calls:create, as every mutation)', async () => {
    const id = await answeredCall();
    const token = await new SignJWT({ scope: 'calls:create calls:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('no-control')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const { errors } = await run('holdCall', id, { authorization: `Bearer ${token}` });
    expect(errors?.[0]).toMatchObject({
      message: 'This needs the scope calls:control',
      extensions: { code: 'FORBIDDEN' },
    });
  });
});

describe('the gateway rules on control', () => {
  it("refuses a talk text over the policy's limit, sending nothing", async () => {
    // The quickstart's text (95 characters) passes; a longer one into the call does not.
    await setup({ security: { policy: { maxTalkLength: 100 } } });
    const id = await answeredCall();
    const sent = recordRequests(emulator);
    const { errors } = await graphql(
      gateway,
      'mutation($id: ID!, $text: String!) { talkToCall(id: $id, input: { text: $text }) { id } }',
      { id, text: 'x'.repeat(101) },
      A,
    );
    expect(errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      issues: [{ path: 'input.text', message: 'A talk text has at most 100 characters' }],
    });
    expect(sent.filter((request) => request.method === 'POST')).toEqual([]);
  });

  it('refuses an empty talk text with its path, sending nothing', async () => {
    await setup();
    const id = await answeredCall();
    const { errors } = await graphql(
      gateway,
      `mutation($id: ID!) { talkToCall(id: $id, input: { text: "" }) { id } }`,
      { id },
      A,
    );
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.extensions?.issues?.[0]?.path).toBe('input.text');
  });

  it("takes control requests from the caller's rate-limit bucket", async () => {
    await setup({ security: { rateLimit: { perMinute: 1, burst: 2 } } });
    const id = await answeredCall();
    expect((await run('holdCall', id)).errors).toBeUndefined();
    expect((await run('unholdCall', id)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});

describe('answers that are not a call', () => {
  const CALL_ID = '9b0c3f0e-1d2e-4f5a-8b6c-7d8e9f0a1b2c';
  it.each([
    ['hangupCall', `mutation { hangupCall(id: "${CALL_ID}") { id } }`, 'hangup'],
    ['startRecording', `mutation { startRecording(id: "${CALL_ID}") { id } }`, 'recording_start'],
    ['stopRecording', `mutation { stopRecording(id: "${CALL_ID}") { id } }`, 'recording_stop'],
  ])(
    'reads a 2xx %s answer that is not a call as an unknown outcome',
    async (_, mutation, path) => {
      const stub = stubUpstream((request) =>
        request.method === 'GET'
          ? jsonResponse(callJson(CALL_ID))
          : jsonResponse(new URL(request.url).pathname.endsWith(path) ? {} : callJson(CALL_ID)),
      );
      const odd = createGateway({
        upstream: { kind: 'voipbin', baseURL: 'http://voipbin.test/v1.0', accessKey: 'key' },
        security: { insecureNoAuth: true },
        client: { fetch: stub.fetch, retry: 0 },
      });
      const { errors } = await graphql(odd, mutation);
      expect(errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        outcomeUnknown: true,
      });
      expect(stub.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    },
  );
});
