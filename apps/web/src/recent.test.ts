import { describe, expect, it } from 'vitest';
import { callState } from './call-fixture.ts';
import type { CallState } from './documents.ts';
import { EMPTY_RECENT, type RecentEvent, recentReducer, supersedes } from './recent.ts';

const call = (id: string, status: CallState['status'], updatedAt: string | null = null) =>
  callState(status, { id, updatedAt });

const page = (nodes: CallState[], endCursor: string | null, hasNextPage: boolean): RecentEvent => ({
  type: 'page',
  nodes,
  pageInfo: { endCursor, hasNextPage },
});
const live = (c: CallState): RecentEvent => ({ type: 'state', call: c });

const run = (...events: RecentEvent[]) => events.reduce(recentReducer, EMPTY_RECENT);
const ids = (events: RecentEvent[]) => run(...events).calls.map((c) => c.id);
const statuses = (events: RecentEvent[]) => run(...events).calls.map((c) => c.status);

describe('recentReducer', () => {
  it('appends pages in the order they came and keeps the last page info', () => {
    const list = run(
      page([call('c3', 'RINGING'), call('c2', 'HANGUP')], 'p1', true),
      page([call('c1', 'HANGUP')], null, false),
    );
    expect(list.calls.map((c) => c.id)).toEqual(['c3', 'c2', 'c1']);
    expect(list).toMatchObject({ endCursor: null, hasNextPage: false });
    expect(run(page([call('c3', 'RINGING')], 'p1', true))).toMatchObject({
      endCursor: 'p1',
      hasNextPage: true,
    });
  });

  it('puts a state of a call it does not hold on top', () => {
    expect(ids([page([call('c1', 'HANGUP')], null, false), live(call('c2', 'DIALING'))])).toEqual([
      'c2',
      'c1',
    ]);
  });

  it('holds a call once: a page repeating a held call updates it in its place', () => {
    const events = [
      live(call('c9', 'DIALING')),
      page([call('c8', 'HANGUP'), call('c9', 'RINGING', '2026-01-15T09:30:01Z')], 'p1', true),
    ];
    expect(ids(events)).toEqual(['c9', 'c8']);
    expect(statuses(events)).toEqual(['RINGING', 'HANGUP']);
  });

  it('takes a newer state in place and ignores an older one, whatever the precision', () => {
    const base = page(
      [call('c2', 'HANGUP'), call('c1', 'RINGING', '2026-01-15T09:30:01Z')],
      null,
      false,
    );
    const newer = live(call('c1', 'PROGRESSING', '2026-01-15T09:30:01.5Z'));
    expect(statuses([base, newer])).toEqual(['HANGUP', 'PROGRESSING']);
    expect(ids([base, newer])).toEqual(['c2', 'c1']);
    const older = live(call('c1', 'DIALING', '2026-01-15T09:30:00.999999Z'));
    expect(statuses([base, newer, older])).toEqual(['HANGUP', 'PROGRESSING']);
    // A page fetched before the live state does not take it back either.
    expect(
      statuses([base, newer, page([call('c1', 'RINGING', '2026-01-15T09:30:01Z')], null, false)]),
    ).toEqual(['HANGUP', 'PROGRESSING']);
  });

  it('returns the same list when a state changes nothing', () => {
    const list = run(live(call('c1', 'RINGING', '2026-01-15T09:30:01Z')));
    expect(recentReducer(list, live(call('c1', 'DIALING', '2026-01-15T09:30:00Z')))).toBe(list);
  });
});

describe('supersedes', () => {
  const at = (status: CallState['status'], updatedAt: string | null) =>
    call('c1', status, updatedAt);

  it('by updatedAt: a later or same instant replaces, an earlier one does not', () => {
    expect(
      supersedes(at('RINGING', '2026-01-15T09:30:01Z'), at('DIALING', '2026-01-15T09:30:00.9Z')),
    ).toBe(true);
    expect(
      supersedes(at('RINGING', '2026-01-15T09:30:01.000Z'), at('RINGING', '2026-01-15T09:30:01Z')),
    ).toBe(true);
    expect(
      supersedes(at('DIALING', '2026-01-15T09:30:00.9Z'), at('RINGING', '2026-01-15T09:30:01Z')),
    ).toBe(false);
  });

  it('a first state (no updatedAt) never replaces a later one', () => {
    expect(supersedes(at('DIALING', null), at('RINGING', '2026-01-15T09:30:01Z'))).toBe(false);
    expect(supersedes(at('DIALING', null), at('DIALING', null))).toBe(true);
    expect(supersedes(at('RINGING', '2026-01-15T09:30:01Z'), at('DIALING', null))).toBe(true);
  });

  it('nothing but HANGUP replaces HANGUP, even at the same instant', () => {
    const ended = at('HANGUP', '2026-01-15T09:30:05Z');
    expect(supersedes(at('TERMINATING', '2026-01-15T09:30:05Z'), ended)).toBe(false);
    expect(supersedes(at('HANGUP', '2026-01-15T09:30:06Z'), ended)).toBe(true);
  });
});
