import { describe, expect, it, vi } from 'vitest';
import {
  createIdempotency,
  fingerprint,
  IdempotencyError,
  IdempotencyInProgressError,
  IdempotencyUnavailableError,
} from '../../src/security/idempotency.ts';
import { createRateLimiter } from '../../src/security/rate-limit.ts';
import { type Store, StoreFullError } from '../../src/security/store.ts';
import { createMemoryStore, DEFAULT_BUDGETS } from '../../src/security/store-memory.ts';
import { storeContract } from './store-contract.ts';

storeContract('memory store', async () => createMemoryStore());

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('memory store: on an injected clock', () => {
  it('keeps a value exactly its TTL', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now });
    await store.set('a', 'x', 1_000);
    expect(await store.setIfAbsent('b', 'y', 500)).toBe(true);
    c.advance(499);
    expect(await store.get('a')).toBe('x');
    expect(await store.get('b')).toBe('y');
    expect(await store.setIfAbsent('b', 'z', 500)).toBe(false);
    c.advance(1);
    expect(await store.get('b')).toBeNull();
    expect(await store.setIfAbsent('b', 'z', 500)).toBe(true);
    c.advance(500);
    expect(await store.get('a')).toBeNull();
  });

  it('refills a bucket at perMinute/60 a second, up to the burst', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now });
    // 6 a minute: a token every 10 s; burst 2.
    expect(await store.take('k', 6, 2)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 1 });
    expect(await store.take('k', 6, 2)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 0 });
    expect(await store.take('k', 6, 2)).toEqual({
      allowed: false,
      retryAfterMs: 10_000,
      remaining: 0,
    });
    c.advance(4_000);
    expect(await store.take('k', 6, 2)).toEqual({
      allowed: false,
      retryAfterMs: 6_000,
      remaining: 0,
    });
    c.advance(6_000);
    expect(await store.take('k', 6, 2)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 0 });
    // An hour idle fills it to the burst, not past it.
    c.advance(3_600_000);
    expect((await store.take('k', 6, 2)).remaining).toBe(1);
    expect((await store.take('k', 6, 2)).remaining).toBe(0);
    expect((await store.take('k', 6, 2)).allowed).toBe(false);
  });

  it('does not refill when the clock goes back', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now });
    expect((await store.take('k', 60, 1)).allowed).toBe(true);
    c.advance(-60_000);
    expect((await store.take('k', 60, 1)).allowed).toBe(false);
  });

  it('drops a bucket once it is full again', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now, sweepIntervalMs: 1 });
    await store.take('k', 60, 3);
    expect(store.size).toBe(1);
    c.advance(1_000);
    await store.set('other', 'v', 60_000);
    expect(store.size).toBe(1);
  });

  it('sweeps expired keys out on a write, at most once a sweep interval', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now, sweepIntervalMs: 10_000 });
    for (let i = 0; i < 100; i++) await store.set(`k${i}`, 'v', 1_000);
    c.advance(5_000);
    await store.set('late', 'v', 60_000);
    // Expired, but the interval has not passed: still held until read or swept.
    expect(store.size).toBe(101);
    c.advance(5_000);
    await store.set('later', 'v', 60_000);
    expect(store.size).toBe(2);
  });

  it('holds at most maxKeys, the least recently written going first', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now, budgets: { '*': { maxKeys: 3 } } });
    await store.set('a', '1', 60_000);
    await store.set('b', '2', 60_000);
    await store.set('c', '3', 60_000);
    await store.set('a', '1 again', 60_000);
    await store.set('d', '4', 60_000);
    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeNull();
    expect(await store.get('a')).toBe('1 again');
    expect(await store.get('c')).toBe('3');
    expect(await store.get('d')).toBe('4');
    await store.take('bucket', 60, 5);
    expect(store.size).toBe(3);
    expect(await store.get('c')).toBeNull();
  });

  it('drops expired keys before live ones when full', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now, budgets: { '*': { maxKeys: 3 } } });
    await store.set('live', '1', 60_000);
    await store.set('short1', '2', 100);
    await store.set('short2', '3', 100);
    c.advance(2_000);
    await store.set('new', '4', 60_000);
    expect(await store.get('live')).toBe('1');
    expect(await store.get('new')).toBe('4');
  });

  it('stays bounded under 100,000 distinct keys', async () => {
    const store = createMemoryStore({ budgets: { rate: { maxKeys: 1_000 } } });
    for (let i = 0; i < 100_000; i++) await store.take(`rate:principal-${i}`, 60, 10);
    expect(store.size).toBe(1_000);
  });

  it('forgets everything on close', async () => {
    const store = createMemoryStore();
    await store.set('a', '1', 60_000);
    await store.close?.();
    expect(store.size).toBe(0);
  });

  it('rejects a budget that makes no sense', () => {
    expect(() => createMemoryStore({ budgets: { rate: { maxKeys: 0 } } })).toThrow(RangeError);
    expect(() => createMemoryStore({ budgets: { idem: { maxKeys: 2.5 } } })).toThrow(
      /budgets\.idem\.maxKeys/,
    );
    const whenFull = 'sometimes' as 'evict';
    expect(() => createMemoryStore({ budgets: { owner: { whenFull } } })).toThrow(RangeError);
  });
});

