/**
 * core's client against the emulator in-process: the emulator's `fetch` is the client's
 * `fetch`, and the manual clock moves calls through their lives.
 */
import {
  ACTION_SCHEMAS,
  type CreateCallRequest,
  createClient,
  talk,
  VoipbinApiError,
  VoipbinValidationError,
} from '@voipbin-kit/core';
import { describe, expect, it } from 'vitest';
import {
  createEmulator,
  type EmulatorEvent,
  type EmulatorOptions,
  QUICKSTART_FLOW,
  TEST_NUMBERS,
} from '../src/index.ts';
import { conforming } from './support/conforming.ts';

const CALL: CreateCallRequest = {
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [talk({ text: 'Hello. This is a test of the emulator.', language: 'en-US' })],
};
const UNKNOWN_ID = '3f1e8c52-0b6a-4c1e-9a55-6f0d2b7e4a19';

function setup(options: EmulatorOptions = {}, client: { accessKey?: string } = {}) {
  const emulator = conforming(createEmulator(options));
  const requests: { method: string; path: string }[] = [];
  const voipbin = createClient({
    actions: ACTION_SCHEMAS,
    baseURL: 'http://emulator.test/v1.0',
    ...(client.accessKey ? { accessKey: client.accessKey } : { token: 'test-token-123' }),
    retryDelay: 0,
    fetch: (input, init) => {
      const request = new Request(input, init);
      requests.push({ method: request.method, path: new URL(request.url).pathname });
      return emulator.fetch(request);
    },
  });
  return { emulator, voipbin, requests };
}

/** Rejects with the client's error, for assertions on its fields. */
async function failure(promise: Promise<unknown>): Promise<VoipbinApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoipbinApiError);
  return error as VoipbinApiError;
}

describe('placing a call', () => {
  it('answers the call dialing, read and normalised by the client', async () => {
    const { voipbin } = setup();
    const { calls, groupcalls } = await voipbin.calls.create(CALL);
    expect(groupcalls).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      status: 'dialing',
      type: 'flow',
      direction: 'outgoing',
      source: { type: 'tel', target: '+821028286521', name: null },
      destination: { type: 'tel', target: '+821021656521' },
      // "Not set" in any spelling reads as null.
      action: { id: '00000000-0000-0000-0000-000000000001', type: null },
      hangup_by: null,
      hangup_reason: null,
      master_call_id: null,
      tm_ringing: null,
      tm_hangup: null,
      tm_create: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });
  });

  it('follows the call to hangup on the manual clock', async () => {
    const { voipbin, emulator } = setup();
    const { calls } = await voipbin.calls.create(CALL);
    const id = calls[0]?.id as string;
    const statuses: string[] = [];
    for (let ms = 0; ms <= 20_000; ms += 100) {
      const call = await voipbin.calls.get(id);
      if (statuses.at(-1) !== call.status) statuses.push(call.status);
      emulator.advance(100);
    }
    expect(statuses).toEqual(['dialing', 'ringing', 'progressing', 'terminating', 'hangup']);
    const call = await voipbin.calls.get(id);
    expect(call).toMatchObject({ status: 'hangup', hangup_by: 'local', hangup_reason: 'normal' });
    const { tm_create, tm_ringing, tm_progressing, tm_hangup } = call;
    expect([tm_create, tm_ringing, tm_progressing, tm_hangup].every(Boolean)).toBe(true);
    expect([tm_create, tm_ringing, tm_progressing, tm_hangup]).toEqual(
      [tm_create, tm_ringing, tm_progressing, tm_hangup].sort(),
    );
  });

  it('shows the action running once the call is answered', async () => {
    const { voipbin, emulator } = setup();
    const { calls } = await voipbin.calls.create(CALL);
    emulator.advance(4_000);
    const call = await voipbin.calls.get(calls[0]?.id as string);
    expect(call.status).toBe('progressing');
    expect(call.action).toMatchObject({
      type: 'talk',
      option: { text: 'Hello. This is a test of the emulator.' },
      tm_execute: expect.any(String),
    });
  });

  it('gives groupcalls for an extension and an agent, whose legs the client reads', async () => {
    const { voipbin } = setup();
    const agent = '9b0c3f0e-5d2a-4e71-8f3b-2c6d1a0e9f47';
    const { calls, groupcalls } = await voipbin.calls.create({
      ...CALL,
      destinations: [
        { type: 'extension', target_name: 'front-desk' },
        { type: 'agent', target: agent },
      ],
    });
    expect(calls).toEqual([]);
    expect(groupcalls).toHaveLength(2);
    expect(groupcalls[1]?.destinations).toEqual([expect.objectContaining({ target: agent })]);
    for (const group of groupcalls) {
      const leg = await voipbin.calls.get(group.call_ids[0] as string);
      // VoIPBIN does not copy groupcall_id into the call's answer: always nil (core: null).
      expect(leg.id).toBe(group.call_ids[0]);
      expect(leg.groupcall_id).toBeNull();
    }
  });

  it('refuses an invalid request before sending anything', async () => {
    const { voipbin, requests } = setup();
    await expect(
      voipbin.calls.create({ ...CALL, destinations: [{ type: 'tel', target: '010-1234' }] }),
    ).rejects.toThrow(VoipbinValidationError);
    expect(requests).toEqual([]);
  });
});

