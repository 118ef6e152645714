/**
 * Bodies of VoIPBIN's in-call control endpoints (`POST /calls/{id}/talk`, `/mute`,
 * `/recording_start`), after `voipbin-calls-openapi.yaml`. Checked exactly, like action options:
 * an unknown key is a typo.
 */
import * as v from 'valibot';
import { MUTE_DIRECTIONS } from './call.ts';
import { NIL_UUID } from './normalize.ts';
import { DurationSchema, LanguageSchema, UuidSchema } from './primitives.ts';

/**
 * The body of `POST /calls/{id}/talk`: says `text` on an answered call. `text` must not be empty
 * (the talk action sets no upper limit, and neither does this); `language` is a tag such as
 * `en-US`, as in the talk action; `provider` is the TTS provider (`gcp`, `aws`; empty: GCP);
 * `voice_id` a provider's voice (empty: the language's default voice).
 */
export const TalkRequestSchema = v.strictObject({
  text: v.pipe(v.string(), v.nonEmpty('Expected a non-empty string')),
  language: v.optional(LanguageSchema),
  provider: v.optional(v.picklist(['', 'gcp', 'aws'])),
  voice_id: v.optional(v.string()),
});
export type TalkRequest = v.InferInput<typeof TalkRequestSchema>;

/** Which of the call's audio is muted: `both`, `in` or `out` (VoIPBIN's `CallManagerCallMuteDirection`, unset aside). */
export const MuteDirectionSchema = v.picklist(MUTE_DIRECTIONS);

/** The body of `POST /calls/{id}/mute` and `DELETE /calls/{id}/mute`. */
export const MuteRequestSchema = v.strictObject({ direction: MuteDirectionSchema });
export type MuteRequest = v.InferInput<typeof MuteRequestSchema>;

/**
 * The body of `POST /calls/{id}/recording_start`. The spec lists every field as required; what
 * is left out is filled in before sending: `format` `'wav'` (the only one the spec knows),
 * `end_of_silence` `0` (no stop on silence), `end_of_key` `''` (no stop key), `duration` `0`
 * (no maximum) and `on_end_flow_id` the nil UUID (no flow when the recording ends).
 * `end_of_silence` and `duration` are whole seconds.
 */
export const RecordingStartRequestSchema = v.strictObject({
  format: v.optional(v.picklist(['wav']), 'wav'),
  end_of_silence: v.optional(DurationSchema, 0),
  end_of_key: v.optional(v.string(), ''),
  duration: v.optional(DurationSchema, 0),
  on_end_flow_id: v.optional(UuidSchema, NIL_UUID),
});
export type RecordingStartRequest = v.InferInput<typeof RecordingStartRequestSchema>;