describe('memory store: a budget for each namespace', () => {
  const HOUR = 3_600_000;

  it('has the documented defaults: rate and owner evict, idem refuses', () => {
    expect(DEFAULT_BUDGETS).toEqual({
      rate: { maxKeys: 10_000, whenFull: 'evict' },
      idem: { maxKeys: 10_000, whenFull: 'refuse' },
      owner: { maxKeys: 20_000, whenFull: 'evict' },
      '*': { maxKeys: 1_000, whenFull: 'evict' },
    });
  });

  it('never drops a key of one namespace for writes in another', async () => {
    const store = createMemoryStore({
      budgets: { rate: { maxKeys: 3 }, idem: { maxKeys: 2 }, owner: { maxKeys: 2 } },
    });
    await store.set('idem:a', 'record', HOUR);
    await store.set('owner:call-1', 'alice', HOUR);
    await store.set('other', 'x', HOUR);
    for (let i = 0; i < 100; i++) await store.take(`rate:p-${i}`, 60, 10);
    for (let i = 0; i < 100; i++) await store.set(`misc:${i}`, 'v', HOUR);
    expect(await store.get('idem:a')).toBe('record');
    expect(await store.get('owner:call-1')).toBe('alice');
    // 3 buckets, the idem and owner records, and `*` (1,000) holding `other` and every misc key.
    expect(store.size).toBe(3 + 1 + 1 + 101);
    // Rate buckets evict within their own budget: the newest stay.
    expect((await store.take('rate:p-99', 60, 10)).remaining).toBe(8);
    expect((await store.take('rate:p-0', 60, 10)).remaining).toBe(9);
  });

  it('evicts the oldest owner record when its budget is full (the default for owner)', async () => {
    const store = createMemoryStore({ budgets: { owner: { maxKeys: 2 } } });
    await store.set('owner:call-1', 'alice', HOUR);
    await store.setIfAbsent('owner:call-2', 'bob', HOUR);
    expect(await store.setIfAbsent('owner:call-3', 'carol', HOUR)).toBe(true);
    expect(await store.get('owner:call-1')).toBeNull();
    expect(await store.get('owner:call-3')).toBe('carol');
  });

  it('shares `*` among namespaces of no budget of their own; a named one gets its own', async () => {
    const store = createMemoryStore({ budgets: { '*': { maxKeys: 2 }, jobs: { maxKeys: 5 } } });
    await store.set('a:1', 'v', HOUR);
    await store.set('b:1', 'v', HOUR);
    await store.set('plain', 'v', HOUR);
    expect(await store.get('a:1')).toBeNull();
    for (let i = 0; i < 5; i++) await store.set(`jobs:${i}`, 'v', HOUR);
    expect(await store.get('b:1')).toBe('v');
    expect(await store.get('jobs:0')).toBe('v');
  });

  it('refuses a new idem key when its budget is full, with StoreFullError naming it, and drops no live one', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now, budgets: { idem: { maxKeys: 2 } } });
    expect(await store.setIfAbsent('idem:a', 'A', HOUR)).toBe(true);
    await store.set('idem:b', 'B', 60_000);
    const error = await store.setIfAbsent('idem:c', 'C', HOUR).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFullError);
    expect(error).toMatchObject({ name: 'StoreFullError', namespace: 'idem', maxKeys: 2 });
    expect((error as Error).message).toMatch(/"idem" budget is full \(2 live keys\)/);
    await expect(store.set('idem:c', 'C', HOUR)).rejects.toThrow(StoreFullError);
    expect(await store.get('idem:c')).toBeNull();
    // The keys it holds are untouched, and may still be read, tried and written again.
    expect(await store.setIfAbsent('idem:a', 'A2', HOUR)).toBe(false);
    await store.set('idem:a', 'A3', HOUR);
    expect(await store.get('idem:a')).toBe('A3');
    expect(await store.get('idem:b')).toBe('B');
    // Room comes back as soon as a key expires, without waiting for a sweep interval...
    c.advance(60_000);
    expect(await store.setIfAbsent('idem:c', 'C', HOUR)).toBe(true);
    // ...or is deleted.
    await expect(store.setIfAbsent('idem:d', 'D', HOUR)).rejects.toThrow(StoreFullError);
    await store.delete('idem:a');
    expect(await store.setIfAbsent('idem:d', 'D', HOUR)).toBe(true);
  });

  it('lets idem evict if configured so, and other namespaces refuse', async () => {
    const store = createMemoryStore({
      budgets: {
        idem: { maxKeys: 1, whenFull: 'evict' },
        owner: { maxKeys: 1, whenFull: 'refuse' },
      },
    });
    await store.set('idem:a', 'A', HOUR);
    await store.set('idem:b', 'B', HOUR);
    expect(await store.get('idem:a')).toBeNull();
    await store.set('owner:1', 'alice', HOUR);
    await expect(store.set('owner:2', 'bob', HOUR)).rejects.toThrow(/"owner" budget is full/);
  });
});

