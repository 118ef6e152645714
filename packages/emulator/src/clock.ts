/** Where the emulator reads the time from, in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** A clock that moves only when told: exact, for tests. */
export interface ManualClock extends Clock {
  readonly kind: 'manual';
  /** Moves the time forward by `ms`. */
  advance(ms: number): void;
  /** Sets the time (never backwards: call states only move forward). */
  set(epochMs: number): void;
}

/** A clock that follows real time, `speed` times as fast (2 = a 30 s call lasts 15 s). */
export interface RealClock extends Clock {
  readonly kind: 'real';
  readonly speed: number;
}

/** A manual clock starting at `start` (default 2026-01-15T09:30:00Z). */
export function manualClock(start = Date.UTC(2026, 0, 15, 9, 30)): ManualClock {
  let now = start;
  return {
    kind: 'manual',
    now: () => now,
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError('advance() takes a number of milliseconds >= 0');
      now += ms;
    },
    set(epochMs) {
      if (epochMs < now) throw new RangeError('the clock cannot go backwards');
      now = epochMs;
    },
  };
}

/** The real time, optionally sped up. */
export function realClock(speed = 1): RealClock {
  if (!(speed > 0)) throw new RangeError('speed must be > 0');
  const origin = Date.now();
  return { kind: 'real', speed, now: () => origin + (Date.now() - origin) * speed };
}

/** VoIPBIN's current timestamp format: ISO 8601 UTC with microseconds. */
export function voipbinTime(epochMicros: number): string {
  const ms = Math.floor(epochMicros / 1000);
  const micros = String(Math.floor(epochMicros) % 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace('Z', `${micros}Z`);
}
