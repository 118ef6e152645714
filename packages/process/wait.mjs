// Bounded waits that say what they waited for: the one bound every wait on a server shares.

/** The variable that overrides `READY_TIMEOUT_MS` (milliseconds), e.g. small in a test of the bound. */
export const READY_TIMEOUT_ENV = 'VOIPBIN_KIT_READY_TIMEOUT_MS';

/**
 * How long a wait for a server's ready signal may take before it gives up: 3 minutes, sized for a
 * loaded 2-core machine running every suite side by side (a start takes a second or two when
 * idle). `VOIPBIN_KIT_READY_TIMEOUT_MS` overrides it.
 */
export const READY_TIMEOUT_MS = readyTimeout(process.env[READY_TIMEOUT_ENV]);

function readyTimeout(value) {
  const ms = Number(value);
  return value && Number.isFinite(ms) && ms >= 0 ? ms : 180_000;
}

/** `1.5 s`, `180 s`: a bound as an error message gives it. */
export const seconds = (ms) => `${Math.round(ms) / 1000} s`;

/** The last `max` characters of `text`, or `(nothing)`. */
export function tail(text, max = 4_000) {
  if (!text) return '(nothing)';
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/** The error of a wait that gave up: what, for what, how long, and the last output. */
export class NotReadyError extends Error {
  constructor({ what, waitingFor, timeoutMs, from = '', output = '' }) {
    super(
      `${what} not ready after ${seconds(timeoutMs)}: waited for ${waitingFor}${from}; last output:\n${tail(output)}`,
    );
    this.name = 'NotReadyError';
    this.what = what;
    this.waitingFor = waitingFor;
    this.timeoutMs = timeoutMs;
    this.output = output;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` (every `pollMs`, one call at a time; a throw counts as "not yet") until it returns
 * true; rejects with a `NotReadyError` after `timeoutMs`.
 */
export async function waitUntil(
  check,
  { what, waitingFor, timeoutMs = READY_TIMEOUT_MS, pollMs = 50, output = () => '' },
) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (performance.now() >= deadline)
      throw new NotReadyError({ what, waitingFor, timeoutMs, output: output() });
    await sleep(Math.min(pollMs, Math.max(0, deadline - performance.now())));
  }
}

/** `promise`, or a `NotReadyError` once `timeoutMs` have passed (for a start with no signal of ours). */
export function bounded(promise, { what, waitingFor, timeoutMs = READY_TIMEOUT_MS }) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new NotReadyError({ what, waitingFor, timeoutMs })), timeoutMs);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** A ready check: `GET url` answers 200 (each attempt bounded, so a stuck one is retried). */
export function httpOk(url, { attemptMs = 2_000 } = {}) {
  const check = async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(attemptMs) });
    await response.arrayBuffer();
    return response.status === 200;
  };
  return Object.assign(check, { label: `GET ${url} answering 200` });
}
