import { type CallStatus, NIL_UUID } from '@voipbin-kit/core';
import { describe, expect, test } from 'vitest';
import { durationOf, type FlowAction, planCall, START_ACTION, type Step, TIMING } from './plan.ts';
import { type Ending, endingOf, TEST_NUMBERS } from './test-numbers.ts';

// ---- helpers ------------------------------------------------------------------------------

let counter = 0;
function act(
  type: string,
  option?: Record<string, unknown>,
  ids: { id?: string; next_id?: string } = {},
): FlowAction {
  return {
    id: ids.id ?? `action-${++counter}`,
    type,
    ...(option ? { option } : {}),
    ...(ids.next_id ? { next_id: ids.next_id } : {}),
  } as FlowAction;
}

const talk = (text: string, ids?: { id?: string; next_id?: string }) => act('talk', { text }, ids);
const sleep = (duration: number, ids?: { id?: string; next_id?: string }) =>
  act('sleep', { duration }, ids);

/** The status changes of a plan: `[at, status]`. */
const statuses = (steps: Step[]) =>
  steps.flatMap((step) => (step.status ? [[step.at, step.status] as const] : []));

/** The actions a plan runs, in order: `[at, type]` (the placeholder before the first left out). */
const actionsRun = (steps: Step[]) =>
  steps.flatMap((step) =>
    step.action && step.action.type !== '' ? [[step.at, step.action.type] as const] : [],
  );

/** The ids of the actions a plan runs, in order. */
const idsRun = (steps: Step[]) =>
  steps.flatMap((step) => (step.action && step.action.type !== '' ? [step.action.id] : []));

const last = (steps: Step[]) => steps.at(-1) as Step;

const ORDER: Record<CallStatus, number> = {
  dialing: 0,
  ringing: 1,
  progressing: 2,
  terminating: 3,
  canceling: 3,
  hangup: 4,
};

// ---- durations ----------------------------------------------------------------------------

describe('how long a step runs', () => {
  test('talk takes about 70 ms a character of its text, at least 1 s', () => {
    expect(durationOf(talk('x'.repeat(100)))).toBe(7_000);
    expect(durationOf(talk('x'.repeat(15)))).toBe(1_050);
    expect(durationOf(talk('Hi'))).toBe(1_000);
    expect(durationOf(act('talk'))).toBe(1_000);
  });

  test('an async talk takes no time: the flow goes on while it speaks', () => {
    expect(durationOf(act('talk', { text: 'x'.repeat(500), async: true }))).toBe(0);
  });

  test('sleep, digits_receive and echo take their duration', () => {
    expect(durationOf(sleep(2_500))).toBe(2_500);
    expect(durationOf(act('digits_receive', { duration: 3_000, length: 4 }))).toBe(3_000);
    expect(durationOf(act('echo', { duration: 1_234 }))).toBe(1_234);
  });

  test('digits_receive and echo have a default duration when none is given', () => {
    expect(durationOf(act('digits_receive', { length: 1 }))).toBe(5_000);
    expect(durationOf(act('echo'))).toBe(10_000);
  });

  test('play takes 5 s per URL', () => {
    expect(durationOf(act('play', { stream_urls: ['https://a.example/1.wav'] }))).toBe(5_000);
    expect(
      durationOf(
        act('play', {
          stream_urls: ['https://a.example/1.wav', 'https://a.example/2.wav', 'https://a/3'],
        }),
      ),
    ).toBe(15_000);
  });

  test('control steps (answer, goto, branch, variable_set, hangup, stop) take no time', () => {
    for (const type of ['answer', 'goto', 'branch', 'variable_set', 'hangup', 'stop']) {
      expect(durationOf(act(type)), type).toBe(0);
    }
  });

  test('each action of a plan starts when the previous one has run its duration', () => {
    const steps = planCall(
      [
        talk('x'.repeat(100)),
        sleep(2_500),
        act('digits_receive', { duration: 3_000 }),
        act('echo', { duration: 1_000 }),
        act('play', { stream_urls: ['https://a.example/1.wav', 'https://a.example/2.wav'] }),
        act('talk', { text: 'x'.repeat(100), async: true }),
        sleep(100),
      ],
      'answer',
    );
    const a = TIMING.answer;
    expect(actionsRun(steps)).toEqual([
      [a, 'talk'],
      [a + 7_000, 'sleep'],
      [a + 9_500, 'digits_receive'],
      [a + 12_500, 'echo'],
      [a + 13_500, 'play'],
      [a + 23_500, 'talk'],
      [a + 23_500, 'sleep'],
    ]);
    expect(statuses(steps).slice(-2)).toEqual([
      [a + 23_600, 'terminating'],
      [a + 23_600 + TIMING.hangingUp, 'hangup'],
    ]);
  });

  test('a step records when it started and keeps its option and next_id', () => {
    const steps = planCall([talk('Hello there', { id: 'greet', next_id: 'bye' })], 'answer');
    const step = steps.find((s) => s.action?.id === 'greet');
    expect(step?.action).toEqual({
      id: 'greet',
      next_id: 'bye',
      type: 'talk',
      option: { text: 'Hello there' },
      at: TIMING.answer,
    });
  });
});

