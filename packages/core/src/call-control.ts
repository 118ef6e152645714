/**
 * VoIPBIN's in-call control, as one table: each verb's method, path under `/calls/{id}/`, request
 * body and what it answers. `createClient` builds its methods from it, the emulator its routes
 * and the gateway its mutations, so a new verb is one row (plus its behaviour in the emulator).
 *
 * The bodies follow what VoIPBIN's handlers read (`bin-api-manager/server/calls.go` at
 * 2bf22fa, the generated `PostCallsId*JSONBody` structs), not the older spec. They are checked
 * exactly, like action options: an unknown key is a typo, but every field VoIPBIN reads is
 * accepted.
 */
import * as v from 'valibot';
import type { Call } from './call.ts';
import { MUTE_DIRECTIONS } from './call.ts';
import { NIL_UUID } from './normalize.ts';
import { DurationSchema, LanguageSchema, UuidSchema } from './primitives.ts';

/** Who speaks a talk's text: `gcp` or `aws`; `''` (or none) means GCP. */
export const TtsProviderSchema = v.picklist(['', 'gcp', 'aws']);

/**
 * The body of `POST /calls/{id}/talk`: says `text` on the call. `text` must not be empty (the
 * talk action sets no upper limit, and neither does this); `language` is a tag such as `en-US`;
 * `provider` the TTS provider (`gcp`, `aws`; empty: GCP, falling back to the other when one
 * fails); `voice_id` a provider's voice (empty: the language's default voice).
 */
export const TalkRequestSchema = v.strictObject({
  text: v.pipe(v.string(), v.nonEmpty('Expected a non-empty string')),
  language: v.optional(LanguageSchema),
  provider: v.optional(TtsProviderSchema),
  voice_id: v.optional(v.string()),
});
export type TalkRequest = v.InferInput<typeof TalkRequestSchema>;

/**
 * Which of the call's audio to mute or unmute: `both`, `in` or `out` (VoIPBIN's
 * `CallManagerCallMuteDirection`); `''`, VoIPBIN's none, means both.
 */
export const MuteDirectionSchema = v.picklist(['', ...MUTE_DIRECTIONS]);

/**
 * The body of `POST /calls/{id}/mute` and `DELETE /calls/{id}/mute`. `direction` is optional:
 * VoIPBIN takes none as `both` (cm mute.go). Unmuting `in` of a call muted `both` leaves `out`
 * muted, and the reverse.
 */
export const MuteRequestSchema = v.strictObject({
  direction: v.optional(MuteDirectionSchema),
});
export type MuteRequest = v.InferInput<typeof MuteRequestSchema>;

/** The formats a recording may take (VoIPBIN passes `format` to Asterisk as the file's extension). */
export const RECORDING_FORMATS = ['wav', 'mp3', 'ogg'] as const;
export type RecordingFormat = (typeof RECORDING_FORMATS)[number];

/**
 * The body of `POST /calls/{id}/recording_start`. Every field is optional; what is left out is
 * sent as VoIPBIN's zero value, as its Go struct would read it: `end_of_silence` `0` (no stop on
 * silence), `end_of_key` `''` (no stop key), `duration` `0` (no maximum), `on_end_flow_id` the
 * nil UUID (no flow when it ends), `beep_start` `false`. `format` is the exception: VoIPBIN's
 * zero value `''` would name a file with no extension, so it defaults to `'wav'`, the format
 * VoIPBIN lists. `end_of_silence` and `duration` are whole seconds. `beep_start` is read by the
 * `recording_start` action; the REST handler at 2bf22fa ignores it (harmless to send).
 */
export const RecordingStartRequestSchema = v.strictObject({
  format: v.optional(v.picklist(RECORDING_FORMATS), 'wav'),
  end_of_silence: v.optional(DurationSchema, 0),
  end_of_key: v.optional(v.string(), ''),
  duration: v.optional(DurationSchema, 0),
  beep_start: v.optional(v.boolean(), false),
  on_end_flow_id: v.optional(UuidSchema, NIL_UUID),
});
export type RecordingStartRequest = v.InferInput<typeof RecordingStartRequestSchema>;

/** One in-call control verb: `method <baseURL>/calls/{id}/<path>`. */
export interface CallControlVerb {
  readonly method: 'POST' | 'DELETE';
  /** The path below `/calls/{id}/`. */
  readonly path: string;
  /** The request body, checked before sending; none for a verb that takes no body. */
  readonly body?: v.GenericSchema;
  /** `call`: VoIPBIN answers the call as it is after; `nothing`: 200 with an empty body. */
  readonly answers: 'call' | 'nothing';
  /** The gateway's mutation for this verb. */
  readonly mutation: string;
  /** What it does, one sentence: the client's and the gateway's documentation. */
  readonly summary: string;
}

