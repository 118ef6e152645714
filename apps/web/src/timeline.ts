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

/** Nothing the page shows differs (a control's answer may share `updatedAt` with the last). */
const sameState = (a: CallState, b: CallState) =>
  a.status === b.status &&
  a.updatedAt === b.updatedAt &&
  (a.action?.type ?? null) === (b.action?.type ?? null) &&
  a.hangupReason === b.hangupReason &&
  a.muteDirection === b.muteDirection &&
  a.recordingId === b.recordingId &&
  a.recordingIds.length === b.recordingIds.length;

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

/** The order of a call's life; a state never goes back in it. */
const LIFE: CallState['status'][] = [
  'DIALING',
  'RINGING',
  'PROGRESSING',
  'CANCELING',
  'TERMINATING',
  'HANGUP',
];

/**
 * The stages a state says the call went through, with their times (`ringingAt`,
 * `progressingAt`): what happened while the page was not listening, as a caught-up stream
 * shows only the current state.
 */
function stagesBefore(call: CallState): TimelineEntry[] {
  const rank = LIFE.indexOf(call.status);
  const stages: [CallState['status'], string | null][] = [
    ['RINGING', call.ringingAt],
    ['PROGRESSING', call.progressingAt],
  ];
  return stages
    .filter(([status, at]) => at !== null && LIFE.indexOf(status) < rank)
    .map(([status, at]) => ({ status, at, actionType: null }));
}

function take(timeline: Timeline, call: CallState): Timeline {
  const seen = new Set(timeline.entries.map((entry) => entry.status));
  const last = timeline.entries[timeline.entries.length - 1];
  // An action runs only while the call is answered: a later row shows none.
  const actionType = call.status === 'PROGRESSING' ? (call.action?.type ?? null) : null;
  let entries: TimelineEntry[];
  if (last?.status === call.status) {
    // The same status with a new action: the row shows the action running now.
    entries =
      last.actionType === actionType
        ? timeline.entries
        : [...timeline.entries.slice(0, -1), { ...last, actionType }];
  } else {
    const missed = stagesBefore(call).filter((stage) => !seen.has(stage.status));
    entries = [
      ...timeline.entries,
      ...missed,
      { status: call.status, at: call.updatedAt ?? call.createdAt, actionType },
    ];
  }
  return { ...timeline, entries, current: call, hungUp: call.status === 'HANGUP' };
}