describe('listing calls', () => {
  it('lists a page, and iterates every call across pages, newest first', async () => {
    const { voipbin, emulator, requests } = setup();
    const placed: string[] = [];
    for (let i = 0; i < 7; i++) {
      placed.push((await voipbin.calls.create(CALL)).calls[0]?.id as string);
      emulator.advance(10);
    }
    const page = await voipbin.calls.list({ page_size: 3 });
    expect(page.result.map((c) => c.id)).toEqual(placed.slice(-3).reverse());
    expect(page.next_page_token).toEqual(expect.any(String));

    requests.length = 0;
    const ids: string[] = [];
    for await (const call of voipbin.calls.iterate({ page_size: 3 })) ids.push(call.id);
    expect(ids).toEqual([...placed].reverse());
    // VoIPBIN sets a token whenever the page is not empty: the 4th page is the empty one.
    expect(requests).toHaveLength(4);

    const last = await voipbin.calls.list({ page_size: 7 });
    expect(last.next_page_token).toEqual(expect.any(String));
  });

  it('gets one call by id; an unknown id is a 404 VoipbinApiError', async () => {
    const { voipbin } = setup();
    const id = (await voipbin.calls.create(CALL)).calls[0]?.id as string;
    expect((await voipbin.calls.get(id)).id).toBe(id);
    const error = await failure(voipbin.calls.get(UNKNOWN_ID));
    expect(error).toMatchObject({ httpStatus: 404, status: 'NOT_FOUND', reason: 'CALL_NOT_FOUND' });
  });
});

describe('hanging up', () => {
  it('a ringing call goes canceling, then hangup with reason cancel', async () => {
    const { voipbin, emulator } = setup();
    const id = (await voipbin.calls.create(CALL)).calls[0]?.id as string;
    emulator.advance(1_500);
    expect((await voipbin.calls.get(id)).status).toBe('ringing');
    expect((await voipbin.calls.hangup(id)).status).toBe('canceling');
    emulator.advance(1_000);
    expect(await voipbin.calls.get(id)).toMatchObject({
      status: 'hangup',
      hangup_by: 'local',
      hangup_reason: 'cancel',
      tm_progressing: null,
    });
  });

  it('an answered call goes terminating, then hangup with reason normal', async () => {
    const { voipbin, emulator } = setup();
    const id = (await voipbin.calls.create(CALL)).calls[0]?.id as string;
    emulator.advance(4_500);
    expect((await voipbin.calls.hangup(id)).status).toBe('terminating');
    emulator.advance(1_000);
    expect(await voipbin.calls.get(id)).toMatchObject({
      status: 'hangup',
      hangup_by: 'local',
      hangup_reason: 'normal',
    });
  });

  it('hanging up again answers the call unchanged (cm hangup.go: idempotent)', async () => {
    const { voipbin, emulator } = setup();
    const id = (await voipbin.calls.create(CALL)).calls[0]?.id as string;
    await voipbin.calls.hangup(id);
    emulator.advance(1_000);
    const before = await voipbin.calls.get(id);
    expect(await voipbin.calls.hangup(id)).toEqual(before);
  });

  it('a call in progress is deleted: hung up, tm_delete set; it is then refused (409 STATE_INVALID)', async () => {
    const { voipbin, emulator } = setup();
    const id = (await voipbin.calls.create(CALL)).calls[0]?.id as string;
    const deleted = await voipbin.calls.delete(id);
    expect(deleted).toMatchObject({ id, status: 'canceling', tm_delete: expect.any(String) });
    emulator.advance(60_000);
    const error = await failure(voipbin.calls.get(id));
    expect(error).toMatchObject({
      httpStatus: 409,
      reason: 'STATE_INVALID',
      requestId: expect.stringMatching(/^req_[A-Z2-7]{26}$/),
    });
    expect(emulator.call(id)?.status).toBe('hangup');
  });
});

