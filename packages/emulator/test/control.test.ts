/**
 * In-call control on the emulator: talk, hold/unhold, mute/unmute, recording start/stop, on the
 * call's planned life. Every answer is checked against VoIPBIN's spec (support/conforming.ts).
 */
import {
  ACTION_SCHEMAS,
  createClient,
  NIL_UUID,
  VoipbinApiError,
  VoipbinValidationError,
} from '@voipbin-kit/core';
import { describe, expect, it } from 'vitest';
import { createEmulator, type EmulatorEvent, type EmulatorOptions } from '../src/index.ts';
import { conforming } from './support/conforming.ts';
import { sender } from './support/send.ts';

const SOURCE = { type: 'tel', target: '+821028286521' };
const DESTINATION = { type: 'tel', target: '+821021656521' };
/** Answered at 4 s, then a minute of sleep, then the flow ends: terminating at 64 s. */
const ACTIONS = [{ type: 'sleep', option: { duration: 60_000 } }];
const UNKNOWN_ID = '3f1e8c52-0b6a-4c1e-9a55-6f0d2b7e4a19';

function harness(options: EmulatorOptions = {}) {
  const emulator = conforming(createEmulator(options));
  const events: EmulatorEvent[] = [];
  emulator.subscribe((event) => events.push(event));

  const send = sender(emulator);

  async function placeCall(): Promise<string> {
    const answer = await send('POST', '/calls', {
      body: { source: SOURCE, destinations: [DESTINATION], actions: ACTIONS },
    });
    expect(answer.status).toBe(200);
    return answer.body.calls[0].id;
  }

  const get = async (id: string) => (await send('GET', `/calls/${id}`)).body;
  return { emulator, events, send, placeCall, get };
}

const CONTROLS: [string, string, unknown?][] = [
  ['POST', 'talk', { text: 'Hello there.' }],
  ['POST', 'hold'],
  ['DELETE', 'hold'],
  ['POST', 'mute', { direction: 'both' }],
  ['DELETE', 'mute', { direction: 'both' }],
  ['POST', 'recording_start', {}],
  ['POST', 'recording_stop'],
];

