import {
  type Action,
  type CallStatus,
  HANGUP_REASONS,
  type HangupBy,
  type HangupReason,
  NIL_UUID,
} from '@voipbin-kit/core';
import type { Ending } from './test-numbers.ts';

/** The action VoIPBIN shows before the first step runs. */
export const START_ACTION: ActionState = {
  id: '00000000-0000-0000-0000-000000000001',
  next_id: NIL_UUID,
  type: '',
};

/** A flow step as the emulator runs it: ids always set. */
export type FlowAction = Action & { id: string };

export interface ActionState {
  id: string;
  next_id: string;
  type: string;
  option?: Record<string, unknown>;
  /** Offset in ms from the call's creation when the step started. */
  at?: number;
}

/** One moment of a call's life: what changes then, at `at` ms after creation. */
export interface Step {
  at: number;
  status?: CallStatus;
  action?: ActionState;
  hangup?: { by: HangupBy; reason: HangupReason };
}

/** Seconds of a call's life, as VoIPBIN would plausibly take them. */
export const TIMING = {
  ringing: 1_000,
  answer: 4_000,
  failed: 500,
  busy: 1_500,
  noanswer: 31_000,
  hangingUp: 200,
  /** The longest a call may run; past it VoIPBIN hangs up with `timeout`. */
  maxDuration: 3_600_000,
  /** The most actions a call may run; past them VoIPBIN hangs up with `timeout`. */
  maxSteps: 1_000,
} as const;

/** How long a step runs before the next starts. */
export function durationOf(action: FlowAction): number {
  const option = (action.option ?? {}) as Record<string, unknown>;
  const n = (key: string, fallback: number) =>
    typeof option[key] === 'number' ? (option[key] as number) : fallback;
  if (option.async === true) return 0;
  switch (action.type) {
    case 'talk':
      // About 14 characters a second, as a TTS voice speaks.
      return Math.max(1_000, Math.round(String(option.text ?? '').length * 70));
    case 'play':
      return 5_000 * ((option.stream_urls as unknown[] | undefined)?.length ?? 1);
    case 'sleep':
      return n('duration', 0);
    case 'digits_receive':
      return n('duration', 5_000);
    case 'echo':
    case 'stream_echo':
      return n('duration', 10_000);
    case 'digits_send':
      return String(option.digits ?? '').length * (n('duration', 250) + n('interval', 100));
    case 'beep':
      return 500;
    case 'amd':
      return 2_000;
    case 'ai_talk':
      return n('duration', 30) * 1_000;
    case 'connect':
    case 'queue_join':
    case 'conference_join':
    case 'confbridge_join':
      return 10_000;
    case 'answer':
    case 'goto':
    case 'branch':
    case 'variable_set':
    case 'hangup':
    case 'stop':
      return 0;
    default:
      return 100;
  }
}

/**
 * The whole life of a new call, planned at creation; its state at any time is read from
 * this plan and the clock, so no timer per call is needed (Workers have none that outlive a
 * request) and a manual clock is exact.
 */
export function planCall(
  actions: readonly FlowAction[],
  ending: Ending,
  variables: Readonly<Record<string, string>> = {},
): Step[] {
  const steps: Step[] = [{ at: 0, status: 'dialing', action: START_ACTION }];
  const end = (at: number, by: HangupBy, reason: HangupReason, via: CallStatus = 'terminating') => {
    if (via !== 'hangup') steps.push({ at, status: via });
    steps.push({
      at: via === 'hangup' ? at : at + TIMING.hangingUp,
      status: 'hangup',
      hangup: { by, reason },
    });
    return steps;
  };

  if (ending === 'failed') return end(TIMING.failed, 'remote', 'failed', 'hangup');
  if (ending === 'busy') return end(TIMING.busy, 'remote', 'busy', 'hangup');
  steps.push({ at: TIMING.ringing, status: 'ringing' });
  if (ending === 'noanswer') return end(TIMING.noanswer, 'remote', 'noanswer', 'hangup');
  steps.push({ at: TIMING.answer, status: 'progressing' });

  const byId = new Map(actions.map((action, index) => [action.id, index]));
  const loops = new Map<string, number>();
  let t = TIMING.answer;
  let index = actions.length > 0 ? 0 : -1;
  for (let count = 0; index >= 0 && index < actions.length; count++) {
    const action = actions[index] as FlowAction;
    const option = (action.option ?? {}) as Record<string, unknown>;
    if (count >= TIMING.maxSteps || t >= TIMING.maxDuration) return end(t, 'local', 'timeout');
    steps.push({
      at: t,
      action: {
        id: action.id,
        next_id: action.next_id ?? NIL_UUID,
        type: action.type,
        option,
        at: t,
      },
    });
    t += durationOf(action);
    // VoIPBIN cuts a call at its longest duration, even in the middle of a step.
    if (t > TIMING.maxDuration) return end(TIMING.maxDuration, 'local', 'timeout');

    if (action.type === 'hangup') return end(t, 'local', hangupReasonOf(option.reason));
    if (action.type === 'stop') break;
    if (action.type === 'amd' && ending === 'machine' && option.machine_handle === 'hangup') {
      return end(t, 'local', 'amd');
    }

    let next = action.next_id && action.next_id !== NIL_UUID ? byId.get(action.next_id) : index + 1;
    if (action.type === 'goto') {
      // Without `loop_count` a goto loops until the call is cut with `timeout`: at `maxSteps`
      // steps, or at `maxDuration` if that comes first.
      const left =
        loops.get(action.id) ??
        (typeof option.loop_count === 'number' ? option.loop_count : Infinity);
      if (left > 0) {
        loops.set(action.id, left - 1);
        next = byId.get(String(option.target_id));
      }
    }
    if (action.type === 'branch') {
      const value = variables[String(option.variable ?? 'voipbin.call.digits')] ?? '';
      const targets = (option.target_ids ?? {}) as Record<string, string>;
      const target = targets[value] ?? option.default_target_id;
      if (typeof target === 'string') next = byId.get(target);
    }
    index = next ?? -1;
  }
  if (ending === 'endless') return steps;
  return end(t, 'local', 'normal');
}

/**
 * The `hangup_reason` of a call ended by a `hangup` action: its option's `reason` when that is
 * one of VoIPBIN's `CallManagerCallHangupReason` values, else `normal` (the option is free text;
 * the call's field is an enum).
 */
function hangupReasonOf(reason: unknown): HangupReason {
  return (HANGUP_REASONS as readonly unknown[]).includes(reason)
    ? (reason as HangupReason)
    : 'normal';
}
