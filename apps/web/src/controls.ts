import type { CallState, MuteCall } from './documents.ts';
import type { VariablesOf } from './graphql.ts';

/** A direction to mute or unmute (`MuteDirectionInput`). */
export type MuteChoice = NonNullable<VariablesOf<typeof MuteCall>['direction']>;

/**
 * The mute directions in words. VoIPBIN mutes the call's channel as Asterisk does: `in` is the
 * audio coming from the callee into VoIPBIN (their voice), `out` the audio VoIPBIN sends to the
 * callee (what they hear, the spoken text included). The gateway's `MuteDirectionInput` doc says
 * otherwise for IN; VoIPBIN's call-manager ("mute the channel incoming") and Asterisk's MuteAudio
 * ("in: inbound stream, to the PBX") agree on this reading.
 */
export const MUTE_CHOICES: readonly { value: MuteChoice; label: string; hint: string }[] = [
  { value: 'BOTH', label: 'Both ways', hint: 'Nothing goes either way.' },
  { value: 'IN', label: 'Their voice', hint: "What the callee says (VoIPBIN's in)." },
  {
    value: 'OUT',
    label: 'What they hear',
    hint: "What VoIPBIN sends to the callee, the spoken text included (VoIPBIN's out).",
  },
];

/** The call's mute state as the page says it. */
export function muteWords(direction: CallState['muteDirection']): string {
  switch (direction) {
    case null:
      return 'Not muted.';
    case 'BOTH':
      return 'Muted both ways.';
    case 'IN':
      return 'Their voice is muted.';
    case 'OUT':
      return 'What they hear is muted.';
    default:
      return 'Muted (a direction this page does not know).';
  }
}

/** What Unmute sends: the direction muted; none (VoIPBIN's both) when it is unknown or none. */
export function unmuteDirection(direction: CallState['muteDirection']): MuteChoice | undefined {
  return MUTE_CHOICES.find((choice) => choice.value === direction)?.value;
}

/** The text to say, or why nothing is sent. */
export type TalkRequest = { text: string } | { refused: string };

/** Checks the text to say before sending it: VoIPBIN refuses an empty one. */
export function talkRequest(raw: string): TalkRequest {
  const text = raw.trim();
  return text === '' ? { refused: 'Type what to say first.' } : { text };
}

/** How many recordings the call has, in words. */
export function recordingCount(call: Pick<CallState, 'recordingIds'>): string {
  const count = call.recordingIds.length;
  if (count === 0) return 'No recordings yet';
  return count === 1 ? '1 recording' : `${count} recordings`;
}
