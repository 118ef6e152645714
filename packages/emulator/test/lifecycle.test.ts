import {
  ACTION_SCHEMAS,
  type Action,
  action,
  type Call,
  createClient,
  sleep,
  talk,
  type VoipbinClient,
} from '@voipbin-kit/core';
import { describe, expect, test } from 'vitest';
import {
  createEmulator,
  type Emulator,
  type EmulatorEvent,
  TEST_NUMBERS,
  voipbinTime,
} from '../src/index.ts';
import { conforming } from './support/conforming.ts';

/**
 * The lifecycle of a call for each ending, on the manual clock, as a subscriber and a client
 * see it. Each row lists every event with the moment (ms after the call was placed) it goes
 * out, the call's status in it and the action running then.
 */

type Row = {
  /** What the row shows. */
  name: string;
  destination: string;
  actions: Action[];
  /** Hang up through the API at this moment. */
  hangupAt?: number;
  /** `[at, event type, status, action type]`. */
  events: [number, EmulatorEvent['type'], string, string | null][];
  hangup: { by: string; reason: string };
  /** When the call rang, was answered and hung up (ms after it was placed); null: never. */
  tm: { ringing: number | null; progressing: number | null; hangup: number };
};

/** "Hello there" is 11 characters: the shortest talk, 1 s. */
const FLOW: Action[] = [talk({ text: 'Hello there' }), sleep(2_000)];

