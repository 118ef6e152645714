import { type CallStatus, NIL_UUID } from '@voipbin-kit/core';
import { type ChannelCause, causeOfReason, hangupOf, START_ACTION } from './lifecycle.ts';
import type { Ending } from './test-numbers.ts';
import type { FlowAction, Step } from './types.ts';

export { START_ACTION } from './lifecycle.ts';
export type { ActionState, FlowAction, Step } from './types.ts';

/** Seconds of a call's life, as VoIPBIN would plausibly take them. */
export const TIMING = {
  ringing: 1_000,
  answer: 4_000,
  failed: 500,
  busy: 1_500,
  /** VoIPBIN's dial timeout (cm callhandler/main.go `defaultDialTimeout`, 60 s): `noanswer`. */
  noanswer: 60_000,
  hangingUp: 200,
  /** The `calleeHangup` number's callee hangs up this long after answering. */
  calleeHangup: 5_000,
  /**
   * The longest a call may run (cm `defaultTimeoutCallDuration`, 1 h): the channel is then
   * hung up with `call_duration_timeout`, so the call goes `progressing` -> `hangup`,
   * `timeout`, `remote`.
   */
  maxDuration: 3_600_000,
  /**
   * The most actions a flow may run (fm activeflowhandler `maxActiveFlowExecuteCount`, 100):
   * past them the flow stops and VoIPBIN hangs up (`normal`, `local`).
   */
  maxSteps: 100,
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
  let status: CallStatus = 'dialing';
  const push = (step: Step) => {
    if (step.status) status = step.status;
    steps.push(step);
  };
  /** The far end or the network ends the channel: `hangup` straight from the current status. */
  const channelEnds = (at: number, cause: ChannelCause) => {
    push({ at, status: 'hangup', hangup: hangupOf(status, cause) });
    return steps;
  };
  /** VoIPBIN hangs up (cm hangup.go `HangingUp`): `terminating`, then the channel ends. */
  const hangingUp = (at: number, cause: ChannelCause) => {
    push({ at, status: 'terminating' });
    return channelEnds(at + TIMING.hangingUp, cause);
  };

  if (ending === 'failed') return channelEnds(TIMING.failed, 'no_user_response');
  if (ending === 'busy') return channelEnds(TIMING.busy, 'user_busy');
  push({ at: TIMING.ringing, status: 'ringing' });
  if (ending === 'noanswer') return channelEnds(TIMING.noanswer, 'no_answer');
  push({ at: TIMING.answer, status: 'progressing' });
  // The channel's own end, whatever the flow does: the 1 h maximum, or the callee hanging up.
  const cut =
    ending === 'calleeHangup'
      ? { at: TIMING.answer + TIMING.calleeHangup, cause: 'normal_clearing' as const }
      : { at: TIMING.maxDuration, cause: 'call_duration_timeout' as const };

  const byId = new Map(actions.map((action, index) => [action.id, index]));
  const loops = new Map<string, number>();
  let t = TIMING.answer;
  let index = actions.length > 0 ? 0 : -1;
  for (let count = 0; index >= 0 && index < actions.length; count++) {
    const action = actions[index] as FlowAction;
    const option = (action.option ?? {}) as Record<string, unknown>;
    if (t >= cut.at) return channelEnds(cut.at, cut.cause);
    // Past its most executions the flow stops, and VoIPBIN hangs up.
    if (count >= TIMING.maxSteps) return hangingUp(t, 'normal_clearing');
    push({
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
    // The channel's end cuts a step short.
    if (t > cut.at) return channelEnds(cut.at, cut.cause);

    // A hangup action's reason only picks the channel's cause (cm action.go): from
    // terminating every cause but amd ends `normal`.
    if (action.type === 'hangup') return hangingUp(t, causeOfReason(option.reason));
    if (action.type === 'stop') break;
    if (action.type === 'amd' && ending === 'machine' && option.machine_handle === 'hangup') {
      return hangingUp(t, 'call_amd');
    }

    let next = action.next_id && action.next_id !== NIL_UUID ? byId.get(action.next_id) : index + 1;
    if (action.type === 'goto') {
      // Without `loop_count` a goto loops until the flow is stopped: at `maxSteps` actions, or
      // at the 1 h maximum if that comes first.
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
  // The flow has ended: VoIPBIN hangs up, unless the far end stays on the line until its end.
  if (ending === 'endless' || ending === 'calleeHangup') return channelEnds(cut.at, cut.cause);
  return hangingUp(t, 'normal_clearing');
}

/**
 * The steps of a call hung up `offset` ms after its creation (cm hangup.go `HangingUp`):
 * those already past, then `canceling` (an outgoing call not answered yet) or `terminating`,
 * then `hangup` once the channel is gone. Undefined for a call already ending: it keeps its
 * steps.
 */
export function planHangingUp(
  steps: readonly Step[],
  status: CallStatus,
  offset: number,
): Step[] | undefined {
  if (status === 'terminating' || status === 'canceling' || status === 'hangup') return undefined;
  const next: CallStatus = status === 'progressing' ? 'terminating' : 'canceling';
  return [
    ...steps.filter((step) => step.at <= offset),
    { at: offset, status: next },
    {
      at: offset + TIMING.hangingUp,
      status: 'hangup',
      hangup: hangupOf(next, 'normal_clearing'),
    },
  ];
}
