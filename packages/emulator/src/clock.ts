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

/**
 * A time as VoIPBIN's answers write it: Go's `time.Time` JSON, RFC 3339 with `RFC3339Nano`'s
 * fraction, in UTC. VoIPBIN keeps microseconds, so up to 6 fraction digits, trailing zeros
 * trimmed, and no fraction at all on a whole second (`2026-01-15T09:30:00.5Z`,
 * `2026-01-15T09:30:00Z`).
 */
export function voipbinTime(epochMicros: number): string {
  const us = Math.floor(epochMicros);
  const seconds = Math.floor(us / 1_000_000);
  const fraction = String(us - seconds * 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  const base = new Date(seconds * 1000).toISOString().replace('.000Z', '');
  return `${base}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * A page token as VoIPBIN makes them (am server/calls.go `GetCalls`): the last item's
 * `tm_create` as `2006-01-02T15:04:05.000000Z`, always 6 fraction digits.
 */
export function pageToken(epochMicros: number): string {
  const us = Math.floor(epochMicros);
  const ms = Math.floor(us / 1000);
  const micros = String(us - ms * 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace('Z', `${micros}Z`);
}