const TABLE: Row[] = [
  {
    name: 'normal: answered, runs its flow, VoIPBIN hangs up after it',
    destination: TEST_NUMBERS.answer,
    actions: FLOW,
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [4_000, 'call_progressing', 'progressing', null],
      [4_000, 'call_updated', 'progressing', 'talk'],
      [5_000, 'call_updated', 'progressing', 'sleep'],
      [7_000, 'call_terminating', 'terminating', 'sleep'],
      [7_200, 'call_hangup', 'hangup', 'sleep'],
    ],
    hangup: { by: 'local', reason: 'normal' },
    tm: { ringing: 1_000, progressing: 4_000, hangup: 7_200 },
  },
  {
    name: 'any number other than a test number behaves as normal',
    destination: '+821021656521',
    actions: FLOW,
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [4_000, 'call_progressing', 'progressing', null],
      [4_000, 'call_updated', 'progressing', 'talk'],
      [5_000, 'call_updated', 'progressing', 'sleep'],
      [7_000, 'call_terminating', 'terminating', 'sleep'],
      [7_200, 'call_hangup', 'hangup', 'sleep'],
    ],
    hangup: { by: 'local', reason: 'normal' },
    tm: { ringing: 1_000, progressing: 4_000, hangup: 7_200 },
  },
  {
    name: 'busy: never rings, hangs up busy (remote)',
    destination: TEST_NUMBERS.busy,
    actions: FLOW,
    events: [
      [0, 'call_created', 'dialing', null],
      [1_500, 'call_hangup', 'hangup', null],
    ],
    hangup: { by: 'remote', reason: 'busy' },
    tm: { ringing: null, progressing: null, hangup: 1_500 },
  },
  {
    name: 'noanswer: rings until the 60 s dial timeout, nobody answers, hangs up noanswer (remote)',
    destination: TEST_NUMBERS.noanswer,
    actions: FLOW,
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [60_000, 'call_hangup', 'hangup', null],
    ],
    hangup: { by: 'remote', reason: 'noanswer' },
    tm: { ringing: 1_000, progressing: null, hangup: 60_000 },
  },
  {
    name: 'failed: the network fails it, hangs up failed (remote)',
    destination: TEST_NUMBERS.failed,
    actions: FLOW,
    events: [
      [0, 'call_created', 'dialing', null],
      [500, 'call_hangup', 'hangup', null],
    ],
    hangup: { by: 'remote', reason: 'failed' },
    tm: { ringing: null, progressing: null, hangup: 500 },
  },
  {
    name: 'cancel: the caller hangs up through the API while it rings',
    destination: TEST_NUMBERS.answer,
    actions: FLOW,
    hangupAt: 2_000,
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [2_000, 'call_canceling', 'canceling', null],
      [2_200, 'call_hangup', 'hangup', null],
    ],
    hangup: { by: 'local', reason: 'cancel' },
    tm: { ringing: 1_000, progressing: null, hangup: 2_200 },
  },
  {
    name: 'cancel: the caller hangs up through the API while it dials',
    destination: TEST_NUMBERS.answer,
    actions: FLOW,
    hangupAt: 300,
    events: [
      [0, 'call_created', 'dialing', null],
      [300, 'call_canceling', 'canceling', null],
      [500, 'call_hangup', 'hangup', null],
    ],
    hangup: { by: 'local', reason: 'cancel' },
    tm: { ringing: null, progressing: null, hangup: 500 },
  },
  {
    name: 'amd: a machine answers and the amd action hangs up (amd, local)',
    destination: TEST_NUMBERS.machine,
    actions: [action('amd', { machine_handle: 'hangup' }), talk({ text: 'Leave a message' })],
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [4_000, 'call_progressing', 'progressing', null],
      [4_000, 'call_updated', 'progressing', 'amd'],
      [6_000, 'call_terminating', 'terminating', 'amd'],
      [6_200, 'call_hangup', 'hangup', 'amd'],
    ],
    hangup: { by: 'local', reason: 'amd' },
    tm: { ringing: 1_000, progressing: 4_000, hangup: 6_200 },
  },
  {
    name: 'endless: stays progressing after its flow until hung up through the API',
    destination: TEST_NUMBERS.endless,
    actions: FLOW,
    hangupAt: 600_000,
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [4_000, 'call_progressing', 'progressing', null],
      [4_000, 'call_updated', 'progressing', 'talk'],
      [5_000, 'call_updated', 'progressing', 'sleep'],
      [600_000, 'call_terminating', 'terminating', 'sleep'],
      [600_200, 'call_hangup', 'hangup', 'sleep'],
    ],
    hangup: { by: 'local', reason: 'normal' },
    tm: { ringing: 1_000, progressing: 4_000, hangup: 600_200 },
  },
  {
    name: 'max duration: an endless call is cut at 1 h, progressing -> hangup (timeout, remote)',
    destination: TEST_NUMBERS.endless,
    actions: FLOW,
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [4_000, 'call_progressing', 'progressing', null],
      [4_000, 'call_updated', 'progressing', 'talk'],
      [5_000, 'call_updated', 'progressing', 'sleep'],
      [3_600_000, 'call_hangup', 'hangup', 'sleep'],
    ],
    hangup: { by: 'remote', reason: 'timeout' },
    tm: { ringing: 1_000, progressing: 4_000, hangup: 3_600_000 },
  },
  {
    name: 'calleeHangup: the callee hangs up mid-call, progressing -> hangup (normal, remote)',
    destination: TEST_NUMBERS.calleeHangup,
    actions: [talk({ text: 'Hello there' }), sleep(10_000), talk({ text: 'never said' })],
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [4_000, 'call_progressing', 'progressing', null],
      [4_000, 'call_updated', 'progressing', 'talk'],
      [5_000, 'call_updated', 'progressing', 'sleep'],
      [9_000, 'call_hangup', 'hangup', 'sleep'],
    ],
    hangup: { by: 'remote', reason: 'normal' },
    tm: { ringing: 1_000, progressing: 4_000, hangup: 9_000 },
  },
  {
    name: 'an answered call hung up through the API mid-talk terminates, the rest of its flow never runs',
    destination: TEST_NUMBERS.answer,
    actions: [talk({ text: 'x'.repeat(100) }), sleep(2_000)],
    hangupAt: 6_000,
    events: [
      [0, 'call_created', 'dialing', null],
      [1_000, 'call_ringing', 'ringing', null],
      [4_000, 'call_progressing', 'progressing', null],
      [4_000, 'call_updated', 'progressing', 'talk'],
      [6_000, 'call_terminating', 'terminating', 'talk'],
      [6_200, 'call_hangup', 'hangup', 'talk'],
    ],
    hangup: { by: 'local', reason: 'normal' },
    tm: { ringing: 1_000, progressing: 4_000, hangup: 6_200 },
  },
];

// ---- helpers ------------------------------------------------------------------------------

const SOURCE = { type: 'tel', target: '+821028286521' } as const;

function setup() {
  const emulator = conforming(createEmulator());
  const voipbin = createClient({
    actions: ACTION_SCHEMAS,
    token: 'lifecycle-test-token',
    fetch: emulator.fetch,
    baseURL: 'http://emulator.test/v1.0',
  });
  const events: EmulatorEvent[] = [];
  emulator.subscribe((event) => events.push(event));
  return { emulator, voipbin, events };
}

/** `[type, status, action type]` of an event; VoIPBIN's `""` action type read as null. */
const summary = (event: EmulatorEvent) =>
  [
    event.type,
    event.data.status,
    ((event.data.action as { type: string }).type || null) as string | null,
  ] as const;

