import { READY_TIMEOUT_MS } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createIdempotency, fingerprint } from '../../src/security/idempotency.ts';
import { createRateLimiter } from '../../src/security/rate-limit.ts';
import type { Store } from '../../src/security/store.ts';
import { createRedisStore } from '../../src/security/store-redis.ts';
import { type RedisServer, redisAvailabilityHere, startRedisServer } from './redis-server.ts';
import { storeContract, timeoutError } from './store-contract.ts';

/** A prefix no other test uses, so each test starts from an empty store. */
const freshPrefix = () => `test-${crypto.randomUUID()}:`;

// Without a redis-server (a fresh machine with only Node.js and npm) these tests are skipped,
// loudly; CI sets VOIPBIN_KIT_REQUIRE_REDIS=1, and there they fail without one.
const redis = redisAvailabilityHere();
if (!redis.run) console.warn(`\n${redis.notice}\n`);

describe.skipIf(!redis.run)(redis.run ? 'on a redis-server' : `(${redis.notice})`, () => {
  // A real redis-server of this file's own, started once.
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  }, READY_TIMEOUT_MS + 30_000);
  afterAll(async () => {
    await server?.stop();
  }, 15_000);

  storeContract('Redis store', () => createRedisStore({ url: server.url, prefix: freshPrefix() }));

  describe('Redis store: two instances on one Redis', () => {
    const stores: Store[] = [];
    /** Two stores, each with its own connection, as two gateway instances have. */
    const twoInstances = async () => {
      const prefix = freshPrefix();
      const a = await createRedisStore({ url: server.url, prefix });
      const b = await createRedisStore({ url: server.url, prefix });
      stores.push(a, b);
      return [a, b] as const;
    };
    afterAll(async () => {
      await Promise.all(stores.map((store) => store.close?.()));
    });

    it('share one bucket per principal', async () => {
      const [a, b] = await twoInstances();
      const limitA = createRateLimiter(a, { perMinute: 60, burst: 4 });
      const limitB = createRateLimiter(b, { perMinute: 60, burst: 4 });
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? limitA : limitB)('alice')),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(4);
      const refused = await limitA('alice');
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect((await limitB('bob')).allowed).toBe(true);
    });

    it('share idempotency keys: concurrent duplicates across instances run once', async () => {
      const [a, b] = await twoInstances();
      const one = createIdempotency(a);
      const two = createIdempotency(b);
      const fp = await fingerprint({ to: '+15551234567' });
      const result = { calls: [{ id: 'c-1' }], groupcalls: [] };
      const work = vi.fn(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return result;
      });
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).run('alice', 'k', fp, work)),
      );
      expect(work).toHaveBeenCalledTimes(1);
      expect(outcomes.map((o) => o.result)).toEqual(Array(20).fill(result));
      expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
      // Later, on either instance: a replay.
      expect(await two.run('alice', 'k', fp, work)).toEqual({ result, replayed: true });
    });

    it('share an unknown outcome: the other instance replays it, placing nothing', async () => {
      const [a, b] = await twoInstances();
      const fp = await fingerprint(1);
      await expect(
        createIdempotency(a).run('alice', 'u', fp, async () => {
          throw timeoutError();
        }),
      ).rejects.toThrow();
      const work = vi.fn(async () => 'placed');
      await expect(createIdempotency(b).run('alice', 'u', fp, work)).rejects.toMatchObject({
        name: 'VoipbinTimeoutError',
        outcomeUnknown: true,
        replayed: true,
      });
      expect(work).not.toHaveBeenCalled();
    });

    it('keeps its keys under the prefix', async () => {
      const prefix = freshPrefix();
      const store = await createRedisStore({ url: server.url, prefix });
      const bare = await createRedisStore({ url: server.url, prefix: '' });
      stores.push(store, bare);
      await store.set('k', 'v', 60_000);
      expect(await bare.get(`${prefix}k`)).toBe('v');
      expect(await bare.get('k')).toBeNull();
    });
  });

  describe('Redis store: failures', () => {
    it(
      'fails fast, not hanging, once Redis is gone',
      async () => {
        const own = await startRedisServer();
        if (own.url === server.url) return; // an external Redis: not ours to stop
        const errors: Error[] = [];
        const store = await createRedisStore({
          url: own.url,
          timeoutMs: 500,
          onError: (error) => errors.push(error),
        });
        try {
          await store.set('k', 'v', 60_000);
          await own.stop();
          // Refused, not queued until Redis comes back (a hang would end at the test's timeout).
          await expect(store.take('k', 60, 1)).rejects.toThrow();
          await expect(
            createIdempotency(store).run('alice', 'k', 'fp', async () => 'never'),
          ).rejects.toThrow();
        } finally {
          await store.close?.().catch(() => {});
          await own.stop();
        }
      },
      READY_TIMEOUT_MS + 30_000,
    );
  });
});

// Needs no Redis at all: runs everywhere.
describe('Redis store: failures without a Redis', () => {
  it('fails to start on a URL where no Redis answers', async () => {
    const errors: Error[] = [];
    await expect(
      createRedisStore({
        url: 'redis://127.0.0.1:1',
        timeoutMs: 500,
        onError: (error) => errors.push(error),
      }),
    ).rejects.toThrow();
  });
});
