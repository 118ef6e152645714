import type { CallState } from './documents.ts';

export type CallStatus = CallState['status'];

/** A `.chip`'s `data-tone`: how a status reads at a glance. */
export type Tone = 'live' | 'ok' | 'ended' | 'warn';

const STATUS_WORDS: Record<CallStatus, string> = {
  DIALING: 'Dialing',
  RINGING: 'Ringing',
  PROGRESSING: 'Answered',
  CANCELING: 'Canceling',
  TERMINATING: 'Ending',
  HANGUP: 'Ended',
  UNKNOWN: 'Unknown',
};

/** A call's status as the page says it: "Ringing", "Answered", "Ended". */
export const statusWords = (status: CallStatus): string => STATUS_WORDS[status];

/** The tone of a status: live while the call is up or going down, ended after HANGUP. */
export function toneOf(status: CallStatus): Tone {
  switch (status) {
    case 'HANGUP':
      return 'ended';
    case 'UNKNOWN':
      return 'warn';
    default:
      return 'live';
  }
}
