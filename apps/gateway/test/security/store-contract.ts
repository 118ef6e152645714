import { VoipbinApiError, VoipbinTimeoutError } from '@voipbin-kit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createIdempotency,
  fingerprint,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
} from '../../src/security/idempotency.ts';
import { createRateLimiter } from '../../src/security/rate-limit.ts';
import type { Store } from '../../src/security/store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A promise the test settles itself: work that runs until the test says, so no assertion
 * depends on how fast a busy machine gets from one line to the next.
 */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

// The clocks are the engines' own (Redis' TIME, the Durable Object's), so the rates below leave
// a second or more between what a test does and what it asserts: a stalled CI machine must
// not turn a refill into a refusal.

export const timeoutError = () =>
  new VoipbinTimeoutError({ method: 'POST', path: '/calls' }, 10_000);

export const badRequestError = () =>
  new VoipbinApiError({
    httpStatus: 400,
    status: 'INVALID_ARGUMENT',
    reason: 'INVALID_DESTINATION',
    message: 'bad destination',
    requestId: null,
    request: { method: 'POST', path: '/calls' },
  });

/**
 * What every store must do, on a real clock, with the rate limiter and idempotency on top:
 * run against the memory store and against a real Redis. `create` gives a fresh, empty store.
 */
export function storeContract(name: string, create: () => Promise<Store>): void {
  describe(`${name}: the store contract`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await create();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close?.()));
    });

    it('gets, sets, sets if absent and deletes', async () => {
      const store = await open();
      expect(await store.get('a')).toBeNull();
      expect(await store.setIfAbsent('a', 'one', 60_000)).toBe(true);
      expect(await store.setIfAbsent('a', 'two', 60_000)).toBe(false);
      expect(await store.get('a')).toBe('one');
      await store.set('a', 'three', 60_000);
      expect(await store.get('a')).toBe('three');
      await store.delete('a');
      expect(await store.get('a')).toBeNull();
      expect(await store.setIfAbsent('a', 'four', 60_000)).toBe(true);
      expect(await store.get('a')).toBe('four');
      await store.delete('absent');
    });

    it('keeps a value with its JSON and unicode intact', async () => {
      const store = await open();
      const value = JSON.stringify({ text: 'héllo \u{1F4DE} "quoted"\n', n: 1.5, list: [null] });
      await store.set('json', value, 60_000);
      expect(await store.get('json')).toBe(value);
    });

    it('forgets a value after its TTL, and sets it again if absent', async () => {
      const store = await open();
      expect(await store.setIfAbsent('short', 'x', 40)).toBe(true);
      await store.set('short2', 'y', 40);
      await sleep(120);
      expect(await store.get('short')).toBeNull();
      expect(await store.get('short2')).toBeNull();
      expect(await store.setIfAbsent('short', 'z', 60_000)).toBe(true);
    });

    it('lets exactly one of 20 concurrent setIfAbsent win', async () => {
      const store = await open();
      const wins = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.setIfAbsent('race', String(i), 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await store.get('race')).toBe(String(wins.indexOf(true)));
    });

    it('takes a burst of tokens, then refuses with when to come back', async () => {
      const store = await open();
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await store.take('bucket', 6, 3));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
      expect(results[0]?.retryAfterMs).toBe(0);
      // 6 a minute: one token every 10 s, nearly none refilled yet.
      expect(results[3]?.retryAfterMs).toBeGreaterThan(9_000);
      expect(results[3]?.retryAfterMs).toBeLessThanOrEqual(10_000);
    });

    it('refills the bucket over time', async () => {
      const store = await open();
      // 60 a minute: a token a second.
      expect((await store.take('refill', 60, 2)).allowed).toBe(true);
      expect((await store.take('refill', 60, 2)).allowed).toBe(true);
      const refused = await store.take('refill', 60, 2);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
      await sleep(refused.retryAfterMs + 50);
      expect((await store.take('refill', 60, 2)).allowed).toBe(true);
      // Never more than the burst, however long it waits (2.2 tokens' time here).
      await sleep(2_200);
      const after = [];
      for (let i = 0; i < 3; i++) after.push((await store.take('refill', 60, 2)).allowed);
      expect(after).toEqual([true, true, false]);
    });

    it('takes tokens atomically: 50 concurrent takes on a burst of 10 allow exactly 10', async () => {
      const store = await open();
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.take('crowd', 1, 10)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
    });

    it('keeps buckets and values of different keys apart', async () => {
      const store = await open();
      expect((await store.take('one', 1, 1)).allowed).toBe(true);
      expect((await store.take('one', 1, 1)).allowed).toBe(false);
      expect((await store.take('two', 1, 1)).allowed).toBe(true);
    });

    it('rejects a bucket or TTL that makes no sense', async () => {
      const store = await open();
      await expect(store.take('k', 0, 1)).rejects.toThrow(RangeError);
      await expect(store.take('k', 10, 0)).rejects.toThrow(RangeError);
      await expect(store.set('k', 'v', 0)).rejects.toThrow(RangeError);
      await expect(store.setIfAbsent('k', 'v', Number.NaN)).rejects.toThrow(RangeError);
    });
  });

  describe(`${name}: the rate limiter`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await create();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close?.()));
    });

    it('allows a burst, then refuses with retryAfterMs, per principal', async () => {
      const limit = createRateLimiter(await open(), { perMinute: 3, burst: 2 });
      expect(await limit('alice')).toMatchObject({ allowed: true, retryAfterMs: 0, remaining: 1 });
      expect(await limit('alice')).toMatchObject({ allowed: true, retryAfterMs: 0, remaining: 0 });
      const refused = await limit('alice');
      expect(refused.allowed).toBe(false);
      // 3 a minute: a call every 20 s.
      expect(refused.retryAfterMs).toBeGreaterThan(18_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(20_000);
      // Another principal has a bucket of its own.
      expect((await limit('bob')).allowed).toBe(true);
    });

    it('allows again once the bucket refills', async () => {
      const limit = createRateLimiter(await open(), { perMinute: 60, burst: 1 });
      expect((await limit('carol')).allowed).toBe(true);
      const refused = await limit('carol');
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
      await sleep(refused.retryAfterMs + 50);
      expect((await limit('carol')).allowed).toBe(true);
    });

    it('bursts perMinute calls by default', async () => {
      const limit = createRateLimiter(await open(), { perMinute: 5 });
      const results = [];
      for (let i = 0; i < 6; i++) results.push((await limit('dave')).allowed);
      expect(results).toEqual([true, true, true, true, true, false]);
    });

    it('is off with perMinute 0: always allowed, the store never asked', async () => {
      const store = await open();
      const take = vi.spyOn(store, 'take');
      const limit = createRateLimiter(store, { perMinute: 0 });
      for (let i = 0; i < 100; i++) expect((await limit('erin')).allowed).toBe(true);
      expect(take).not.toHaveBeenCalled();
    });

    it('keeps principals whose ids look alike apart', async () => {
      const limit = createRateLimiter(await open(), { perMinute: 1, burst: 1 });
      expect((await limit('a:b')).allowed).toBe(true);
      expect((await limit('a')).allowed).toBe(true);
      expect((await limit('a:b')).allowed).toBe(false);
    });
  });

  describe(`${name}: idempotency`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await create();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close?.()));
    });

    const call = { calls: [{ id: 'c-1', status: 'dialing' }], groupcalls: [] };

    it('replays the first result for the same key and input, without running again', async () => {
      const idempotency = createIdempotency(await open());
      const fp = await fingerprint({ to: '+15551234567' });
      const work = vi.fn(async () => call);
      expect(await idempotency.run('alice', 'key-1', fp, work)).toEqual({
        result: call,
        replayed: false,
      });
      expect(await idempotency.run('alice', 'key-1', fp, work)).toEqual({
        result: call,
        replayed: true,
      });
      expect(work).toHaveBeenCalledTimes(1);
    });

    it('rejects the same key with another input, running nothing', async () => {
      const idempotency = createIdempotency(await open());
      const work = vi.fn(async () => call);
      await idempotency.run('alice', 'key-2', await fingerprint({ to: '+1' }), work);
      await expect(
        idempotency.run('alice', 'key-2', await fingerprint({ to: '+2' }), work),
      ).rejects.toThrow(IdempotencyKeyReusedError);
      expect(work).toHaveBeenCalledTimes(1);
    });

    it('keeps keys of different principals apart', async () => {
      const idempotency = createIdempotency(await open());
      const work = vi.fn(async () => call);
      const fp = await fingerprint({ to: '+1' });
      expect((await idempotency.run('alice', 'shared', fp, work)).replayed).toBe(false);
      expect((await idempotency.run('bob', 'shared', fp, work)).replayed).toBe(false);
      // Another principal's input is no reuse of this one's key.
      await expect(
        idempotency.run('carol', 'shared', await fingerprint({ to: '+2' }), work),
      ).resolves.toMatchObject({ replayed: false });
      expect(work).toHaveBeenCalledTimes(3);
    });

    it('runs 20 concurrent duplicates once; all get the same result', async () => {
      const idempotency = createIdempotency(await open());
      const fp = await fingerprint({ to: '+1' });
      const work = vi.fn(async () => {
        await sleep(100);
        return call;
      });
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => idempotency.run('alice', 'burst', fp, work)),
      );
      expect(work).toHaveBeenCalledTimes(1);
      expect(outcomes.every((o) => JSON.stringify(o.result) === JSON.stringify(call))).toBe(true);
      expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    });

    it('refuses a concurrent duplicate of another input at once', async () => {
      const idempotency = createIdempotency(await open());
      const started = gate();
      const finish = gate();
      const first = idempotency.run('alice', 'pending', await fingerprint(1), async () => {
        started.open();
        await finish.opened;
        return call;
      });
      await started.opened;
      await expect(
        idempotency.run('alice', 'pending', await fingerprint(2), async () => call),
      ).rejects.toThrow(IdempotencyKeyReusedError);
      finish.open();
      await first;
    });

    it('gives up waiting after waitMs with IdempotencyInProgressError', async () => {
      const idempotency = createIdempotency(await open(), { waitMs: 80 });
      const fp = await fingerprint(1);
      let firstDone = false;
      const started = gate();
      const finish = gate();
      const first = idempotency.run('alice', 'slow', fp, async () => {
        started.open();
        await finish.opened;
        firstDone = true;
        return call;
      });
      await started.opened;
      const error = await idempotency
        .run('alice', 'slow', fp, async () => call)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyInProgressError);
      expect((error as IdempotencyInProgressError).code).toBe('IDEMPOTENCY_IN_PROGRESS');
      // It gave up on its own wait, not once the first run was over.
      expect(firstDone).toBe(false);
      finish.open();
      expect(await first).toEqual({ result: call, replayed: false });
    });

    it('releases the key when the work fails with a known outcome, so a retry runs', async () => {
      const idempotency = createIdempotency(await open());
      const fp = await fingerprint(1);
      const failing = vi.fn(async () => {
        throw badRequestError();
      });
      await expect(idempotency.run('alice', 'retry', fp, failing)).rejects.toThrow(VoipbinApiError);
      const work = vi.fn(async () => call);
      expect(await idempotency.run('alice', 'retry', fp, work)).toEqual({
        result: call,
        replayed: false,
      });
      expect(failing).toHaveBeenCalledTimes(1);
      expect(work).toHaveBeenCalledTimes(1);
    });

    it('keeps the key when the outcome is unknown, and replays the failure', async () => {
      const idempotency = createIdempotency(await open());
      const fp = await fingerprint(1);
      const original = timeoutError();
      await expect(
        idempotency.run('alice', 'unknown', fp, async () => {
          throw original;
        }),
      ).rejects.toBe(original);
      const work = vi.fn(async () => call);
      const replayed = await idempotency.run('alice', 'unknown', fp, work).catch((e: unknown) => e);
      expect(work).not.toHaveBeenCalled();
      expect(replayed).toBeInstanceOf(VoipbinTimeoutError);
      expect(replayed).toMatchObject({
        message: original.message,
        outcomeUnknown: true,
        timeout: 10_000,
        request: { method: 'POST', path: '/calls' },
        replayed: true,
      });
      // Another input under that key is still a reuse.
      await expect(idempotency.run('alice', 'unknown', await fingerprint(2), work)).rejects.toThrow(
        IdempotencyKeyReusedError,
      );
    });

    it('replays an unknown outcome to concurrent duplicates too', async () => {
      const idempotency = createIdempotency(await open());
      const fp = await fingerprint(1);
      const work = vi.fn(async () => {
        await sleep(50);
        throw timeoutError();
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => idempotency.run('alice', 'unknown-burst', fp, work)),
      );
      expect(work).toHaveBeenCalledTimes(1);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(VoipbinTimeoutError);
      }
    });

    it('frees the key of a request that crashed mid-work after one lease, not the TTL', async () => {
      const store = await open();
      const fp = await fingerprint(1);
      // The process that crashes: its store goes quiet as it dies, its work never ends.
      let alive = true;
      const dying: Store = {
        take: (...args) => store.take(...args),
        setIfAbsent: (...args) => store.setIfAbsent(...args),
        get: (key) => store.get(key),
        set: async (...args) => {
          if (alive) await store.set(...args);
        },
        delete: async (key) => {
          if (alive) await store.delete(key);
        },
        indexAdd: (...args) => store.indexAdd(...args),
        indexPage: (...args) => store.indexPage(...args),
      };
      let finish: () => void = () => {};
      const lost = createIdempotency(dying, { leaseMs: 1_000 }).run(
        'alice',
        'crash',
        fp,
        () =>
          new Promise<typeof call>((resolve) => {
            finish = () => resolve(call);
          }),
      );
      await sleep(60);
      alive = false;
      const retry = vi.fn(async () => call);
      // Within the lease the key is held: a hasty retry is refused.
      await expect(
        createIdempotency(store, { leaseMs: 1_000, waitMs: 10 }).run('alice', 'crash', fp, retry),
      ).rejects.toThrow(IdempotencyInProgressError);
      // A patient one runs once the lease is over (the TTL is 24 h), within its 5 s wait (or it
      // would be refused as in progress).
      expect(
        await createIdempotency(store, { leaseMs: 1_000, waitMs: 5_000 }).run(
          'alice',
          'crash',
          fp,
          retry,
        ),
      ).toEqual({ result: call, replayed: false });
      expect(retry).toHaveBeenCalledTimes(1);
      // The dead process's work ends only so the test leaves no timer behind.
      finish();
      await lost;
    });

    it('renews the lease while a slow work runs: a duplicate waits and never runs it again', async () => {
      // Renewed every ~200 ms: only a stall of a whole lease (600 ms) would lose it.
      const idempotency = createIdempotency(await open(), { leaseMs: 600, waitMs: 8_000 });
      const fp = await fingerprint(1);
      const work = vi.fn(async () => {
        // Three and a half leases long.
        await sleep(2_100);
        return call;
      });
      const first = idempotency.run('alice', 'slow-lease', fp, work);
      await sleep(20);
      const duplicate = idempotency.run('alice', 'slow-lease', fp, work);
      expect(await first).toEqual({ result: call, replayed: false });
      expect(await duplicate).toEqual({ result: call, replayed: true });
      // The outcome is kept for the TTL, not a lease.
      await sleep(300);
      expect(await idempotency.run('alice', 'slow-lease', fp, work)).toEqual({
        result: call,
        replayed: true,
      });
      expect(work).toHaveBeenCalledTimes(1);
    });

    it('runs again once the TTL is over', async () => {
      const idempotency = createIdempotency(await open(), { ttlMs: 50 });
      const fp = await fingerprint(1);
      const work = vi.fn(async () => call);
      await idempotency.run('alice', 'ttl', fp, work);
      await sleep(120);
      expect((await idempotency.run('alice', 'ttl', fp, work)).replayed).toBe(false);
      expect(work).toHaveBeenCalledTimes(2);
    });
  });
}
