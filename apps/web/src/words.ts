import type { CallState } from './documents.ts';

export type CallStatus = CallState['status'];
type Status = CallStatus;
type Reason = NonNullable<CallState['hangupReason']>;

/** A call's status as a caller says it. */
const STATUS_WORDS: Record<Status, string> = {
  DIALING: 'Dialing',
  RINGING: 'Ringing',
  PROGRESSING: 'Answered',
  CANCELING: 'Canceling',
  TERMINATING: 'Ending',
  HANGUP: 'Ended',
  UNKNOWN: 'Unknown',
};

export const statusWords = (status: Status): string => STATUS_WORDS[status];

/** How a status badge reads: still running, or over. */
export type Tone = 'live' | 'ok' | 'ended' | 'warn';

export function toneOf(status: Status): Tone {
  if (status === 'PROGRESSING') return 'ok';
  if (status === 'HANGUP') return 'ended';
  if (status === 'UNKNOWN') return 'warn';
  return 'live';
}

/** Why a call ended, as VoIPBIN's call-manager defines each reason (models/call/call.go). */
const REASON_WORDS: Record<Reason, string> = {
  NORMAL: 'normally, after it was answered',
  CANCEL: 'canceled before it was answered',
  BUSY: 'the line was busy',
  NOANSWER: 'no answer',
  DIALOUT: 'nobody answered in time',
  FAILED: 'the call did not reach the phone network',
  TIMEOUT: 'the call reached its longest allowed duration',
  AMD: 'an answering machine was detected',
  UNKNOWN: 'for a reason VoIPBIN did not give',
};

/** "Ended: the callee hung up", from the reason and who hung up first. */
export function endWords(call: Pick<CallState, 'hangupReason' | 'hangupBy'>): string {
  const { hangupReason: reason, hangupBy: by } = call;
  if (reason === 'NORMAL' && by === 'REMOTE') return 'Ended: the callee hung up';
  if (reason === 'NORMAL' && by === 'LOCAL') return 'Ended: hung up by this side';
  return `Ended: ${reason ? REASON_WORDS[reason] : 'no reason given'}`;
}

/** Whether a call can still change: anything before HANGUP. */
export const isLive = (call: Pick<CallState, 'status'>): boolean => call.status !== 'HANGUP';

/** Elapsed time as m:ss (or h:mm:ss), never negative. */
export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
