import { VoipbinResponseError } from '@voipbin-kit/core';
import { describe, expect, it, vi } from 'vitest';
import {
  createIdempotency,
  fingerprint,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IdempotencyError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyReusedError,
} from '../../src/security/idempotency.ts';
import type { Store } from '../../src/security/store.ts';
import { createMemoryStore } from '../../src/security/store-memory.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fingerprint', () => {
  it('is the hex SHA-256 of the canonical JSON', async () => {
    // sha256('{"a":1,"b":[2,{"c":3,"d":4}]}')
    const expected = Array.from(
      new Uint8Array(
        await crypto.subtle.digest(
          'SHA-256',
          new TextEncoder().encode('{"a":1,"b":[2,{"c":3,"d":4}]}'),
        ),
      ),
      (b) => b.toString(16).padStart(2, '0'),
    ).join('');
    expect(await fingerprint({ b: [2, { d: 4, c: 3 }], a: 1 })).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores key order at every depth, not array order', async () => {
    expect(await fingerprint({ x: { b: 1, a: 2 }, y: 1 })).toBe(
      await fingerprint({ y: 1, x: { a: 2, b: 1 } }),
    );
    expect(await fingerprint([1, 2])).not.toBe(await fingerprint([2, 1]));
  });

  it('tells apart values JSON tells apart', async () => {
    const values = [null, 0, '0', false, [], {}, { a: null }, { a: '1' }, { a: 1 }, 'é', 'e\u0301'];
    const prints = await Promise.all(values.map(fingerprint));
    expect(new Set(prints).size).toBe(values.length);
    // Undefined fields are absent, as in the JSON sent upstream.
    expect(await fingerprint({ a: 1, b: undefined })).toBe(await fingerprint({ a: 1 }));
  });

  it('counts a __proto__ key as any other key', async () => {
    const polluted = JSON.parse('{"__proto__":{"admin":true},"a":1}');
    expect(await fingerprint(polluted)).not.toBe(await fingerprint({ a: 1 }));
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('idempotency: keys and stores', () => {
  it('rejects an empty or overlong key, running nothing', async () => {
    const idempotency = createIdempotency(createMemoryStore());
    const work = vi.fn(async () => 1);
    for (const key of ['', 'k'.repeat(IDEMPOTENCY_KEY_MAX_LENGTH + 1)]) {
      const error = await idempotency.run('p', key, 'fp', work).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyKeyInvalidError);
      expect(error).toBeInstanceOf(IdempotencyError);
      expect((error as IdempotencyError).code).toBe('BAD_USER_INPUT');
    }
    await idempotency.run('p', 'k'.repeat(IDEMPOTENCY_KEY_MAX_LENGTH), 'fp', work);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('stores a short hashed key, never the principal or the key', async () => {
    const store = createMemoryStore();
    const setIfAbsent = vi.spyOn(store, 'setIfAbsent');
    await createIdempotency(store).run('user:secret', 'my key', 'fp', async () => 1);
    expect(setIfAbsent.mock.calls[0]?.[0]).toMatch(/^idem:[0-9a-f]{64}$/);
  });

  it('names the reuse with a code', () => {
    expect(new IdempotencyKeyReusedError().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('fails closed when the store fails before the work: nothing runs', async () => {
    const store: Store = {
      ...createMemoryStore(),
      setIfAbsent: async () => {
        throw new Error('store down');
      },
    };
    const work = vi.fn(async () => 1);
    await expect(createIdempotency(store).run('p', 'k', 'fp', work)).rejects.toThrow('store down');
    expect(work).not.toHaveBeenCalled();
  });

  it('tries again to record the outcome when the store fails, so a retry replays it', async () => {
    const memory = createMemoryStore();
    let failures = 2;
    const store: Store = {
      ...memory,
      set: async (key, value, ttlMs) => {
        if (!value.includes('"pending"') && failures-- > 0) throw new Error('store hiccup');
        await memory.set(key, value, ttlMs);
      },
    };
    const idempotency = createIdempotency(store, { settlePausesMs: [0, 5, 5, 5] });
    const work = vi.fn(async () => 'placed');
    expect(await idempotency.run('p', 'k', 'fp', work)).toEqual({
      result: 'placed',
      replayed: false,
    });
    expect(await idempotency.run('p', 'k', 'fp', work)).toEqual({
      result: 'placed',
      replayed: true,
    });
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('refuses pauses before recording an outcome that could outlast the lease', () => {
    const store = createMemoryStore();
    for (const settlePausesMs of [[], [Number.NaN], [-1], [0, 10_000, 10_000]]) {
      expect(() => createIdempotency(store, { leaseMs: 60_000, settlePausesMs })).toThrow(
        RangeError,
      );
    }
    expect(() => createIdempotency(store, { leaseMs: 60_000 })).not.toThrow();
  });

  it('tries a release once: a delete that timed out may have run, and the key be taken since', async () => {
    const memory = createMemoryStore();
    const deletes = vi.fn(async () => {
      throw new Error('store hiccup');
    });
    const store: Store = {
      ...memory,
      delete: deletes,
    };
    const idempotency = createIdempotency(store, { settlePausesMs: [0, 5, 5] });
    await expect(
      idempotency.run('p', 'k', 'fp', async () => {
        throw new Error('refused, nothing placed');
      }),
    ).rejects.toThrow('refused');
    expect(deletes).toHaveBeenCalledTimes(1);
  });

  it('returns the result when recording it fails, and refuses duplicates after', async () => {
    const memory = createMemoryStore();
    const store: Store = {
      ...memory,
      set: async () => {
        throw new Error('store down');
      },
    };
    const idempotency = createIdempotency(store, { waitMs: 50, settlePausesMs: [0, 5] });
    const work = vi.fn(async () => 'placed');
    expect(await idempotency.run('p', 'k', 'fp', work)).toEqual({
      result: 'placed',
      replayed: false,
    });
    await expect(idempotency.run('p', 'k', 'fp', work)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_IN_PROGRESS',
    });
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('lets no renewal of the lease land after the outcome', async () => {
    const memory = createMemoryStore();
    // Renewals slower than the outcome's write: were one not waited for, it would land after
    // the outcome, turn it back into a lease, and a retry past that lease would run again.
    const store: Store = {
      ...memory,
      set: async (key, value, ttlMs) => {
        if (value.includes('"pending"')) await sleep(60);
        await memory.set(key, value, ttlMs);
      },
    };
    const idempotency = createIdempotency(store, { leaseMs: 30 });
    const work = vi.fn(async () => {
      await sleep(25);
      return 'placed';
    });
    await idempotency.run('p', 'k', 'fp', work);
    await sleep(150);
    expect(await idempotency.run('p', 'k', 'fp', work)).toEqual({
      result: 'placed',
      replayed: true,
    });
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('keeps the key with a custom isOutcomeUnknown, replaying a plain error', async () => {
    const idempotency = createIdempotency(createMemoryStore(), {
      isOutcomeUnknown: (error) => (error as Error).message === 'lost',
    });
    await expect(
      idempotency.run('p', 'k', 'fp', async () => {
        throw new Error('lost');
      }),
    ).rejects.toThrow('lost');
    const work = vi.fn(async () => 1);
    await expect(idempotency.run('p', 'k', 'fp', work)).rejects.toMatchObject({
      message: 'lost',
      outcomeUnknown: true,
      replayed: true,
    });
    expect(work).not.toHaveBeenCalled();
  });

  it('keeps the key of a POST answered 2xx but unreadable, storing none of that answer', async () => {
    const store = createMemoryStore();
    const set = vi.spyOn(store, 'set');
    const idempotency = createIdempotency(store);
    const unreadable = new VoipbinResponseError({ method: 'POST', path: '/calls' }, 201, [
      { path: 'calls.0.id', message: 'Invalid type: Expected string but received "+821012345678"' },
    ]);
    await expect(
      idempotency.run('p', 'k', 'fp', async () => {
        throw unreadable;
      }),
    ).rejects.toBe(unreadable);
    expect(JSON.stringify(set.mock.calls)).not.toContain('+821012345678');
    const work = vi.fn(async () => 1);
    const replayed = await idempotency.run('p', 'k', 'fp', work).catch((e: unknown) => e);
    expect(work).not.toHaveBeenCalled();
    expect(replayed).toBeInstanceOf(VoipbinResponseError);
    expect(replayed).toMatchObject({
      httpStatus: 201,
      outcomeUnknown: true,
      replayed: true,
      request: { method: 'POST', path: '/calls' },
    });
  });

  it('replays a result as JSON', async () => {
    const idempotency = createIdempotency(createMemoryStore());
    const first = await idempotency.run('p', 'k', 'fp', async () => ({ at: '2026-01-01', n: 1 }));
    const again = await idempotency.run('p', 'k', 'fp', async () => ({ at: 'other', n: 2 }));
    expect(again).toEqual({ result: first.result, replayed: true });
  });
});
