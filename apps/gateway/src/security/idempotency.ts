import {
  VoipbinApiError,
  VoipbinNetworkError,
  VoipbinResponseError,
  VoipbinTimeoutError,
} from '@voipbin-kit/core';
import type { GatewayErrorCode } from '../error-codes.ts';
import { checkTtl, type Store, StoreFullError } from './store.ts';

export interface IdempotencyOptions {
  /** How long a key's outcome is kept and replayed, in ms. Default 24 hours. */
  ttlMs?: number;
  /**
   * How long a key is held while its `work` runs, in ms: renewed every third of it until `work`
   * ends, so a slow `work` keeps its key, and a process that dies mid-request frees it within
   * one lease (a retry then runs `work` again). Default 60,000: past core's 10 s upstream
   * timeout, and room for two missed renewals.
   */
  leaseMs?: number;
  /**
   * How long a duplicate waits for the first request with its key to end, in ms, before
   * `IdempotencyInProgressError`. Default 15,000 (past core's 10 s upstream timeout).
   */
  waitMs?: number;
  /**
   * The pauses before each try to record an outcome, in ms (a store that fails is tried again,
   * inside the lease still held): together under a third of `leaseMs`. Default 0, 250, 1,000,
   * 3,500 (four tries over 4.75 s), shrunk in proportion for a lease under 19 s.
   */
  settlePausesMs?: readonly number[];
  /** The first pause between two looks at a pending key, in ms; it doubles up to 250. Default 10. */
  pollMs?: number;
  /**
   * Whether a failure of `work` leaves its outcome unknown (the call may have been placed):
   * the key is then kept and the failure replayed. Default: the error has `outcomeUnknown:
   * true`, as core's `VoipbinTimeoutError` and `VoipbinNetworkError` for a POST, and its
   * `VoipbinApiError` for a POST a proxy answered 5xx or VoIPBIN gave up on.
   */
  isOutcomeUnknown?: (error: unknown) => boolean;
}

export interface Idempotency {
  /**
   * Runs `work` once for `key` of `principalId` within the TTL. The same key with the same
   * `inputFingerprint` gets the first result (`replayed: true`) without `work` running again,
   * also while the first still runs (it waits, at most `waitMs`). The same key with another
   * fingerprint throws `IdempotencyKeyReusedError`. When `work` fails with a known outcome,
   * the key is released so a retry runs; with an unknown outcome the failure is kept and
   * replayed, so a retry never places a second call. A new key the store has no room for
   * throws `IdempotencyUnavailableError`, running nothing. The result must be JSON: a replay
   * returns it parsed from JSON.
   */
  run<T>(
    principalId: string,
    key: string,
    inputFingerprint: string,
    work: () => Promise<T>,
  ): Promise<{ result: T; replayed: boolean }>;
}

