/**
 * In-call control on the emulator, as VoIPBIN's call-manager does it (cm callhandler
 * hangup.go, media.go, mute.go, recording.go; am server/calls.go), its routes built from core's
 * CALL_CONTROLS. Every answer is checked against VoIPBIN's spec (support/conforming.ts).
 */
import {
  ACTION_SCHEMAS,
  CALL_CONTROLS,
  createClient,
  NIL_UUID,
  VoipbinValidationError,
} from '@voipbin-kit/core';
import { describe, expect, it } from 'vitest';
import { createEmulator, type EmulatorEvent, type EmulatorOptions } from '../src/index.ts';
import { BEHAVIOURS } from '../src/routes/control.ts';
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

/** The verbs answering 200 with an empty body, and a body each takes. */
const NOTHING: [string, string, unknown?][] = [
  ['POST', 'talk', { text: 'Hello there.' }],
  ['POST', 'hold'],
  ['DELETE', 'hold'],
  ['POST', 'mute', {}],
  ['DELETE', 'mute', {}],
  ['POST', 'moh'],
  ['DELETE', 'moh'],
  ['POST', 'silence'],
  ['DELETE', 'silence'],
];

describe('the control routes come from CALL_CONTROLS', () => {
  it('has a behaviour for each verb of the table, and serves each row', async () => {
    expect(Object.keys(BEHAVIOURS).sort()).toEqual(Object.keys(CALL_CONTROLS).sort());
    const { send } = harness();
    for (const { method, path } of Object.values(CALL_CONTROLS)) {
      const answer = await send(method, `/calls/${UNKNOWN_ID}/${path}`, { body: {} });
      expect(answer.body?.error?.reason, `${method} ${path}`).toBe('CALL_NOT_FOUND');
    }
    // A verb the table does not have is no route.
    const other = await send('POST', `/calls/${UNKNOWN_ID}/transfer`, { body: {} });
    expect(other.body.error.reason).toBe('ROUTE_NOT_FOUND');
  });
});