// ---- the shape of a normal call -----------------------------------------------------------

describe('a normal call', () => {
  test('dials, rings after 1 s, is answered at 4 s, runs its flow, terminates and hangs up', () => {
    const steps = planCall([talk('Hello'), sleep(2_000)], 'answer');
    expect(steps[0]).toEqual({ at: 0, status: 'dialing', action: START_ACTION });
    expect(statuses(steps)).toEqual([
      [0, 'dialing'],
      [1_000, 'ringing'],
      [4_000, 'progressing'],
      [7_000, 'terminating'],
      [7_200, 'hangup'],
    ]);
    expect(actionsRun(steps)).toEqual([
      [4_000, 'talk'],
      [5_000, 'sleep'],
    ]);
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'normal' });
  });

  test('a call with no actions is answered and hung up at once', () => {
    const steps = planCall([], 'answer');
    expect(statuses(steps)).toEqual([
      [0, 'dialing'],
      [1_000, 'ringing'],
      [4_000, 'progressing'],
      [4_000, 'terminating'],
      [4_200, 'hangup'],
    ]);
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'normal' });
  });
});

// ---- goto ---------------------------------------------------------------------------------

describe('goto', () => {
  test('jumps back to its target loop_count times, then the flow goes on', () => {
    const steps = planCall(
      [
        talk('Press one', { id: 'menu' }),
        act('goto', { target_id: 'menu', loop_count: 2 }, { id: 'again' }),
        talk('Bye', { id: 'bye' }),
      ],
      'answer',
    );
    expect(idsRun(steps)).toEqual(['menu', 'again', 'menu', 'again', 'menu', 'again', 'bye']);
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'normal' });
  });

  test('loop_count 0 does not jump at all', () => {
    const steps = planCall(
      [talk('Once', { id: 'once' }), act('goto', { target_id: 'once', loop_count: 0 })],
      'answer',
    );
    expect(idsRun(steps).filter((id) => id === 'once')).toHaveLength(1);
    expect(last(steps).hangup?.reason).toBe('normal');
  });

  test('without loop_count it loops until the flow stops at 100 actions, then VoIPBIN hangs up normal', () => {
    const steps = planCall(
      [talk('Again', { id: 'loop' }), act('goto', { target_id: 'loop' })],
      'answer',
    );
    expect(TIMING.maxSteps).toBe(100);
    expect(actionsRun(steps)).toHaveLength(TIMING.maxSteps);
    // 50 talks of 1 s each, then the flow stops (fm maxActiveFlowExecuteCount).
    const cut = TIMING.answer + (TIMING.maxSteps / 2) * 1_000;
    expect(statuses(steps).slice(-2)).toEqual([
      [cut, 'terminating'],
      [cut + TIMING.hangingUp, 'hangup'],
    ]);
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'normal' });
  });

  test('max duration: long steps run until 1 h, then progressing -> hangup, timeout, remote', () => {
    const steps = planCall(
      [sleep(3_000_000, { id: 'wait' }), sleep(3_000_000), act('goto', { target_id: 'wait' })],
      'answer',
    );
    expect(statuses(steps).slice(-2)).toEqual([
      [TIMING.answer, 'progressing'],
      [TIMING.maxDuration, 'hangup'],
    ]);
    expect(last(steps).hangup).toEqual({ by: 'remote', reason: 'timeout' });
  });

  test('a single step longer than the longest call duration is cut at it (timeout, remote)', () => {
    const steps = planCall([sleep(2 * TIMING.maxDuration)], 'answer');
    expect(statuses(steps).slice(-2)).toEqual([
      [TIMING.answer, 'progressing'],
      [TIMING.maxDuration, 'hangup'],
    ]);
    expect(last(steps).hangup).toEqual({ by: 'remote', reason: 'timeout' });
  });

  test('a goto to an unknown action ends the flow normally', () => {
    const steps = planCall(
      [act('goto', { target_id: 'nowhere', loop_count: 3 }), talk('never')],
      'answer',
    );
    expect(actionsRun(steps).map(([, type]) => type)).toEqual(['goto']);
    expect(last(steps).hangup?.reason).toBe('normal');
  });
});

