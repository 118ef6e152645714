/**
 * VoIPBIN's rules for a call's life (cm models/call/call.go): which status may follow which,
 * who hung up and why, and the call's state at a moment of its plan.
 */
import type { CallStatus, HangupBy, HangupReason } from '@voipbin-kit/core';
import type { ActionState, CallControls, CallState, Step } from './types.ts';

/** The action VoIPBIN shows before the first step runs (fm models/action `IDStart`). */
export const START_ACTION: ActionState = {
  id: '00000000-0000-0000-0000-000000000001',
  next_id: '00000000-0000-0000-0000-000000000000',
  type: '',
};

/** cm models/call/call.go `IsUpdatableStatus`: never backwards, hangup is final. */
const NEXT: Record<CallStatus, readonly CallStatus[]> = {
  dialing: ['ringing', 'progressing', 'terminating', 'canceling', 'hangup'],
  ringing: ['progressing', 'terminating', 'canceling', 'hangup'],
  progressing: ['terminating', 'hangup'],
  terminating: ['hangup'],
  canceling: ['hangup'],
  hangup: [],
};

export function isUpdatableStatus(from: CallStatus, to: CallStatus): boolean {
  return NEXT[from].includes(to);
}

/**
 * The channel's hangup cause, as the emulator tells them apart (Asterisk's causes, cm
 * models/ari): what the far end or the network said, or what VoIPBIN hung up with.
 */
export type ChannelCause =
  | 'normal_clearing'
  | 'user_busy'
  | 'no_answer'
  | 'call_rejected'
  | 'answered_elsewhere'
  | 'unknown'
  | 'no_user_response'
  | 'call_duration_timeout'
  | 'call_amd';

/** cm models/call/call.go `CalculateHangupBy`: local when VoIPBIN ended it (terminating, canceling). */
export function hangupByOf(lastStatus: CallStatus): HangupBy {
  return lastStatus === 'terminating' || lastStatus === 'canceling' ? 'local' : 'remote';
}

/** cm models/call/call.go `calculateHangupReasonDirectionOutgoing`. */
export function hangupReasonOf(lastStatus: CallStatus, cause: ChannelCause): HangupReason {
  switch (lastStatus) {
    case 'dialing':
    case 'ringing':
      switch (cause) {
        case 'no_answer':
        case 'call_rejected':
          return 'noanswer';
        case 'user_busy':
          return 'busy';
        case 'normal_clearing':
        case 'answered_elsewhere':
          return 'normal';
        case 'unknown':
          return 'dialout';
        default:
          return 'failed';
      }
    case 'progressing':
      return cause === 'call_duration_timeout' ? 'timeout' : 'normal';
    case 'terminating':
      return cause === 'call_amd' ? 'amd' : 'normal';
    case 'canceling':
      return 'cancel';
    default:
      return 'normal';
  }
}

/**
 * cm models/call/call.go `ConvertHangupReasonToChannelCause`: the cause VoIPBIN hangs a channel
 * up with for a reason (a `hangup` action's `reason`, the API's `normal`). Only the cause
 * reaches the call: from `terminating` every cause but `call_amd` ends `normal`.
 */
export function causeOfReason(reason: unknown): ChannelCause {
  switch (reason) {
    case 'failed':
      return 'no_user_response';
    case 'busy':
      return 'user_busy';
    case 'noanswer':
    case 'dialout':
      return 'no_answer';
    case 'amd':
      return 'call_amd';
    default:
      return 'normal_clearing';
  }
}

/** `hangup_by` and `hangup_reason` of a call whose channel ends with `cause` in `lastStatus`. */
export function hangupOf(
  lastStatus: CallStatus,
  cause: ChannelCause,
): { by: HangupBy; reason: HangupReason } {
  return { by: hangupByOf(lastStatus), reason: hangupReasonOf(lastStatus, cause) };
}

/** The state of a call `offset` ms after its creation: that of the last step at or before it. */
export function stateAt(steps: readonly Step[], states: readonly CallState[], offset: number) {
  let lo = 0;
  let hi = steps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((steps[mid] as Step).at <= offset) lo = mid;
    else hi = mid - 1;
  }
  return states[lo] as CallState;
}

/**
 * The states of `steps`. The first (the new call) has no `tm_update`: VoIPBIN's new call has
 * `tm_create` only. With `after` (the last in-call change), the states of the steps after its
 * step are stamped after it, so each event keeps its own `tm_update`.
 */
export function statesOf(steps: readonly Step[], after?: CallControls): CallState[] {
  let state: CallState = {
    status: 'dialing',
    action: START_ACTION,
    hangupBy: '',
    hangupReason: '',
    updatedUs: -1,
  };
  return steps.map((step, index) => {
    const floor = after && index > after.step ? after.updatedUs + 1 : 0;
    state = {
      ...state,
      updatedUs: index === 0 ? -1 : Math.max(step.at * 1000, state.updatedUs + 1, floor),
    };
    if (step.action) state.action = step.action;
    if (step.status) state.status = step.status;
    if (step.status === 'ringing') state.ringingAt = step.at;
    if (step.status === 'progressing') state.progressingAt = step.at;
    if (step.hangup) {
      state.hangupAt = step.at;
      state.hangupBy = step.hangup.by;
      state.hangupReason = step.hangup.reason;
    }
    return state;
  });
}