/** The longest idempotency key taken. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** The base of the errors of `run` itself; `code` is the GraphQL `extensions.code` it answers. */
export class IdempotencyError extends Error {
  override name = 'IdempotencyError';
  readonly code: GatewayErrorCode;
  constructor(code: GatewayErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The key is empty or longer than `IDEMPOTENCY_KEY_MAX_LENGTH`. */
export class IdempotencyKeyInvalidError extends IdempotencyError {
  override name = 'IdempotencyKeyInvalidError';
  constructor() {
    super(
      'BAD_USER_INPUT',
      `An idempotency key must have 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters.`,
    );
  }
}

/** The key was used before with another input; nothing was run. */
export class IdempotencyKeyReusedError extends IdempotencyError {
  override name = 'IdempotencyKeyReusedError';
  constructor() {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was used with a different input; use a new key for a new call.',
    );
  }
}

/** A request with the same key and input still runs after `waitMs`; nothing was run. */
export class IdempotencyInProgressError extends IdempotencyError {
  override name = 'IdempotencyInProgressError';
  /** A suggested wait before trying again, in ms. */
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(
      'IDEMPOTENCY_IN_PROGRESS',
      'A request with this idempotency key is still in progress; try again later with the same key.',
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The store had no room for a new key (its budget of idempotency keys is full, and it drops no
 * live one, which would let a retry place a second call); nothing was run. `cause` is the
 * store's `StoreFullError`.
 */
export class IdempotencyUnavailableError extends IdempotencyError {
  override name = 'IdempotencyUnavailableError';
  constructor(cause: StoreFullError) {
    super(
      'IDEMPOTENCY_UNAVAILABLE',
      'This gateway holds as many idempotency keys as it may and takes no new one until some expire; nothing was run. Try again later.',
    );
    this.cause = cause;
  }
}

/** What a failure with an unknown outcome keeps, to replay it. */
interface StoredError {
  name: string;
  message: string;
  request?: { method: string; path: string };
  timeout?: number;
  httpStatus?: number;
  /** A `VoipbinApiError`'s status, reason and VoIPBIN request id. */
  status?: string;
  reason?: string;
  requestId?: string | null;
  /**
   * VoIPBIN's message, kept only for an answer it gave without knowing the outcome
   * (`REQUEST_TIMEOUT`, `REQUEST_CANCELED`: api-manager's fixed texts, quoting nothing).
   */
  upstreamMessage?: string;
}

type IdempotencyRecord =
  | { state: 'pending'; fingerprint: string }
  | { state: 'done'; fingerprint: string; result: unknown }
  | { state: 'failed'; fingerprint: string; error: StoredError };

const DAY = 24 * 60 * 60 * 1000;
const MAX_POLL_MS = 250;
/** Before each try to record an outcome: four tries over 4.75 s, inside a third of the default lease. */
const SETTLE_PAUSES_MS: readonly number[] = [0, 250, 1_000, 3_500];

/** `pauses` shrunk in proportion to add up to at most `total` ms (a short lease, in tests). */
function fitted(pauses: readonly number[], total: number): readonly number[] {
  const sum = pauses.reduce((a, b) => a + b, 0);
  return sum <= total ? pauses : pauses.map((pause) => Math.floor((pause * total) / sum));
}

const hasOutcomeUnknown = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { outcomeUnknown?: unknown }).outcomeUnknown === true;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The idempotency of a mutation (`createCall(input, idempotencyKey)`), in `store`: one record
 * a key (`idem:<SHA-256 of principal and key>`), set with `setIfAbsent` so that, in a shared
 * store, one request across every instance runs `work`. The record is `pending` for a lease
 * (`leaseMs`, renewed while `work` runs), then holds the outcome for the TTL. A store that
 * fails before `work` makes `run` reject without running it (fail closed; a store with no room
 * for a new key: `IdempotencyUnavailableError`). Once `work` has run, a failure to record its
 * outcome leaves the key pending until its lease ends: duplicates are refused until then, and
 * a retry after it runs `work` again, as after a crash.
 */
export function createIdempotency(store: Store, options: IdempotencyOptions = {}): Idempotency {
  const ttlMs = checkTtl(options.ttlMs ?? DAY);
  const leaseMs = checkTtl(options.leaseMs ?? 60_000);
  const waitMs = options.waitMs ?? 15_000;
  const pollMs = options.pollMs ?? 10;
  const isOutcomeUnknown = options.isOutcomeUnknown ?? hasOutcomeUnknown;
  const settlePauses = options.settlePausesMs ?? fitted(SETTLE_PAUSES_MS, leaseMs / 4);
  // Every try must land inside the lease still held: past it, another request may own the key.
  if (
    settlePauses.length === 0 ||
    !settlePauses.every((pause) => Number.isFinite(pause) && pause >= 0) ||
    settlePauses.reduce((sum, pause) => sum + pause, 0) >= leaseMs / 3
  ) {
    throw new RangeError(
      `settlePausesMs must be one or more pauses >= 0 adding up to less than a third of leaseMs (${leaseMs} ms)`,
    );
  }

  /**
   * Renews the pending record every third of the lease while `work` runs; the function it
   * returns stops renewing and resolves once no renewal is in flight, so that none lands
   * after the outcome and turns it back into a lease.
   */
  const holdLease = (storeKey: string, pending: string): (() => Promise<void>) => {
    let renewing: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = renewing
        .then(() => store.set(storeKey, pending, leaseMs))
        .catch(() => {
          // Missed: the next may land; only a whole lease without one frees the key.
        });
    }, leaseMs / 3);
    return async () => {
      clearInterval(timer);
      await renewing;
    };
  };

  /**
   * Writes a record after `work`, trying again on a store that fails (a lost outcome frees the
   * key after its lease, and a retry would then place a second call); the pauses add up to a
   * few seconds, well inside the lease still held. A release (no record) is tried once: a
   * delete that timed out may still have run, and repeating it could free a key another
   * request has taken since; a lost one only holds duplicates off until the lease ends. Never
   * throws: the call is placed or not by now.
   */
  const settle = async (storeKey: string, record: IdempotencyRecord | null): Promise<void> => {
    if (!record) {
      await store.delete(storeKey).catch(() => {});
      return;
    }
    for (const pause of settlePauses) {
      if (pause > 0) await sleep(pause);
      try {
        await store.set(storeKey, JSON.stringify(record), ttlMs);
        return;
      } catch {
        // Tried again after the next pause; past the last, the lease ends and frees the key.
      }
    }
  };

  /** Takes the key for this request, or tells it is taken; a full store refuses, running nothing. */
  const take = async (storeKey: string, pending: string): Promise<boolean> => {
    try {
      return await store.setIfAbsent(storeKey, pending, leaseMs);
    } catch (error) {
      throw error instanceof StoreFullError ? new IdempotencyUnavailableError(error) : error;
    }
  };