// ---- branch and next_id -------------------------------------------------------------------

describe('branch', () => {
  const flow = [
    act(
      'branch',
      {
        variable: 'menu.choice',
        target_ids: { '1': 'sales', '2': 'support' },
        default_target_id: 'operator',
      },
      { id: 'choose' },
    ),
    talk('Sales', { id: 'sales' }),
    act('stop', undefined, { id: 'stop-sales' }),
    talk('Support', { id: 'support' }),
    act('stop', undefined, { id: 'stop-support' }),
    talk('Operator', { id: 'operator' }),
  ];

  test('goes to the target of the variable value', () => {
    expect(idsRun(planCall(flow, 'answer', { 'menu.choice': '1' }))).toEqual([
      'choose',
      'sales',
      'stop-sales',
    ]);
    expect(idsRun(planCall(flow, 'answer', { 'menu.choice': '2' }))).toEqual([
      'choose',
      'support',
      'stop-support',
    ]);
  });

  test('goes to default_target_id for a value with no target, or no value at all', () => {
    expect(idsRun(planCall(flow, 'answer', { 'menu.choice': '9' }))).toEqual([
      'choose',
      'operator',
    ]);
    expect(idsRun(planCall(flow, 'answer'))).toEqual(['choose', 'operator']);
  });

  test('without a default, an unmatched value goes on to the next action', () => {
    const steps = planCall(
      [
        act('branch', { variable: 'x', target_ids: { yes: 'end' } }, { id: 'b' }),
        talk('Next', { id: 'next' }),
        talk('End', { id: 'end' }),
      ],
      'answer',
      { x: 'no' },
    );
    expect(idsRun(steps)).toEqual(['b', 'next', 'end']);
  });
});

describe('next_id', () => {
  test('jumps to the action it names, skipping those between', () => {
    const steps = planCall(
      [
        talk('First', { id: 'first', next_id: 'third' }),
        talk('Second', { id: 'second' }),
        talk('Third', { id: 'third' }),
      ],
      'answer',
    );
    expect(idsRun(steps)).toEqual(['first', 'third']);
  });

  test('the nil UUID means "the next in the list"', () => {
    const steps = planCall(
      [talk('First', { id: 'first', next_id: NIL_UUID }), talk('Second', { id: 'second' })],
      'answer',
    );
    expect(idsRun(steps)).toEqual(['first', 'second']);
  });

  test('an unknown next_id ends the flow', () => {
    const steps = planCall(
      [talk('First', { id: 'first', next_id: 'gone' }), talk('Second', { id: 'second' })],
      'answer',
    );
    expect(idsRun(steps)).toEqual(['first']);
    expect(last(steps).hangup?.reason).toBe('normal');
  });
});

// ---- hangup and stop ----------------------------------------------------------------------