describe('flows', () => {
  it('are created, read, listed and deleted', async () => {
    const { voipbin } = setup();
    const flow = await voipbin.flows.create({
      name: 'greeting',
      detail: 'says hello',
      actions: [talk({ text: 'Hello' })],
    });
    expect(flow).toMatchObject({ name: 'greeting', detail: 'says hello', type: 'flow' });
    expect(flow.actions).toEqual([
      expect.objectContaining({ type: 'talk', id: expect.any(String) }),
    ]);

    expect(await voipbin.flows.get(flow.id)).toEqual(flow);
    const { result } = await voipbin.flows.list();
    expect(result.map((f) => f.id).sort()).toEqual([flow.id, QUICKSTART_FLOW.id].sort());

    const deleted = await voipbin.flows.delete(flow.id);
    expect(deleted).toMatchObject({ id: flow.id, tm_delete: expect.any(String) });
    const error = await failure(voipbin.flows.get(flow.id));
    // am pkg/servicehandler/flow.go:27-29: a deleted flow is `ErrNotFound`, RESOURCE_NOT_FOUND.
    expect(error).toMatchObject({ httpStatus: 404, reason: 'RESOURCE_NOT_FOUND' });
    expect((await voipbin.flows.list()).result.map((f) => f.id)).toEqual([QUICKSTART_FLOW.id]);
  });

  it('a call with the flow_id of an existing flow runs that flow', async () => {
    const { voipbin, emulator } = setup();
    const flow = await voipbin.flows.create({
      name: 'beep',
      detail: '',
      actions: [{ type: 'beep' }, talk({ text: 'After the beep.' })],
    });
    const { source, destinations } = CALL;
    const { calls } = await voipbin.calls.create({ source, destinations, flow_id: flow.id });
    const id = calls[0]?.id as string;
    expect(calls[0]?.flow_id).toBe(flow.id);
    emulator.advance(4_000);
    expect((await voipbin.calls.get(id)).action).toMatchObject({
      id: flow.actions[0]?.id,
      type: 'beep',
    });
    emulator.advance(500);
    expect((await voipbin.calls.get(id)).action).toMatchObject({
      id: flow.actions[1]?.id,
      type: 'talk',
    });
  });

  it('a call with an unknown flow_id is a 404 and places nothing', async () => {
    const { voipbin, emulator } = setup();
    const { source, destinations } = CALL;
    const error = await failure(
      voipbin.calls.create({ source, destinations, flow_id: UNKNOWN_ID }),
    );
    expect(error).toMatchObject({ httpStatus: 404, status: 'NOT_FOUND', reason: 'FLOW_NOT_FOUND' });
    expect(emulator.calls()).toEqual([]);
    expect(emulator.stats().active).toBe(0);
  });
});

