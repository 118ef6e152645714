import { describe, expect, it } from 'vitest';
import { callState } from './call-fixture.ts';
import type { CallState } from './documents.ts';
import { compareTimes, EMPTY_TIMELINE, type TimelineEvent, timelineReducer } from './timeline.ts';

const state = (
  status: CallState['status'],
  updatedAt: string | null,
  more: Partial<CallState> = {},
): CallState => callState(status, { id: 'c1', updatedAt, ...more });

const run = (...events: TimelineEvent[]) => events.reduce(timelineReducer, EMPTY_TIMELINE);

describe('timelineReducer', () => {
  it('lists each status in order with its time, and ends at HANGUP with the reason', () => {
    const t = run(
      { type: 'placed', call: state('DIALING', null) },
      { type: 'state', call: state('RINGING', '2026-01-15T09:30:01.000000Z') },
      {
        type: 'state',
        call: state('PROGRESSING', '2026-01-15T09:30:02.5Z', { action: { type: 'talk' } }),
      },
      {
        type: 'state',
        call: state('HANGUP', '2026-01-15T09:30:09.000001Z', { hangupReason: 'NORMAL' }),
      },
    );
    expect(t.entries).toEqual([
      { status: 'DIALING', at: '2026-01-15T09:30:00.000000Z', actionType: null },
      { status: 'RINGING', at: '2026-01-15T09:30:01.000000Z', actionType: null },
      { status: 'PROGRESSING', at: '2026-01-15T09:30:02.5Z', actionType: 'talk' },
      { status: 'HANGUP', at: '2026-01-15T09:30:09.000001Z', actionType: null },
    ]);
    expect(t.hungUp).toBe(true);
    expect(t.current?.hangupReason).toBe('NORMAL');
  });

  it('ignores a state older than the last, a repeat, and another call', () => {
    const ringing = state('RINGING', '2026-01-15T09:30:01.000000Z');
    const t = run(
      { type: 'placed', call: state('DIALING', null) },
      { type: 'state', call: state('DIALING', null) },
      { type: 'state', call: ringing },
      { type: 'state', call: ringing },
      { type: 'state', call: state('DIALING', '2026-01-15T09:30:00.900000Z') },
      { type: 'state', call: state('PROGRESSING', '2026-01-15T09:30:02Z', { id: 'c2' }) },
    );
    expect(t.entries.map((e) => e.status)).toEqual(['DIALING', 'RINGING']);
    expect(t.current).toBe(ringing);
  });

  it("takes a control's answer with the same time as the last state (mute, recording)", () => {
    const t = run(
      { type: 'placed', call: state('PROGRESSING', '2026-01-15T09:30:02Z') },
      {
        type: 'state',
        call: state('PROGRESSING', '2026-01-15T09:30:02Z', { muteDirection: 'IN' }),
      },
    );
    expect(t.current?.muteDirection).toBe('IN');
    const recorded = timelineReducer(t, {
      type: 'state',
      call: state('PROGRESSING', '2026-01-15T09:30:02Z', {
        muteDirection: 'IN',
        recordingId: 'rec-1',
        recordingIds: ['rec-1'],
      }),
    });
    expect(recorded.current?.recordingId).toBe('rec-1');
    expect(recorded.entries).toHaveLength(1);
  });

  it('takes a new action in the same status as the current state, without a new entry', () => {
    const t = run(
      { type: 'placed', call: state('PROGRESSING', '2026-01-15T09:30:02Z') },
      {
        type: 'state',
        call: state('PROGRESSING', '2026-01-15T09:30:03Z', { action: { type: 'talk' } }),
      },
    );
    expect(t.entries).toEqual([
      { status: 'PROGRESSING', at: '2026-01-15T09:30:02Z', actionType: 'talk' },
    ]);
    expect(t.current?.action?.type).toBe('talk');
  });

  it('shows the action only while the call is answered, not on the rows after', () => {
    const t = run(
      {
        type: 'placed',
        call: state('PROGRESSING', '2026-01-15T09:30:02Z', { action: { type: 'talk' } }),
      },
      {
        type: 'state',
        call: state('TERMINATING', '2026-01-15T09:30:08Z', { action: { type: 'talk' } }),
      },
      {
        type: 'state',
        call: state('HANGUP', '2026-01-15T09:30:09Z', { action: { type: 'talk' } }),
      },
    );
    expect(t.entries.map((e) => e.actionType)).toEqual(['talk', null, null]);
  });

  it('catches up on the stages missed while not listening, from their times', () => {
    const t = run(
      { type: 'placed', call: state('DIALING', null) },
      {
        type: 'state',
        call: state('HANGUP', '2026-01-15T09:30:09Z', {
          ringingAt: '2026-01-15T09:30:01Z',
          progressingAt: '2026-01-15T09:30:02Z',
          hangupAt: '2026-01-15T09:30:09Z',
        }),
      },
    );
    expect(t.entries).toEqual([
      { status: 'DIALING', at: '2026-01-15T09:30:00.000000Z', actionType: null },
      { status: 'RINGING', at: '2026-01-15T09:30:01Z', actionType: null },
      { status: 'PROGRESSING', at: '2026-01-15T09:30:02Z', actionType: null },
      { status: 'HANGUP', at: '2026-01-15T09:30:09Z', actionType: null },
    ]);
    // A call canceled while ringing was never answered: no PROGRESSING row is made up.
    const canceled = run(
      { type: 'placed', call: state('DIALING', null) },
      {
        type: 'state',
        call: state('HANGUP', '2026-01-15T09:30:04Z', { ringingAt: '2026-01-15T09:30:01Z' }),
      },
    );
    expect(canceled.entries.map((e) => e.status)).toEqual(['DIALING', 'RINGING', 'HANGUP']);
  });

  it('takes nothing after HANGUP, and starts over for a new call', () => {
    const ended = run(
      { type: 'placed', call: state('DIALING', null) },
      { type: 'state', call: state('HANGUP', '2026-01-15T09:30:05Z') },
      { type: 'state', call: state('TERMINATING', '2026-01-15T09:30:06Z') },
    );
    expect(ended.entries.map((e) => e.status)).toEqual(['DIALING', 'HANGUP']);
    const next = timelineReducer(ended, {
      type: 'placed',
      call: state('DIALING', null, { id: 'c2' }),
    });
    expect(next).toMatchObject({ callId: 'c2', hungUp: false, entries: [{ status: 'DIALING' }] });
  });
});

describe('compareTimes', () => {
  it('orders ISO times whatever the precision of their fraction', () => {
    expect(compareTimes('2026-01-15T09:30:00.5Z', '2026-01-15T09:30:00.400000Z')).toBe(1);
    expect(compareTimes('2026-01-15T09:30:00Z', '2026-01-15T09:30:00.000000Z')).toBe(0);
    expect(compareTimes('2026-01-15T09:30:00.000001Z', '2026-01-15T09:30:00.00001Z')).toBe(-1);
    expect(compareTimes(null, '2026-01-15T09:30:00Z')).toBe(0);
  });
});
