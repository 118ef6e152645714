import type { CallState } from './documents.ts';

/** One step of the timeline: a status, when the call reached it (`updatedAt`, else `createdAt`), the action then. */
export interface TimelineEntry {
  status: CallState['status'];
  at: string | null;
  actionType: string | null;
}

/** The followed call, as the page shows it. */
export interface Timeline {
  callId: string | null;
  entries: TimelineEntry[];
  /** The latest state taken. */
  current: CallState | null;
  /** HANGUP reached: nothing after it is taken. */
  hungUp: boolean;
}

export type TimelineEvent =
  /** createCall answered: follow this call, from its first state. */
  | { type: 'placed'; call: CallState }
  /** A state of the call (from callUpdated, or hangupCall's answer). */
  | { type: 'state'; call: CallState }
  | { type: 'reset' };

export const EMPTY_TIMELINE: Timeline = { callId: null, entries: [], current: null, hungUp: false };

/** An ISO 8601 UTC time as a string that sorts by time, whatever the fraction's precision. */
function sortable(time: string): string {
  const match = /^([^.]*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(time);
  if (!match) return time;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}`;
}

/** Negative when `a` is before `b`; 0 when either is unknown or they are the same instant. */
export function compareTimes(a: string | null, b: string | null): number {
  if (a === null || b === null) return 0;
  const x = sortable(a);
  const y = sortable(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const sameState = (a: CallState, b: CallState) =>
  a.status === b.status &&
  a.updatedAt === b.updatedAt &&
  (a.action?.type ?? null) === (b.action?.type ?? null) &&
  a.hangupReason === b.hangupReason;

/**
 * The timeline after `event`. A state of another call, one older than the last taken (by
 * `updatedAt`, VoIPBIN's `tm_update`), a repeat, or anything after HANGUP is ignored; a new
 * action with the same status updates the current state without a new entry.
 */
export function timelineReducer(timeline: Timeline, event: TimelineEvent): Timeline {
  if (event.type === 'reset') return EMPTY_TIMELINE;
  if (event.type === 'placed')
    return take({ ...EMPTY_TIMELINE, callId: event.call.id }, event.call);
  if (event.call.id !== timeline.callId || timeline.hungUp) return timeline;
  const last = timeline.current;
  if (
    last &&
    (sameState(last, event.call) || compareTimes(event.call.updatedAt, last.updatedAt) < 0)
  )
    return timeline;
  return take(timeline, event.call);
}

function take(timeline: Timeline, call: CallState): Timeline {
  const previous = timeline.entries[timeline.entries.length - 1];
  const entries =
    previous?.status === call.status
      ? timeline.entries
      : [
          ...timeline.entries,
          {
            status: call.status,
            at: call.updatedAt ?? call.createdAt,
            actionType: call.action?.type ?? null,
          },
        ];
  return { ...timeline, entries, current: call, hungUp: call.status === 'HANGUP' };
}