describe('memory store: idempotency next to the rate limit, as the gateway wires them', () => {
  const call = { calls: [{ id: 'c-1', status: 'dialing' }], groupcalls: [] };
  /** A work that ends when the test says. */
  const deferred = () => {
    let finish: (value: typeof call) => void = () => {};
    const work = vi.fn(
      () =>
        new Promise<typeof call>((resolve) => {
          finish = resolve;
        }),
    );
    return { work, finish: (value: typeof call) => finish(value) };
  };

  it('keeps a pending and a done key through a flood of 12,000 new principals: a retry never runs twice', async () => {
    const store = createMemoryStore();
    const limit = createRateLimiter(store, { perMinute: 60, burst: 10 });
    const idempotency = createIdempotency(store, { waitMs: 0 });
    const fp = await fingerprint({ to: '+15551234567' });
    const first = deferred();
    const running = idempotency.run('alice', 'order-1', fp, first.work);
    await idempotency.run('alice', 'order-0', fp, async () => call);
    for (let i = 0; i < 12_000; i++) await limit(`voipbin:new-principal-${i}`);
    // The pending key is still held: the retry is refused, not run.
    const retry = vi.fn(async () => call);
    await expect(idempotency.run('alice', 'order-1', fp, retry)).rejects.toThrow(
      IdempotencyInProgressError,
    );
    // The done one still replays.
    expect(await idempotency.run('alice', 'order-0', fp, retry)).toEqual({
      result: call,
      replayed: true,
    });
    first.finish(call);
    expect(await running).toEqual({ result: call, replayed: false });
    for (let i = 12_000; i < 24_000; i++) await limit(`voipbin:new-principal-${i}`);
    expect(await idempotency.run('alice', 'order-1', fp, retry)).toEqual({
      result: call,
      replayed: true,
    });
    expect(first.work).toHaveBeenCalledTimes(1);
    expect(retry).not.toHaveBeenCalled();
  });

  it('refuses a new key when the idem budget is full, running nothing; known keys still replay', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now, budgets: { idem: { maxKeys: 2 } } });
    const idempotency = createIdempotency(store);
    const work = vi.fn(async () => call);
    await idempotency.run('alice', 'k1', 'fp', work);
    await idempotency.run('bob', 'k2', 'fp', work);
    const error = await idempotency.run('carol', 'k3', 'fp', work).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyUnavailableError);
    expect(error).toBeInstanceOf(IdempotencyError);
    expect((error as IdempotencyError).code).toBe('IDEMPOTENCY_UNAVAILABLE');
    expect((error as Error).cause).toBeInstanceOf(StoreFullError);
    expect(work).toHaveBeenCalledTimes(2);
    expect((await idempotency.run('alice', 'k1', 'fp', work)).replayed).toBe(true);
    expect((await idempotency.run('bob', 'k2', 'fp', work)).replayed).toBe(true);
    // Once the first records are past their TTL (24 h), a new key runs.
    c.advance(24 * 3_600_000);
    expect(await idempotency.run('carol', 'k3', 'fp', work)).toEqual({
      result: call,
      replayed: false,
    });
    expect(work).toHaveBeenCalledTimes(3);
  });

  it('frees the key of a request that crashed mid-work after the lease (60 s), not the TTL (24 h)', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now });
    const fp = await fingerprint(1);
    // The process that crashes: its store goes quiet as it dies, its work never ends.
    let alive = true;
    const dying: Store = {
      ...store,
      setIfAbsent: store.setIfAbsent,
      get: store.get,
      set: async (...args) => {
        if (alive) await store.set(...args);
      },
      delete: async (key) => {
        if (alive) await store.delete(key);
      },
    };
    const crashed = deferred();
    const lost = createIdempotency(dying).run('alice', 'crash', fp, crashed.work);
    await vi.waitFor(() => expect(crashed.work).toHaveBeenCalled());
    alive = false;
    const idempotency = createIdempotency(store, { waitMs: 0 });
    const retry = vi.fn(async () => call);
    c.advance(59_999);
    await expect(idempotency.run('alice', 'crash', fp, retry)).rejects.toThrow(
      IdempotencyInProgressError,
    );
    expect(retry).not.toHaveBeenCalled();
    c.advance(1);
    expect(await idempotency.run('alice', 'crash', fp, retry)).toEqual({
      result: call,
      replayed: false,
    });
    expect(retry).toHaveBeenCalledTimes(1);
    // The dead process's work ends only so the test leaves no timer behind.
    crashed.finish(call);
    await lost;
  });

  it('keeps the outcome for the TTL, not the lease', async () => {
    const c = clock();
    const idempotency = createIdempotency(createMemoryStore({ now: c.now }), { leaseMs: 1_000 });
    const work = vi.fn(async () => call);
    await idempotency.run('alice', 'k', 'fp', work);
    c.advance(24 * 3_600_000 - 1);
    expect((await idempotency.run('alice', 'k', 'fp', work)).replayed).toBe(true);
    c.advance(1);
    expect((await idempotency.run('alice', 'k', 'fp', work)).replayed).toBe(false);
  });
});
