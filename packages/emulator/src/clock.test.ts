import { afterEach, describe, expect, test, vi } from 'vitest';
import { manualClock, pageToken, realClock, voipbinTime } from './clock.ts';

describe('manualClock', () => {
  test('starts at 2026-01-15T09:30:00Z unless told otherwise', () => {
    expect(new Date(manualClock().now()).toISOString()).toBe('2026-01-15T09:30:00.000Z');
    expect(manualClock(1_000).now()).toBe(1_000);
  });

  test('moves only when advanced or set', () => {
    const clock = manualClock(0);
    expect(clock.now()).toBe(0);
    clock.advance(1_500);
    expect(clock.now()).toBe(1_500);
    clock.set(10_000);
    expect(clock.now()).toBe(10_000);
    clock.advance(0);
    expect(clock.now()).toBe(10_000);
  });

  test('never goes backwards', () => {
    const clock = manualClock(5_000);
    expect(() => clock.set(4_999)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toBe(5_000);
  });
});

describe('realClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('follows real time, sped up by `speed`', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const normal = realClock();
    const fast = realClock(1_000);
    expect(normal.speed).toBe(1);
    vi.advanceTimersByTime(30);
    expect(normal.now()).toBe(1_000_030);
    expect(fast.now()).toBe(1_000_000 + 30_000);
  });

  test('refuses a speed that is not above 0', () => {
    expect(() => realClock(0)).toThrow(RangeError);
    expect(() => realClock(-2)).toThrow(RangeError);
  });
});

describe('voipbinTime', () => {
  test("writes epoch microseconds as Go's time.RFC3339Nano JSON: trailing zeros trimmed", () => {
    const us = Date.UTC(2026, 0, 15, 9, 30) * 1_000;
    expect(voipbinTime(us)).toBe('2026-01-15T09:30:00Z');
    expect(voipbinTime(us + 500_000)).toBe('2026-01-15T09:30:00.5Z');
    expect(voipbinTime(us + 5_248_732)).toBe('2026-01-15T09:30:05.248732Z');
    expect(voipbinTime(us + 7)).toBe('2026-01-15T09:30:00.000007Z');
    expect(voipbinTime(us + 995_000)).toBe('2026-01-15T09:30:00.995Z');
  });
});

describe('pageToken', () => {
  test('writes tm_create as am GetCalls does: 2006-01-02T15:04:05.000000Z', () => {
    const us = Date.UTC(2020, 8, 20, 3, 23, 21) * 1_000 + 995_000;
    // calls_test.go: tm_create 2020-09-20T03:23:21.995Z gives this token.
    expect(voipbinTime(us)).toBe('2020-09-20T03:23:21.995Z');
    expect(pageToken(us)).toBe('2020-09-20T03:23:21.995000Z');
  });
});
