import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callState } from '../call-fixture.ts';
import type { CallState } from '../documents.ts';
import { EMPTY_TIMELINE, timelineReducer } from '../timeline.ts';
import { ActiveCall } from './ActiveCall.tsx';

const NOW = Date.parse('2026-01-15T09:31:00Z');

const view = (call: CallState) => (
  <ActiveCall
    timeline={timelineReducer(EMPTY_TIMELINE, { type: 'placed', call })}
    reconnecting={false}
    lost={false}
    onReconnect={() => {}}
    hangingUp={false}
    onHangup={() => {}}
    onClose={() => {}}
    controls={null}
    headingRef={null}
  />
);

const show = (call: CallState) => render(view(call));

const timer = () => screen.getByRole('timer').textContent;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the call on screen', () => {
  it('runs a timer from the answer, once a second', () => {
    show(
      callState('PROGRESSING', {
        progressingAt: '2026-01-15T09:29:55Z',
        updatedAt: '2026-01-15T09:29:55Z',
      }),
    );
    expect(timer()).toBe('1:05');
    act(() => vi.advanceTimersByTime(2_000));
    expect(timer()).toBe('1:07');
  });

  it("counts from the answer when VoIPBIN's clock is ahead of this device's", () => {
    // Answered "10 s from now" by this clock: the clocks differ, the call was just answered.
    show(
      callState('PROGRESSING', {
        progressingAt: '2026-01-15T09:31:10Z',
        updatedAt: '2026-01-15T09:31:10Z',
      }),
    );
    expect(timer()).toBe('0:00');
    act(() => vi.advanceTimersByTime(3_000));
    expect(timer()).toBe('0:03');
  });

  it('never sets the timer back when an older state of the call arrives late', () => {
    const ahead = callState('PROGRESSING', {
      progressingAt: '2026-01-15T09:31:10Z',
      updatedAt: '2026-01-15T09:31:10Z',
    });
    const { rerender } = render(view(ahead));
    act(() => vi.advanceTimersByTime(5_000));
    expect(timer()).toBe('0:05');
    // The same call, as an older state says it (its time is "now" by this clock).
    rerender(
      view(
        callState('PROGRESSING', {
          progressingAt: '2026-01-15T09:31:10Z',
          updatedAt: '2026-01-15T09:31:05Z',
        }),
      ),
    );
    act(() => vi.advanceTimersByTime(1_000));
    expect(timer()).toBe('0:06');
  });

  it('shows how long an ended call talked, and why it ended, with no Hang up', () => {
    show(
      callState('HANGUP', {
        progressingAt: '2026-01-15T09:20:00Z',
        hangupAt: '2026-01-15T09:22:30Z',
        updatedAt: '2026-01-15T09:22:30Z',
        hangupReason: 'NORMAL',
        hangupBy: 'REMOTE',
      }),
    );
    expect(timer()).toBe('2:30');
    expect(screen.getByText('Ended: the callee hung up')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Hang up' })).toBeNull();
    // The numbers are the heading.
    expect(screen.getByRole('heading', { level: 2 }).textContent).toContain('+821021656521');
  });
});
