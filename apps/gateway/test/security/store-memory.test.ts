import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/security/store-memory.ts';
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
    const store = createMemoryStore({ now: c.now, maxKeys: 3 });
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
    const store = createMemoryStore({ now: c.now, maxKeys: 3 });
    await store.set('live', '1', 60_000);
    await store.set('short1', '2', 100);
    await store.set('short2', '3', 100);
    c.advance(2_000);
    await store.set('new', '4', 60_000);
    expect(await store.get('live')).toBe('1');
    expect(await store.get('new')).toBe('4');
  });

  it('stays bounded under 100,000 distinct keys', async () => {
    const store = createMemoryStore({ maxKeys: 1_000 });
    for (let i = 0; i < 100_000; i++) await store.take(`principal-${i}`, 60, 10);
    expect(store.size).toBe(1_000);
  });

  it('forgets everything on close', async () => {
    const store = createMemoryStore();
    await store.set('a', '1', 60_000);
    await store.close?.();
    expect(store.size).toBe(0);
  });

  it('rejects a maxKeys that makes no sense', () => {
    expect(() => createMemoryStore({ maxKeys: 0 })).toThrow(RangeError);
  });
});
