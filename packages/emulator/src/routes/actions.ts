/** fm models/action/action.go `TypeListAll` and actionhandler `ValidateActions`. */
import { errors } from '../errors.ts';

/**
 * The 43 action types `ValidateActions` accepts (fm models/action/action.go `TypeListAll`, at
 * 2bf22fa). The file defines 44: `empty` (`TypeEmpty`) is not in the list, so it is refused.
 */
export const VOIPBIN_ACTION_TYPES = [
  'amd',
  'answer',
  'ai_summary',
  'ai_talk',
  'ai_task',
  'beep',
  'block',
  'branch',
  'call',
  'case_create',
  'condition_call_digits',
  'condition_call_status',
  'condition_datetime',
  'condition_variable',
  'confbridge_join',
  'conference_join',
  'connect',
  'conversation_send',
  'digits_receive',
  'digits_send',
  'echo',
  'email_send',
  'external_media_start',
  'external_media_stop',
  'fetch',
  'fetch_flow',
  'goto',
  'hangup',
  'message_send',
  'mute',
  'play',
  'queue_join',
  'recording_start',
  'recording_stop',
  'sleep',
  'stop',
  'stream_echo',
  'talk',
  'transcribe_start',
  'transcribe_stop',
  'transcribe_recording',
  'variable_set',
  'webhook_send',
] as const;

const KNOWN = new Set<string>(VOIPBIN_ACTION_TYPES);

/** 400 `INVALID_ACTION_TYPE` for the first action of a type VoIPBIN does not have. */
export function validateActionTypes(actions: readonly { type: string }[]): void {
  for (const action of actions) {
    if (!KNOWN.has(action.type)) throw errors.invalidActionType(action.type);
  }
}
