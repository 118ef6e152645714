/**
 * In-call control, `/v1.0/calls/{id}/<verb>`, built from core's `CALL_CONTROLS`: each row gives
 * the route (method and path); `BEHAVIOURS` says what the emulator does for it, as VoIPBIN's
 * call-manager does (cm callhandler hangup.go, media.go, hold.go, mute.go, recording.go). A
 * row without a behaviour fails the typecheck: a new verb is one row plus its behaviour.
 */
import { CALL_CONTROLS, type CallControlName, NIL_UUID } from '@voipbin-kit/core';
import { muteRequest, parseBody, recordingStartRequest, talkRequest, uuidOf } from '../decode.ts';
import { errors } from '../errors.ts';
import type { Runner } from '../runner.ts';
import type { CallRecord } from '../types.ts';
import { ownCall } from './calls.ts';
import { answer, empty, type Handler } from './context.ts';

interface Behaviour<B> {
  /** How VoIPBIN's handler reads the body (gin `BindJSON`); none for a verb that reads none. */
  decode?: (value: unknown) => B;
  run(runner: Runner, call: CallRecord, body: B): Response;
}

/** The behaviour of every verb of `CALL_CONTROLS`, by its name. */
// biome-ignore lint/suspicious/noExplicitAny: each verb's body is its own decoder's type.
type Behaviours = { [K in CallControlName]: Behaviour<any> };

/**
 * Hold, mute, music on hold and silence act on the call's channel, and are not status-checked
 * first: on a call whose channel is gone (hung up) call-manager answers 400, which am maps to
 * `INVALID_ARGUMENT`.
 */
function channelOf(runner: Runner, call: CallRecord): void {
  if (runner.state(call).status === 'hangup') throw errors.badRequest();
}

/** A channel action that changes nothing VoIPBIN's call shows, and sends no event. */
const onChannel: Behaviour<undefined> = {
  run(runner, call) {
    channelOf(runner, call);
    return empty();
  },
};

const MUTE_DIRECTIONS = ['both', 'in', 'out'];

/** `direction` of a mute request: none means both; another value fails on the channel. */
function directionOf(direction: string): string {
  if (direction === '') return 'both';
  if (!MUTE_DIRECTIONS.includes(direction)) throw errors.badRequest();
  return direction;
}

export const BEHAVIOURS: Behaviours = {
  hangup: {
    run(runner, call) {
      runner.hangup(call);
      return answer(runner.json(call));
    },
  },
  talk: {
    decode: talkRequest,
    // cm media.go `Talk`: answers the channel first when the call is not progressing (which
    // fails once it is gone: 500); does not change the call's action, sends no event.
    run(runner, call) {
      if (runner.state(call).status === 'hangup') throw errors.internal();
      return empty();
    },
  },
  hold: onChannel,
  unhold: onChannel,
  startMusicOnHold: onChannel,
  stopMusicOnHold: onChannel,
  startSilence: onChannel,
  stopSilence: onChannel,
  mute: {
    decode: muteRequest,
    // cm mute.go `MuteOn`: sets the call's `mute_direction`, sends `call_updated`.
    run(runner, call, body: { direction: string }) {
      channelOf(runner, call);
      call.controls.mute = directionOf(body.direction);
      runner.changed(call, true);
      return empty();
    },
  },
  unmute: {
    decode: muteRequest,
    // cm mute.go `MuteOff`: unmuting the direction muted clears it; one way of `both` leaves
    // the other; anything else leaves the call's direction as it is.
    run(runner, call, body: { direction: string }) {
      channelOf(runner, call);
      const off = directionOf(body.direction);
      const current = call.controls.mute;
      let next = '';
      if (current !== off) {
        if (current === 'both') next = off === 'in' ? 'out' : 'in';
        else next = current;
      }
      call.controls.mute = next;
      runner.changed(call, true);
      return empty();
    },
  },
  startRecording: {
    decode: recordingStartRequest,
    // cm recording.go `RecordingStart`: already recording, or not progressing, is an error
    // (500 `INTERNAL`); the call answered has its new `recording_id`; no event.
    run(runner, call) {
      const { controls } = call;
      if (controls.recordingId !== NIL_UUID) throw errors.internal();
      if (runner.state(call).status !== 'progressing') throw errors.internal();
      controls.recordingId = crypto.randomUUID();
      controls.recordingIds.push(controls.recordingId);
      runner.changed(call, false);
      return answer(runner.json(call));
    },
  },
  stopRecording: {
    // cm recording.go `RecordingStop`. With nothing recording VoIPBIN returns
    // `errors.Wrapf(nil, ...)`, which is nil: it answers 200 with an all-zero call. The
    // emulator answers 200 with the call unchanged (README, known differences).
    run(runner, call) {
      const { controls } = call;
      if (controls.recordingId === NIL_UUID) return answer(runner.json(call));
      if (runner.state(call).status !== 'progressing') throw errors.internal();
      controls.recordingId = NIL_UUID;
      runner.changed(call, false);
      return answer(runner.json(call));
    },
  },
};

/** The routes of `CALL_CONTROLS`: `[method, path, handler]`, the path below `/calls/{id}/`. */
export const CONTROL_ROUTES: [string, string, Handler][] = (
  Object.keys(CALL_CONTROLS) as CallControlName[]
).map((name) => {
  const { method, path } = CALL_CONTROLS[name];
  const behaviour = BEHAVIOURS[name];
  const handler: Handler = async (context, request, _url, { id }) => {
    // am: the id first (400 `INVALID_ID`), then the body (400 `INVALID_JSON_BODY`), then
    // the call (404, 403).
    if (!uuidOf(id)) throw errors.invalidId();
    const body = behaviour.decode
      ? behaviour.decode(parseBody(await request.text(), !context.strictJson).value)
      : undefined;
    const call = ownCall(context, id);
    context.runner.flush();
    return behaviour.run(context.runner, call, body);
  };
  return [method, path, handler];
});