describe('hangup and stop actions', () => {
  test("a hangup action's reason sets only the channel cause: the call still ends normal (cm action.go)", () => {
    const steps = planCall(
      [talk('Bye', { id: 'bye' }), act('hangup', { reason: 'busy' }), talk('never')],
      'answer',
    );
    expect(actionsRun(steps).map(([, type]) => type)).toEqual(['talk', 'hangup']);
    expect(statuses(steps).slice(-2)).toEqual([
      [5_000, 'terminating'],
      [5_200, 'hangup'],
    ]);
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'normal' });
  });

  test('a hangup action with reason amd ends amd: from terminating only the amd cause shows', () => {
    const steps = planCall([act('hangup', { reason: 'amd' })], 'answer');
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'amd' });
  });

  test('a hangup action without a reason hangs up normal', () => {
    const steps = planCall([act('hangup')], 'answer');
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'normal' });
  });

  test("a hangup action whose reason is free text, not one of VoIPBIN's hangup reasons, hangs up normal", () => {
    for (const reason of ['bye-bye', 'Busy', '', 42]) {
      const steps = planCall([act('hangup', { reason })], 'answer');
      expect(last(steps).hangup, JSON.stringify(reason)).toEqual({ by: 'local', reason: 'normal' });
    }
  });

  test('stop ends the flow; the call then hangs up normal', () => {
    const steps = planCall([talk('One'), act('stop'), talk('never')], 'answer');
    expect(actionsRun(steps).map(([, type]) => type)).toEqual(['talk', 'stop']);
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'normal' });
  });
});

// ---- endings from test numbers ------------------------------------------------------------