describe('in-call control on the call lifecycle', () => {
  it.each(CONTROLS)(
    '%s /calls/{id}/%s is refused before the answer and after the hangup',
    async (method, verb, body) => {
      const h = harness();
      const id = await h.placeCall();
      const early = await h.send(method, `/calls/${id}/${verb}`, { body });
      expect(early.status).toBe(409);
      expect(early.body.error).toMatchObject({
        status: 'FAILED_PRECONDITION',
        reason: 'CALL_NOT_ANSWERED',
      });
      h.emulator.advance(1_000); // ringing
      expect((await h.send(method, `/calls/${id}/${verb}`, { body })).body.error.reason).toBe(
        'CALL_NOT_ANSWERED',
      );
      h.emulator.advance(63_000); // terminating
      const terminating = await h.send(method, `/calls/${id}/${verb}`, { body });
      expect(terminating.body.error).toMatchObject({
        status: 'FAILED_PRECONDITION',
        reason: 'CALL_ALREADY_HUNG_UP',
      });
      h.emulator.advance(1_000); // hangup
      const late = await h.send(method, `/calls/${id}/${verb}`, { body });
      expect(late.status).toBe(409);
      expect(late.body.error.reason).toBe('CALL_ALREADY_HUNG_UP');
      expect(h.events.filter((e) => e.type === 'call_updated' && e.data.mute_direction)).toEqual(
        [],
      );
    },
  );

  it('talks on an answered call: 200 with no body, the action shows the talk until the next step', async () => {
    const h = harness();
    const id = await h.placeCall();
    h.emulator.advance(5_000);
    const before = await h.get(id);
    expect(before.action.type).toBe('sleep');

    const answer = await h.send('POST', `/calls/${id}/talk`, {
      body: { text: 'Your code is 1234.', language: 'en-US', provider: 'gcp' },
    });
    expect(answer).toMatchObject({ status: 200, text: '' });
    const during = await h.get(id);
    expect(during.status).toBe('progressing');
    expect(during.action).toMatchObject({
      type: 'talk',
      option: { text: 'Your code is 1234.', language: 'en-US', provider: 'gcp' },
    });
    expect(during.action.id).not.toBe(before.action.id);
    expect(during.tm_update > before.tm_update).toBe(true);
    const event = h.events.at(-1);
    expect(event).toMatchObject({ type: 'call_updated', data: { action: { type: 'talk' } } });
    expect(event?.data.tm_update).toBe(during.tm_update);

    // The flow's next step (its end) takes over: terminating, then hangup, as planned.
    h.emulator.advance(59_000);
    const after = await h.get(id);
    expect(after.status).toBe('terminating');
    expect(after.action.type).toBe('sleep');
    expect(after.tm_update > during.tm_update).toBe(true);
  });

  it('holds and unholds an answered call: 200, no visible field, a new tm_update and call_updated', async () => {
    const h = harness();
    const id = await h.placeCall();
    h.emulator.advance(5_000);
    const before = await h.get(id);
    const held = await h.send('POST', `/calls/${id}/hold`);
    expect(held).toMatchObject({ status: 200, text: '' });
    const during = await h.get(id);
    const unheld = await h.send('DELETE', `/calls/${id}/hold`);
    expect(unheld.status).toBe(200);
    const after = await h.get(id);
    const { tm_update: _a, ...rest } = before;
    expect(during).toMatchObject(rest);
    expect(after).toMatchObject(rest);
    expect(during.tm_update > before.tm_update).toBe(true);
    expect(after.tm_update > during.tm_update).toBe(true);
    const updates = h.events.filter((e) => e.type === 'call_updated').map((e) => e.data.tm_update);
    expect(updates.slice(-2)).toEqual([during.tm_update, after.tm_update]);
  });

  it('mutes and unmutes: mute_direction shows the direction, then "" again', async () => {
    const h = harness();
    const id = await h.placeCall();
    h.emulator.advance(5_000);
    expect((await h.get(id)).mute_direction).toBe('');
    for (const direction of ['in', 'out', 'both']) {
      expect((await h.send('POST', `/calls/${id}/mute`, { body: { direction } })).status).toBe(200);
      expect((await h.get(id)).mute_direction).toBe(direction);
      expect(h.events.at(-1)).toMatchObject({
        type: 'call_updated',
        data: { mute_direction: direction },
      });
    }
    const unmuted = await h.send('DELETE', `/calls/${id}/mute`, { body: { direction: 'both' } });
    expect(unmuted).toMatchObject({ status: 200, text: '' });
    expect((await h.get(id)).mute_direction).toBe('');
    expect(h.emulator.call(id)?.mute_direction).toBeNull();
  });

  it('starts and stops recordings: recording_id is the one under way, recording_ids keeps them all', async () => {
    const h = harness();
    const id = await h.placeCall();
    h.emulator.advance(5_000);
    const first = await h.send('POST', `/calls/${id}/recording_start`, {
      body: {
        format: 'wav',
        end_of_silence: 0,
        end_of_key: '',
        duration: 0,
        on_end_flow_id: NIL_UUID,
      },
    });
    expect(first.status).toBe(200);
    const one = first.body.recording_id;
    expect(one).toMatch(/^[0-9a-f-]{36}$/);
    expect(one).not.toBe(NIL_UUID);
    expect(first.body.recording_ids).toEqual([one]);
    expect((await h.get(id)).recording_id).toBe(one);
    expect(h.events.at(-1)).toMatchObject({ type: 'call_updated', data: { recording_id: one } });

    const again = await h.send('POST', `/calls/${id}/recording_start`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.reason).toBe('RECORDING_IN_PROGRESS');

    const stopped = await h.send('POST', `/calls/${id}/recording_stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ id, recording_id: NIL_UUID, recording_ids: [one] });
    expect(stopped.body.tm_update > first.body.tm_update).toBe(true);
    expect((await h.send('POST', `/calls/${id}/recording_stop`)).body.error.reason).toBe(
      'RECORDING_NOT_STARTED',
    );

    const second = await h.send('POST', `/calls/${id}/recording_start`, { body: {} });
    const two = second.body.recording_id;
    expect(two).not.toBe(one);
    expect(second.body.recording_ids).toEqual([one, two]);
  });

  it('gives every event of the call its own tm_update, in order, controls and planned steps alike', async () => {
    const h = harness();
    const id = await h.placeCall();
    h.emulator.advance(4_000);
    await h.send('POST', `/calls/${id}/mute`, { body: { direction: 'in' } });
    await h.send('POST', `/calls/${id}/hold`);
    await h.send('POST', `/calls/${id}/hangup`); // same millisecond: terminating after the controls
    h.emulator.advance(1_000);
    const stamps = h.events.filter((e) => e.data.id === id).map((e) => String(e.data.tm_update));
    expect(new Set(stamps).size).toBe(stamps.length);
    expect([...stamps].sort()).toEqual(stamps);
    expect(h.events.at(-1)).toMatchObject({
      type: 'call_hangup',
      data: { mute_direction: 'in', hangup_reason: 'normal' },
    });
  });

  it("refuses an unknown call (404), another customer's (403) and a bad body (400, with details)", async () => {
    const h = harness({
      credentials: {
        mine: 'c0a80001-0000-4000-8000-000000000001',
        theirs: 'c0a80001-0000-4000-8000-000000000002',
      },
    });
    const placed = await h.send('POST', '/calls', {
      credential: 'mine',
      body: { source: SOURCE, destinations: [DESTINATION], actions: ACTIONS },
    });
    const id = placed.body.calls[0].id;
    h.emulator.advance(5_000);
    const heard = h.events.length;

    for (const [method, verb, body] of CONTROLS) {
      const unknown = await h.send(method, `/calls/${UNKNOWN_ID}/${verb}`, {
        credential: 'mine',
        body,
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ status: 'NOT_FOUND', reason: 'CALL_NOT_FOUND' });
      const theirs = await h.send(method, `/calls/${id}/${verb}`, { credential: 'theirs', body });
      expect(theirs.status).toBe(403);
      expect(theirs.body.error.status).toBe('PERMISSION_DENIED');
    }

    const bad: [string, string, unknown, string[]][] = [
      ['POST', 'talk', { text: '' }, ['text']],
      ['POST', 'talk', { text: 'Hi', language: 'klingon!', voice: 'x' }, ['language', 'voice']],
      ['POST', 'mute', { direction: 'sideways' }, ['direction']],
      ['DELETE', 'mute', {}, ['direction']],
      ['POST', 'recording_start', { format: 'mp3', duration: -1 }, ['format', 'duration']],
    ];
    for (const [method, verb, body, fields] of bad) {
      const answer = await h.send(method, `/calls/${id}/${verb}`, { credential: 'mine', body });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        status: 'INVALID_ARGUMENT',
        reason: 'INVALID_REQUEST_BODY',
      });
      expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual(fields);
    }
    const notJson = await h.send('POST', `/calls/${id}/talk`, { credential: 'mine', raw: '{text' });
    expect(notJson.body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      reason: 'INVALID_JSON_BODY',
    });
    // Nothing refused changed the call.
    expect(h.events.length).toBe(heard);
  });

  it('answers 404 to an unknown control or a wrong method', async () => {
    const h = harness();
    const id = await h.placeCall();
    h.emulator.advance(5_000);
    for (const [method, verb] of [
      ['GET', 'talk'],
      ['DELETE', 'talk'],
      ['POST', 'dance'],
      ['DELETE', 'recording_start'],
    ]) {
      const answer = await h.send(method as string, `/calls/${id}/${verb}`);
      expect(answer.status).toBe(404);
      expect(answer.body.error.reason).toBe('ROUTE_NOT_FOUND');
    }
  });
});

describe("core's client against the emulator", () => {
  function setup() {
    const emulator = conforming(createEmulator());
    const requests: string[] = [];
    const voipbin = createClient({
      actions: ACTION_SCHEMAS,
      baseURL: 'http://emulator.test/v1.0',
      token: 'test-token-123',
      retryDelay: 0,
      fetch: (input, init) => {
        const request = new Request(input, init);
        requests.push(`${request.method} ${new URL(request.url).pathname}`);
        return emulator.fetch(request);
      },
    });
    return { emulator, voipbin, requests };
  }

  it('talks, holds, mutes and records a call, and reads each change back', async () => {
    const { emulator, voipbin } = setup();
    const { calls } = await voipbin.calls.create({
      source: { type: 'tel', target: '+821028286521' },
      destinations: [{ type: 'tel', target: '+821021656521' }],
      actions: [{ type: 'sleep', option: { duration: 60_000 } }],
    });
    const id = calls[0]?.id as string;

    const early = await voipbin.calls.talk(id, { text: 'Too soon.' }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(VoipbinApiError);
    expect(early).toMatchObject({ httpStatus: 409, reason: 'CALL_NOT_ANSWERED' });

    emulator.advance(5_000);
    await expect(
      voipbin.calls.talk(id, { text: 'Hello.', language: 'en-US' }),
    ).resolves.toBeUndefined();
    expect((await voipbin.calls.get(id)).action).toMatchObject({
      type: 'talk',
      option: { text: 'Hello.' },
    });

    await expect(voipbin.calls.hold(id)).resolves.toBeUndefined();
    await expect(voipbin.calls.unhold(id)).resolves.toBeUndefined();

    await voipbin.calls.mute(id, { direction: 'out' });
    expect((await voipbin.calls.get(id)).mute_direction).toBe('out');
    await voipbin.calls.unmute(id, { direction: 'out' });
    expect((await voipbin.calls.get(id)).mute_direction).toBeNull();

    const recording = await voipbin.calls.startRecording(id);
    expect(recording.recording_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(recording.recording_ids).toEqual([recording.recording_id]);
    const stopped = await voipbin.calls.stopRecording(id);
    expect(stopped).toMatchObject({
      id,
      recording_id: null,
      recording_ids: [recording.recording_id],
    });

    await voipbin.calls.hangup(id);
    emulator.advance(1_000);
    const late = await voipbin.calls.mute(id, { direction: 'in' }).catch((e: unknown) => e);
    expect(late).toMatchObject({ httpStatus: 409, reason: 'CALL_ALREADY_HUNG_UP' });
  });

  it('refuses a bad request in the client, before the emulator hears of it', async () => {
    const { voipbin, requests } = setup();
    const id = '3f1e8c52-0b6a-4c1e-9a55-6f0d2b7e4a19';
    await expect(voipbin.calls.talk(id, { text: '' })).rejects.toThrow(VoipbinValidationError);
    await expect(voipbin.calls.mute(id, { direction: 'up' } as never)).rejects.toThrow(
      VoipbinValidationError,
    );
    expect(requests).toEqual([]);
    const unknown = await voipbin.calls.stopRecording(id).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ httpStatus: 404, reason: 'CALL_NOT_FOUND' });
  });
});