describe('in-call control on the call lifecycle', () => {
  it.each(NOTHING)(
    '%s /calls/{id}/%s answers 200 with an empty body, while dialing too (not status-checked)',
    async (method, verb, body) => {
      const { send, placeCall } = harness();
      const id = await placeCall();
      const dialing = await send(method, `/calls/${id}/${verb}`, { body });
      expect([dialing.status, dialing.text]).toEqual([200, '']);
      const { emulator } = harness();
      void emulator;
    },
  );

  it.each(NOTHING.filter(([, verb]) => verb !== 'talk'))(
    '%s /calls/{id}/%s on a hung-up call (its channel gone) answers 400 INVALID_ARGUMENT',
    async (method, verb, body) => {
      const { emulator, send, placeCall } = harness();
      const id = await placeCall();
      await send('POST', `/calls/${id}/hangup`);
      emulator.advance(1_000);
      const late = await send(method, `/calls/${id}/${verb}`, { body });
      expect(late.status).toBe(400);
      expect(late.body.error).toMatchObject({
        status: 'INVALID_ARGUMENT',
        reason: 'INVALID_ARGUMENT',
      });
    },
  );

  it('talk answers 200 with no body, does not change the action, and emits nothing', async () => {
    const { emulator, events, send, placeCall, get } = harness();
    const id = await placeCall();
    emulator.advance(5_000);
    const before = await get(id);
    const sent = events.length;
    const talk = await send('POST', `/calls/${id}/talk`, {
      body: { text: 'Hello.', language: 'en-US', provider: 'gcp', voice_id: 'x', gender: 'female' },
    });
    expect([talk.status, talk.text]).toEqual([200, '']);
    expect(await get(id)).toEqual(before);
    expect(events).toHaveLength(sent);
    // On a hung-up call the channel cannot be answered: 500.
    await send('POST', `/calls/${id}/hangup`);
    emulator.advance(1_000);
    const late = await send('POST', `/calls/${id}/talk`, { body: { text: 'Late.' } });
    expect(late.status).toBe(500);
    expect(late.body.error.reason).toBe('INTERNAL');
  });

  it('hold, moh and silence change nothing the call shows and emit nothing', async () => {
    const { emulator, events, send, placeCall, get } = harness();
    const id = await placeCall();
    emulator.advance(5_000);
    const before = await get(id);
    const sent = events.length;
    for (const [method, verb] of NOTHING.filter(([, v]) =>
      ['hold', 'moh', 'silence'].includes(v),
    )) {
      expect((await send(method, `/calls/${id}/${verb}`)).status).toBe(200);
    }
    expect(await get(id)).toEqual(before);
    expect(events).toHaveLength(sent);
  });

  it('mute: direction optional ("" = both); unmuting in from both leaves out, and out leaves in (cm mute.go MuteOff)', async () => {
    const { emulator, events, send, placeCall, get } = harness();
    const id = await placeCall();
    emulator.advance(5_000);
    const mute = async (method: string, direction?: string) => {
      const answer = await send(method, `/calls/${id}/mute`, {
        body: direction === undefined ? {} : { direction },
      });
      expect([answer.status, answer.text]).toEqual([200, '']);
      return (await get(id)).mute_direction;
    };
    expect((await get(id)).mute_direction).toBeUndefined();
    expect(await mute('POST')).toBe('both');
    expect(await mute('DELETE', 'in')).toBe('out');
    expect(await mute('POST', '')).toBe('both');
    expect(await mute('DELETE', 'out')).toBe('in');
    expect(await mute('DELETE', 'in')).toBeUndefined();
    expect(await mute('POST', 'in')).toBe('in');
    // Unmuting another direction leaves the call's as it is; unmuting none means both.
    expect(await mute('DELETE', 'out')).toBe('in');
    expect(await mute('DELETE')).toBe('in');
    // Each change emits call_updated, with the direction then.
    const updates = events.filter((e) => e.type === 'call_updated').slice(-8);
    expect(updates.map((e) => e.data.mute_direction)).toEqual([
      'both',
      'out',
      'both',
      'in',
      undefined,
      'in',
      'in',
      'in',
    ]);
    const bad = await send('POST', `/calls/${id}/mute`, { body: { direction: 'sideways' } });
    expect(bad.status).toBe(400);
  });

  it('recording_start answers the call with its recording; again, or not progressing, is 500 INTERNAL; no event', async () => {
    const { emulator, events, send, placeCall } = harness();
    const id = await placeCall();
    const early = await send('POST', `/calls/${id}/recording_start`, { body: {} });
    expect(early.status).toBe(500);
    expect(early.body.error.reason).toBe('INTERNAL');
    emulator.advance(5_000);
    const sent = events.length;
    const started = await send('POST', `/calls/${id}/recording_start`, {
      body: { format: 'wav', duration: 30, unknown: true },
    });
    expect(started.status).toBe(200);
    expect(started.body.id).toBe(id);
    expect(started.body.recording_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.body.recording_id).not.toBe(NIL_UUID);
    expect(started.body.recording_ids).toEqual([started.body.recording_id]);
    const again = await send('POST', `/calls/${id}/recording_start`, { body: {} });
    expect(again.status).toBe(500);
    const stopped = await send('POST', `/calls/${id}/recording_stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.recording_id).toBe(NIL_UUID);
    expect(stopped.body.recording_ids).toEqual([started.body.recording_id]);
    expect(events).toHaveLength(sent);
    // A JSON type mismatch is INVALID_JSON_BODY (Go's int).
    const mismatch = await send('POST', `/calls/${id}/recording_start`, {
      body: { duration: 'x' },
    });
    expect(mismatch.body.error.reason).toBe('INVALID_JSON_BODY');
  });

  it('recording_stop with nothing recording answers 200 with the call unchanged (a known difference: VoIPBIN answers an all-zero call)', async () => {
    const { emulator, send, placeCall, get } = harness();
    const id = await placeCall();
    emulator.advance(5_000);
    const before = await get(id);
    const stopped = await send('POST', `/calls/${id}/recording_stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toEqual(before);
  });

  it('gives every event of the call its own tm_update, in order, controls and planned steps alike', async () => {
    const { emulator, events, send, placeCall } = harness();
    const id = await placeCall();
    emulator.advance(4_000);
    await send('POST', `/calls/${id}/mute`, { body: { direction: 'in' } });
    await send('DELETE', `/calls/${id}/mute`, { body: {} });
    emulator.advance(70_000);
    const stamps = events.map((e) => String(e.data.tm_update ?? e.data.tm_create));
    expect(new Set(stamps).size).toBe(stamps.length);
    const times = stamps.map((t) => Date.parse(t));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('checks the id, then the body, then the call: 400 INVALID_ID, 400 INVALID_JSON_BODY, 404, 403', async () => {
    const { send, placeCall } = harness({ credentials: { a: 'customer-a', b: 'customer-b' } });
    const bad = await send('POST', '/calls/not-a-uuid/talk', { raw: '{', credential: 'a' });
    expect([bad.status, bad.body.error.reason]).toEqual([400, 'INVALID_ID']);
    const body = await send('POST', `/calls/${UNKNOWN_ID}/talk`, { raw: '{', credential: 'a' });
    expect([body.status, body.body.error.reason]).toEqual([400, 'INVALID_JSON_BODY']);
    const empty = await send('POST', `/calls/${UNKNOWN_ID}/mute`, { credential: 'a' });
    expect([empty.status, empty.body.error.reason]).toEqual([400, 'INVALID_JSON_BODY']);
    const unknown = await send('POST', `/calls/${UNKNOWN_ID}/talk`, { body: {}, credential: 'a' });
    expect([unknown.status, unknown.body.error.reason]).toEqual([404, 'CALL_NOT_FOUND']);
    void placeCall;
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

    emulator.advance(5_000);
    await expect(
      voipbin.calls.talk(id, { text: 'Hello.', language: 'en-US' }),
    ).resolves.toBeUndefined();
    expect((await voipbin.calls.get(id)).action).toMatchObject({ type: 'sleep' });

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
    expect(late).toMatchObject({ httpStatus: 400, reason: 'INVALID_ARGUMENT' });
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