describe('endings chosen by test numbers', () => {
  const flow = [talk('Hello'), sleep(1_000)];

  test('each test number maps to its ending; any other number answers', () => {
    for (const [ending, number] of Object.entries(TEST_NUMBERS)) {
      expect(endingOf(number)).toBe(ending);
    }
    expect(endingOf('+821021656521')).toBe('answer');
    expect(endingOf(undefined)).toBe('answer');
  });

  test('answer: runs the flow and hangs up normal, by VoIPBIN (local)', () => {
    const steps = planCall(flow, 'answer');
    expect(statuses(steps).map(([, s]) => s)).toEqual([
      'dialing',
      'ringing',
      'progressing',
      'terminating',
      'hangup',
    ]);
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'normal' });
  });

  test('busy: dialing -> hangup busy (remote) after 1.5 s, no action runs', () => {
    const steps = planCall(flow, 'busy');
    expect(statuses(steps)).toEqual([
      [0, 'dialing'],
      [TIMING.busy, 'hangup'],
    ]);
    expect(actionsRun(steps)).toEqual([]);
    expect(last(steps).hangup).toEqual({ by: 'remote', reason: 'busy' });
  });

  test('failed: dialing -> hangup failed (remote) after 0.5 s', () => {
    const steps = planCall(flow, 'failed');
    expect(statuses(steps)).toEqual([
      [0, 'dialing'],
      [TIMING.failed, 'hangup'],
    ]);
    expect(actionsRun(steps)).toEqual([]);
    expect(last(steps).hangup).toEqual({ by: 'remote', reason: 'failed' });
  });

  test('noanswer: rings, then hangs up noanswer (remote) at the 60 s dial timeout', () => {
    const steps = planCall(flow, 'noanswer');
    expect(statuses(steps)).toEqual([
      [0, 'dialing'],
      [TIMING.ringing, 'ringing'],
      [TIMING.noanswer, 'hangup'],
    ]);
    expect(actionsRun(steps)).toEqual([]);
    expect(last(steps).hangup).toEqual({ by: 'remote', reason: 'noanswer' });
  });

  test('machine: an amd action with machine_handle hangup ends the call with amd', () => {
    const steps = planCall(
      [act('amd', { machine_handle: 'hangup' }), talk('Leave a message')],
      'machine',
    );
    expect(actionsRun(steps).map(([, type]) => type)).toEqual(['amd']);
    const amdEnds = TIMING.answer + 2_000;
    expect(statuses(steps).slice(-2)).toEqual([
      [amdEnds, 'terminating'],
      [amdEnds + TIMING.hangingUp, 'hangup'],
    ]);
    expect(last(steps).hangup).toEqual({ by: 'local', reason: 'amd' });
  });

  test('machine: amd with machine_handle continue goes on with the flow', () => {
    const steps = planCall(
      [act('amd', { machine_handle: 'continue' }), talk('Leave a message')],
      'machine',
    );
    expect(actionsRun(steps).map(([, type]) => type)).toEqual(['amd', 'talk']);
    expect(last(steps).hangup?.reason).toBe('normal');
  });

  test('a person answering: amd with machine_handle hangup goes on with the flow', () => {
    const steps = planCall(
      [act('amd', { machine_handle: 'hangup' }), talk('Hello, person')],
      'answer',
    );
    expect(actionsRun(steps).map(([, type]) => type)).toEqual(['amd', 'talk']);
    expect(last(steps).hangup?.reason).toBe('normal');
  });

  test('endless: runs the flow and stays progressing until the 1 h maximum (timeout, remote)', () => {
    const steps = planCall(flow, 'endless');
    expect(statuses(steps)).toEqual([
      [0, 'dialing'],
      [TIMING.ringing, 'ringing'],
      [TIMING.answer, 'progressing'],
      [TIMING.maxDuration, 'hangup'],
    ]);
    expect(actionsRun(steps).map(([, type]) => type)).toEqual(['talk', 'sleep']);
    expect(last(steps).hangup).toEqual({ by: 'remote', reason: 'timeout' });
  });

  test('calleeHangup: the callee hangs up 5 s after answering, mid-flow (progressing -> hangup, normal, remote)', () => {
    const steps = planCall([sleep(10_000), talk('never')], 'calleeHangup');
    expect(statuses(steps)).toEqual([
      [0, 'dialing'],
      [TIMING.ringing, 'ringing'],
      [TIMING.answer, 'progressing'],
      [TIMING.answer + TIMING.calleeHangup, 'hangup'],
    ]);
    expect(actionsRun(steps).map(([, type]) => type)).toEqual(['sleep']);
    expect(last(steps).hangup).toEqual({ by: 'remote', reason: 'normal' });
  });

  test('endless: a hangup action still ends the call', () => {
    const steps = planCall([act('hangup')], 'endless');
    expect(last(steps)).toMatchObject({ status: 'hangup', hangup: { reason: 'normal' } });
  });
});

// ---- states only move forward -------------------------------------------------------------

describe('states only move forward', () => {
  const flows: Record<string, FlowAction[]> = {
    empty: [],
    simple: [talk('Hello'), sleep(1_000)],
    looping: [talk('Loop', { id: 'l' }), act('goto', { target_id: 'l', loop_count: 5 })],
    endlessLoop: [sleep(30_000, { id: 'w' }), act('goto', { target_id: 'w' })],
    hangingUp: [talk('Bye'), act('hangup', { reason: 'normal' })],
    amd: [act('amd', { machine_handle: 'hangup' }), talk('Hi')],
  };
  const endings = Object.keys(TEST_NUMBERS) as Ending[];

  for (const [name, actions] of Object.entries(flows)) {
    for (const ending of endings) {
      test(`${name} flow, ${ending}: times and statuses never go back; hangup is last`, () => {
        const steps = planCall(actions, ending);
        for (let i = 1; i < steps.length; i++) {
          const before = steps[i - 1] as Step;
          const step = steps[i] as Step;
          expect(step.at).toBeGreaterThanOrEqual(before.at);
        }
        const order = statuses(steps).map(([, status]) => ORDER[status]);
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(new Set(statuses(steps).map(([, s]) => s)).size).toBe(statuses(steps).length);
        const hangups = steps.filter((step) => step.status === 'hangup');
        expect(hangups).toHaveLength(1);
        expect(last(steps)).toBe(hangups[0]);
        expect(last(steps).hangup).toBeDefined();
      });
    }
  }
});