/** `tm_create` plus `ms` (and `us`), to the microsecond, as VoIPBIN writes it. */
function plus(tmCreate: string, ms: number, us = 0): string {
  const micros = Date.parse(`${tmCreate.slice(0, 23)}Z`) * 1_000 + Number(tmCreate.slice(23, 26));
  return voipbinTime(micros + ms * 1_000 + us);
}

/** The call as the client reads it and as `emulator.call()` shows it; both must agree. */
async function read(emulator: Emulator, voipbin: VoipbinClient, id: string): Promise<Call> {
  const call = await voipbin.calls.get(id);
  expect(emulator.call(id)).toEqual(call);
  return call;
}

// ---- the table ----------------------------------------------------------------------------

describe('the lifecycle of a call, one ending at a time', () => {
  for (const row of TABLE) {
    test(row.name, async () => {
      const { emulator, voipbin, events } = setup();
      const start = emulator.clock.now();
      const elapsed = () => emulator.clock.now() - start;

      const { calls } = await voipbin.calls.create({
        source: SOURCE,
        destinations: [{ type: 'tel', target: row.destination }],
        actions: row.actions,
      });
      expect(calls).toHaveLength(1);
      const created = calls[0] as Call;
      expect(created.status).toBe('dialing');
      expect(created.tm_ringing).toBeNull();
      expect(created.tm_progressing).toBeNull();
      expect(created.tm_hangup).toBeNull();
      const tmCreate = created.tm_create as string;
      expect(tmCreate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(events.map(summary)).toEqual([['call_created', 'dialing', null]]);

      // Every moment something is planned to happen, and the API hangup.
      const moments = [...new Set([...row.events.map(([at]) => at), row.hangupAt ?? 0])]
        .filter((at) => at > 0)
        .sort((a, b) => a - b);

      for (const at of moments) {
        // Nothing goes out before the clock passes the moment.
        const before = events.length;
        emulator.advance(at - 1 - elapsed());
        expect(events.length, `nothing before ${at} ms`).toBe(before);
        emulator.advance(1);

        let hungUp: Call | undefined;
        if (at === row.hangupAt) hungUp = await voipbin.calls.hangup(created.id);

        const expected = row.events.filter(([when]) => when === at).map(([, ...rest]) => rest);
        expect(events.slice(before).map(summary), `events at ${at} ms`).toEqual(expected);

        // The call as read now: the status of the latest event, timestamps set exactly when
        // those moments came and null before.
        const call = await read(emulator, voipbin, created.id);
        const latest = events.at(-1) as EmulatorEvent;
        if (hungUp) expect(hungUp).toEqual(call);
        expect(call.status).toBe(latest.data.status);
        expect(call.action?.type ?? null).toBe(summary(latest)[2]);
        // Events in one millisecond are 1 µs apart: each has its own tm_update (a dedupe key).
        expect(call.tm_update).toBe(plus(tmCreate, at, expected.length - 1));
        const tm = (when: number | null) =>
          when !== null && when <= at ? plus(tmCreate, when) : null;
        expect(call.tm_ringing).toBe(tm(row.tm.ringing));
        expect(call.tm_progressing).toBe(tm(row.tm.progressing));
        expect(call.tm_hangup).toBe(tm(row.tm.hangup));
        if (call.status !== 'hangup') {
          expect(call.hangup_by).toBeNull();
          expect(call.hangup_reason).toBeNull();
        }
      }

      // The whole life, as a subscriber saw it.
      expect(events.map((event) => event.type)).toEqual(row.events.map(([, type]) => type));
      expect(events.map((event) => event.data.status)).toEqual(
        row.events.map(([, , status]) => status),
      );
      for (const event of events) expect(event.data.id).toBe(created.id);

      const final = await read(emulator, voipbin, created.id);
      expect(final.status).toBe('hangup');
      expect({ by: final.hangup_by, reason: final.hangup_reason }).toEqual(row.hangup);
      const hangupEvent = events.at(-1) as EmulatorEvent;
      expect(hangupEvent.data.hangup_by).toBe(row.hangup.by);
      expect(hangupEvent.data.hangup_reason).toBe(row.hangup.reason);

      // Hangup is final: nothing more happens, however long the clock runs.
      const count = events.length;
      emulator.advance(24 * 3_600_000);
      expect(events.length).toBe(count);
      expect((await read(emulator, voipbin, created.id)).status).toBe('hangup');
      expect(emulator.stats()).toMatchObject({ active: 0, finished: 1 });
    });
  }
});

// ---- more of the lifecycle ----------------------------------------------------------------

describe('while a call runs', () => {
  test('call.action shows the action running now: the placeholder, then talk, then sleep', async () => {
    const { emulator, voipbin } = setup();
    const { calls } = await voipbin.calls.create({
      source: SOURCE,
      destinations: [{ type: 'tel', target: TEST_NUMBERS.answer }],
      actions: [
        talk(
          { text: 'Hello there', language: 'en-US' },
          { id: '11111111-1111-4111-8111-111111111111' },
        ),
        sleep(2_000, { id: '22222222-2222-4222-8222-222222222222' }),
      ],
    });
    const id = (calls[0] as Call).id;
    const tmCreate = (calls[0] as Call).tm_create as string;

    // Before the first action: VoIPBIN's placeholder, type "" (null once read).
    expect(calls[0]?.action).toMatchObject({
      id: '00000000-0000-0000-0000-000000000001',
      type: null,
    });

    emulator.advance(4_000);
    let call = await read(emulator, voipbin, id);
    expect(call.action).toEqual({
      id: '11111111-1111-4111-8111-111111111111',
      next_id: null,
      type: 'talk',
      option: { text: 'Hello there', language: 'en-US' },
      tm_execute: plus(tmCreate, 4_000),
    });

    emulator.advance(999);
    expect((await read(emulator, voipbin, id)).action?.type).toBe('talk');

    emulator.advance(1);
    call = await read(emulator, voipbin, id);
    expect(call.action).toEqual({
      id: '22222222-2222-4222-8222-222222222222',
      next_id: null,
      type: 'sleep',
      option: { duration: 2_000 },
      tm_execute: plus(tmCreate, 5_000),
    });
  });

  test('a hangup through the API of a call already hung up answers 200 with the call unchanged (cm hangup.go)', async () => {
    const { emulator, voipbin, events } = setup();
    const { calls } = await voipbin.calls.create({
      source: SOURCE,
      destinations: [{ type: 'tel', target: TEST_NUMBERS.busy }],
      actions: FLOW,
    });
    emulator.advance(1_500);
    const before = emulator.call((calls[0] as Call).id);
    const sent = events.length;
    const again = await voipbin.calls.hangup((calls[0] as Call).id);
    expect(again).toEqual(before);
    expect(again.hangup_reason).toBe('busy');
    expect(events).toHaveLength(sent);
  });

  test('a second hangup while the call is already terminating changes nothing', async () => {
    const { emulator, voipbin, events } = setup();
    const { calls } = await voipbin.calls.create({
      source: SOURCE,
      destinations: [{ type: 'tel', target: TEST_NUMBERS.endless }],
      actions: FLOW,
    });
    const id = (calls[0] as Call).id;
    emulator.advance(10_000);
    await voipbin.calls.hangup(id);
    emulator.advance(100);
    const again = await voipbin.calls.hangup(id);
    expect(again.status).toBe('terminating');
    emulator.advance(100);
    expect(events.map((event) => event.data.status).slice(-2)).toEqual(['terminating', 'hangup']);
    expect(events.filter((event) => event.type === 'call_hangup')).toHaveLength(1);
    expect(emulator.call(id)?.tm_hangup).toBe(plus((calls[0] as Call).tm_create as string, 10_200));
  });

  test('one big advance sends every event that became due, in order', async () => {
    const { emulator, voipbin, events } = setup();
    await voipbin.calls.create({
      source: SOURCE,
      destinations: [
        { type: 'tel', target: TEST_NUMBERS.answer },
        { type: 'tel', target: TEST_NUMBERS.busy },
      ],
      actions: FLOW,
    });
    emulator.advance(60_000);
    const byCall = new Map<unknown, string[]>();
    for (const event of events) {
      byCall.set(event.data.id, [...(byCall.get(event.data.id) ?? []), event.type]);
    }
    expect([...byCall.values()]).toEqual([
      [
        'call_created',
        'call_ringing',
        'call_progressing',
        'call_updated',
        'call_updated',
        'call_terminating',
        'call_hangup',
      ],
      ['call_created', 'call_hangup'],
    ]);
    // Across calls, events go out in the order of their moments.
    // A new call has tm_create only.
    const times = events.map((event) =>
      Date.parse((event.data.tm_update ?? event.data.tm_create) as string),
    );
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