describe('what the emulator keeps', () => {
  /** Places one call to `target` with inline actions (so with a temporary flow of its own). */
  const place = async (voipbin: ReturnType<typeof setup>['voipbin'], target: string) => {
    const { calls } = await voipbin.calls.create({
      ...CALL,
      destinations: [{ type: 'tel', target }],
    });
    return calls[0] as { id: string; flow_id: string | null };
  };
  const flowIds = (emulator: ReturnType<typeof setup>['emulator']) =>
    emulator.flows().map((flow) => flow.id);

  it('keeps only maxFinishedCalls finished calls: the first to finish is dropped, with its temporary flow', async () => {
    const { voipbin, emulator } = setup({ maxFinishedCalls: 2 });
    // Placed in one order, finishing in another: failed at 0.5 s, busy at 1.5 s, answer last.
    const answered = await place(voipbin, TEST_NUMBERS.answer);
    const busy = await place(voipbin, TEST_NUMBERS.busy);
    const failed = await place(voipbin, TEST_NUMBERS.failed);
    const flows = [answered.flow_id, busy.flow_id, failed.flow_id];
    expect(new Set(flows).size).toBe(3);
    expect(flowIds(emulator)).toEqual(expect.arrayContaining(flows));

    // Two finished, two kept: nothing dropped yet.
    emulator.advance(2_000);
    expect((await voipbin.calls.get(failed.id)).hangup_reason).toBe('failed');
    expect((await voipbin.calls.get(busy.id)).hangup_reason).toBe('busy');

    // The third finishes: the first to finish goes, its temporary flow with it.
    emulator.advance(60_000);
    const error = await failure(voipbin.calls.get(failed.id));
    expect(error).toMatchObject({ httpStatus: 404, reason: 'CALL_NOT_FOUND' });
    expect(emulator.call(failed.id)).toBeUndefined();
    expect((await voipbin.calls.get(busy.id)).status).toBe('hangup');
    expect((await voipbin.calls.get(answered.id)).status).toBe('hangup');
    expect(flowIds(emulator)).not.toContain(failed.flow_id);
    expect(flowIds(emulator)).toEqual(
      expect.arrayContaining([answered.flow_id, busy.flow_id, QUICKSTART_FLOW.id]),
    );
    expect(emulator.stats()).toEqual({ active: 0, finished: 2, held: 2, flows: 3, sockets: 0 });
  });

  it('reset() forgets calls, groupcalls, flows and faults, seeds the quickstart flow again and sends no stale events', async () => {
    const { voipbin, emulator } = setup();
    const events: EmulatorEvent[] = [];
    emulator.subscribe((event) => events.push(event));
    const finished = await place(voipbin, TEST_NUMBERS.failed);
    const running = await place(voipbin, TEST_NUMBERS.answer);
    const { groupcalls } = await voipbin.calls.create({
      ...CALL,
      destinations: [{ type: 'extension', target_name: 'front-desk' }],
    });
    const leg = groupcalls[0]?.call_ids[0] as string;
    const flow = await voipbin.flows.create({
      name: 'mine',
      detail: '',
      actions: [talk({ text: 'Hi' })],
    });
    // A deleted flow stays known as deleted (RESOURCE_NOT_FOUND) until reset() seeds it again.
    await voipbin.flows.delete(QUICKSTART_FLOW.id);
    emulator.advance(1_000);
    expect(emulator.stats()).toMatchObject({ active: 2, finished: 1, held: 3 });
    emulator.faults.set([{ path: '/v1.0/calls', status: 503 }]);

    emulator.reset();
    events.length = 0;

    for (const id of [finished.id, running.id, leg]) {
      const error = await failure(voipbin.calls.get(id));
      expect(error).toMatchObject({ httpStatus: 404, reason: 'CALL_NOT_FOUND' });
    }
    expect((await failure(voipbin.flows.get(flow.id))).httpStatus).toBe(404);
    expect(emulator.calls()).toEqual([]);
    expect(flowIds(emulator)).toEqual([QUICKSTART_FLOW.id]);
    expect((await voipbin.flows.get(QUICKSTART_FLOW.id)).name).toBe(QUICKSTART_FLOW.name);
    expect(emulator.stats()).toEqual({ active: 0, finished: 0, held: 0, flows: 1, sockets: 0 });

    // The calls that were running send nothing more, however long the clock runs.
    emulator.advance(60_000);
    expect(events).toEqual([]);

    // A call placed now runs as usual (the fault is gone), its events to the same subscriber.
    const fresh = await place(voipbin, TEST_NUMBERS.busy);
    emulator.advance(60_000);
    expect(events.map((event) => [event.type, event.data.id])).toEqual([
      ['call_created', fresh.id],
      ['call_hangup', fresh.id],
    ]);
  });
});

describe('credentials', () => {
  const credentials = { 'key-a': 'a0a0a0a0-1111-4111-8111-000000000001' };

  it('an accepted access key acts as its customer', async () => {
    const { voipbin } = setup({ credentials }, { accessKey: 'key-a' });
    const { calls } = await voipbin.calls.create(CALL);
    expect(calls[0]?.customer_id).toBe(credentials['key-a']);
  });

  it('a key not accepted is a 401 VoipbinApiError, with the key kept out of the error', async () => {
    const { voipbin, emulator } = setup({ credentials }, { accessKey: 'key-zzz-secret' });
    const error = await failure(voipbin.calls.create(CALL));
    expect(error).toMatchObject({ httpStatus: 401, status: 'UNAUTHENTICATED' });
    expect(JSON.stringify(error.toJSON())).not.toContain('key-zzz-secret');
    expect(emulator.calls()).toEqual([]);
  });
});
