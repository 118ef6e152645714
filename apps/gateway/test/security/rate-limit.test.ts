import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/security/rate-limit.ts';
import { createMemoryStore } from '../../src/security/store-memory.ts';

describe('rate limiter: on an injected clock', () => {
  it('refuses past the burst, then allows one call per refill interval', async () => {
    let now = 0;
    const limit = createRateLimiter(createMemoryStore({ now: () => now }), {
      perMinute: 2,
      burst: 3,
    });
    for (let i = 0; i < 3; i++) expect((await limit('alice')).allowed).toBe(true);
    expect(await limit('alice')).toEqual({ allowed: false, retryAfterMs: 30_000, remaining: 0 });
    now += 29_999;
    expect((await limit('alice')).allowed).toBe(false);
    now += 1;
    expect((await limit('alice')).allowed).toBe(true);
    expect((await limit('alice')).allowed).toBe(false);
    expect((await limit('bob')).allowed).toBe(true);
  });

  it('reports Infinity remaining when off', async () => {
    const limit = createRateLimiter(createMemoryStore(), { perMinute: 0 });
    expect(await limit('alice')).toEqual({
      allowed: true,
      retryAfterMs: 0,
      remaining: Number.POSITIVE_INFINITY,
    });
  });

  it('rejects settings that make no sense', () => {
    const store = createMemoryStore();
    expect(() => createRateLimiter(store, { perMinute: -1 })).toThrow(RangeError);
    expect(() => createRateLimiter(store, { perMinute: Number.NaN })).toThrow(RangeError);
    expect(() => createRateLimiter(store, { perMinute: 10, burst: 0 })).toThrow(RangeError);
  });
});