  return {
    async run<T>(
      principalId: string,
      key: string,
      inputFingerprint: string,
      work: () => Promise<T>,
    ): Promise<{ result: T; replayed: boolean }> {
      if (typeof key !== 'string' || key.length < 1 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
        throw new IdempotencyKeyInvalidError();
      }
      // Hashed: any key, of any principal, makes one short key that cannot run into another.
      const storeKey = `idem:${await sha256([principalId, key])}`;
      const pending = JSON.stringify({ state: 'pending', fingerprint: inputFingerprint });
      const deadline = Date.now() + waitMs;
      let pause = pollMs;
      for (;;) {
        if (await take(storeKey, pending)) {
          const release = holdLease(storeKey, pending);
          let result: T;
          try {
            result = await work();
          } catch (error) {
            await release();
            await settle(
              storeKey,
              isOutcomeUnknown(error)
                ? { state: 'failed', fingerprint: inputFingerprint, error: toStored(error) }
                : null,
            );
            throw error;
          }
          await release();
          await settle(storeKey, { state: 'done', fingerprint: inputFingerprint, result });
          return { result, replayed: false };
        }
        const raw = await store.get(storeKey);
        // Released (or its lease over) since: try to take it again.
        if (raw !== null) {
          const record = JSON.parse(raw) as IdempotencyRecord;
          if (record.fingerprint !== inputFingerprint) throw new IdempotencyKeyReusedError();
          if (record.state === 'done') return { result: record.result as T, replayed: true };
          if (record.state === 'failed') throw fromStored(record.error);
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new IdempotencyInProgressError(Math.max(1_000, pollMs));
        await sleep(Math.min(pause, left));
        pause = Math.min(pause * 2, MAX_POLL_MS);
      }
    },
  };
}

/** Core's errors that `fromStored` rebuilds from their fields: their message is not kept. */
const REBUILT = new Set([
  'VoipbinTimeoutError',
  'VoipbinNetworkError',
  'VoipbinResponseError',
  'VoipbinApiError',
]);

function toStored(error: unknown): StoredError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const stored: StoredError = {
    name,
    // A VoipbinResponseError's message quotes VoIPBIN's answer (a phone number...): not stored.
    message: REBUILT.has(name) ? '' : typeof e.message === 'string' ? e.message : String(error),
  };
  const request = e.request as StoredError['request'] | undefined;
  if (request && typeof request.method === 'string' && typeof request.path === 'string') {
    stored.request = { method: request.method, path: request.path };
  }
  if (typeof e.timeout === 'number') stored.timeout = e.timeout;
  if (typeof e.httpStatus === 'number') stored.httpStatus = e.httpStatus;
  if (typeof e.status === 'string') stored.status = e.status;
  if (typeof e.reason === 'string') stored.reason = e.reason;
  if (typeof e.requestId === 'string' || e.requestId === null) stored.requestId = e.requestId;
  if (e.outcomeUnknown === true && typeof e.upstreamMessage === 'string')
    stored.upstreamMessage = e.upstreamMessage;
  return stored;
}

/** The failure again, as core's own error when it was one, marked `replayed`. */
function fromStored(stored: StoredError): Error {
  const request = stored.request ?? { method: 'POST', path: '' };
  let error: Error;
  if (stored.name === 'VoipbinTimeoutError') {
    error = new VoipbinTimeoutError(request, stored.timeout ?? 0);
  } else if (stored.name === 'VoipbinNetworkError') {
    error = new VoipbinNetworkError(request);
  } else if (stored.name === 'VoipbinApiError') {
    // Kept only when its outcome is unknown (a proxy's body, or VoIPBIN giving up): the same.
    error = new VoipbinApiError({
      httpStatus: stored.httpStatus ?? 502,
      status: stored.status ?? 'INTERNAL',
      reason: stored.reason ?? 'UNEXPECTED_ERROR_BODY',
      message: stored.upstreamMessage ?? null,
      requestId: stored.requestId ?? null,
      request,
    });
  } else if (stored.name === 'VoipbinResponseError') {
    error = new VoipbinResponseError(request, stored.httpStatus ?? 200, [
      { path: '', message: 'not readable (the first answer, replayed)' },
    ]);
  } else {
    error = Object.assign(new Error(stored.message), { outcomeUnknown: true });
    error.name = stored.name;
  }
  return Object.assign(error, { replayed: true });
}

/**
 * A fingerprint of an input: the SHA-256 (hex) of its canonical JSON, object keys sorted at
 * every depth, so that the same input written in another key order gives the same one.
 */
export function fingerprint(value: unknown): Promise<string> {
  return sha256(value);
}

async function sha256(value: unknown): Promise<string> {
  const json = JSON.stringify(value, sortKeys) ?? 'null';
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(json));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  // Object.fromEntries defines each key as an own property (`__proto__` included).
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((k) => [k, object[k]]),
  );
}