/**
 * Every in-call control verb VoIPBIN has (`bin-api-manager/server/calls.go`), by the name of
 * the client method that sends it. POSTs are never retried (each may act twice); DELETEs are
 * retried like any DELETE, which is harmless for these.
 */
export const CALL_CONTROLS = {
  hangup: {
    method: 'POST',
    path: 'hangup',
    answers: 'call',
    mutation: 'hangupCall',
    summary:
      'Hangs up a call: one not answered yet is canceled, an answered one terminated; one already ending is answered as it is.',
  },
  talk: {
    method: 'POST',
    path: 'talk',
    body: TalkRequestSchema,
    answers: 'nothing',
    mutation: 'talkToCall',
    summary: 'Speaks a text into the call (text to speech).',
  },
  hold: {
    method: 'POST',
    path: 'hold',
    answers: 'nothing',
    mutation: 'holdCall',
    summary: 'Puts the call on hold.',
  },
  unhold: {
    method: 'DELETE',
    path: 'hold',
    answers: 'nothing',
    mutation: 'unholdCall',
    summary: 'Takes the call off hold.',
  },
  mute: {
    method: 'POST',
    path: 'mute',
    body: MuteRequestSchema,
    answers: 'nothing',
    mutation: 'muteCall',
    summary: 'Mutes the call one way (`in`, `out`) or both (the default).',
  },
  unmute: {
    method: 'DELETE',
    path: 'mute',
    body: MuteRequestSchema,
    answers: 'nothing',
    mutation: 'unmuteCall',
    summary:
      'Unmutes the call one way or both (the default); unmuting one way of both leaves the other.',
  },
  startMusicOnHold: {
    method: 'POST',
    path: 'moh',
    answers: 'nothing',
    mutation: 'startMusicOnHold',
    summary: 'Plays music on hold to the call.',
  },
  stopMusicOnHold: {
    method: 'DELETE',
    path: 'moh',
    answers: 'nothing',
    mutation: 'stopMusicOnHold',
    summary: 'Stops the music on hold.',
  },
  startSilence: {
    method: 'POST',
    path: 'silence',
    answers: 'nothing',
    mutation: 'startSilence',
    summary: 'Plays silence to the call.',
  },
  stopSilence: {
    method: 'DELETE',
    path: 'silence',
    answers: 'nothing',
    mutation: 'stopSilence',
    summary: 'Stops the silence.',
  },
  startRecording: {
    method: 'POST',
    path: 'recording_start',
    body: RecordingStartRequestSchema,
    answers: 'call',
    mutation: 'startRecording',
    summary: 'Starts recording an answered call; the call answered has its new `recording_id`.',
  },
  stopRecording: {
    method: 'POST',
    path: 'recording_stop',
    answers: 'call',
    mutation: 'stopRecording',
    summary: "Stops the call's recording.",
  },
} as const satisfies Record<string, CallControlVerb>;

export type CallControls = typeof CALL_CONTROLS;
export type CallControlName = keyof CallControls;

/** The body a verb takes (its schema's input), or `never` for one that takes none. */
export type CallControlBody<K extends CallControlName> = CallControls[K] extends {
  body: infer S extends v.GenericSchema;
}
  ? v.InferInput<S>
  : never;

/** What a verb resolves with: the call, or nothing. */
export type CallControlAnswer<K extends CallControlName> = CallControls[K]['answers'] extends 'call'
  ? Call
  : undefined;

/** The client method of a verb: `(id, opts?)`, or `(id, body, opts?)`, `body` optional when every field is. */
export type CallControlMethod<K extends CallControlName, TOptions> = CallControls[K] extends {
  body: v.GenericSchema;
}
  ? Partial<CallControlBody<K>> extends CallControlBody<K>
    ? (id: string, request?: CallControlBody<K>, opts?: TOptions) => Promise<CallControlAnswer<K>>
    : (id: string, request: CallControlBody<K>, opts?: TOptions) => Promise<CallControlAnswer<K>>
  : (id: string, opts?: TOptions) => Promise<CallControlAnswer<K>>;

/** The verb a request names, by method and path under `/calls/{id}/`, or undefined. */
export function callControlOf(method: string, path: string): CallControlName | undefined {
  for (const name of Object.keys(CALL_CONTROLS) as CallControlName[]) {
    const verb: CallControlVerb = CALL_CONTROLS[name];
    if (verb.method === method && verb.path === path) return name;
  }
  return undefined;
}
