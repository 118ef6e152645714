import { createHash } from 'node:crypto';
import { log } from '../log.ts';
import { connectRedis } from '../redis.ts';
import { checkBucket, checkTtl, type IndexEntry, type Store, type TakeResult } from './store.ts';

export interface RedisStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://` for TLS. */
  url: string;
  /** Put before every key, so the gateway's keys stay apart. Default `voipbin-kit:`. */
  prefix?: string;
  /**
   * How long a command (and connecting) may take, in ms. Default 2,000: past it the operation
   * throws, and the request that needed it fails, rather than hanging or passing unchecked.
   */
  timeoutMs?: number;
  /**
   * Told of connection errors, as the client reconnects on its own. Default: one line on
   * stderr with the error's message (never the URL, which may hold a password).
   */
  onError?: (error: Error) => void;
}

/**
 * The token bucket, atomic in one script. The clock is Redis' own (`TIME`), so instances with
 * skewed clocks still share one bucket. A bucket expires once it would be full again.
 * KEYS[1]: the bucket; ARGV: tokens per ms, burst. Returns {allowed 0/1, retryAfterMs, remaining}.
 */
const TAKE_SCRIPT = `
-- Redis 3.2 to 4 replicate a script that reads TIME only by its effects (5+ always do).
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((burst - tokens) / rate)))
return {allowed, retry, math.floor(tokens)}
`;
const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

/**
 * Adds members to a sorted-set index, each scored above every score it holds (Redis' clock in
 * ms, or the top score + 1), so scores are unique cursors; keeps the newest ARGV[2]; expires it
 * ARGV[1] ms from now. KEYS[1]: the index; ARGV[3..]: the members.
 */
const INDEX_ADD_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local last = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - 1
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if top[2] and tonumber(top[2]) > last then last = tonumber(top[2]) end
for i = 3, #ARGV do
  if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    last = last + 1
    redis.call('ZADD', KEYS[1], last, ARGV[i])
  end
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;
const INDEX_ADD_SHA = createHash('sha1').update(INDEX_ADD_SCRIPT).digest('hex');

/**
 * A store in Redis, shared by every gateway instance that points at it: the token bucket is
 * one Lua script, `setIfAbsent` is `SET NX PX`. On Node, Bun and Deno (it opens a TCP
 * connection: not on a Worker); their entries open it only when `GATEWAY_REDIS_URL` is set. Connects before it resolves, so a
 * wrong URL fails at start. Commands fail fast while disconnected (no offline queue), so
 * requests fail closed: neither unchecked nor hanging.
 *
 * Every key has a TTL (a pending idempotency key its lease, a settled one the idempotency TTL,
 * a bucket until it is full again), so Redis needs no budgets; it must not evict a live key
 * either: an evicted idempotency key lets a retry place a second call. Run it with
 * `maxmemory-policy noeviction` (a full Redis then refuses writes, and requests fail closed),
 * or a `volatile-*` policy only with memory to spare, since every key here is volatile.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<Store> {
  const prefix = options.prefix ?? 'voipbin-kit:';
  const timeoutMs = options.timeoutMs ?? 2_000;
  const client = await connectRedis({
    url: options.url,
    timeoutMs,
    onError:
      options.onError ??
      ((error: Error) =>
        log.line('error', `[gateway] Redis store: ${error.name}: ${error.message}`)),
  });

  /** Runs a script by its SHA, sending it the first time on this server (or after SCRIPT FLUSH). */
  const script = async (
    sha: string,
    source: string,
    options: { keys: string[]; arguments: string[] },
  ): Promise<unknown> => {
    try {
      return await client.evalSha(sha, options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await client.eval(source, options);
    }
  };

  const take = async (key: string, perMinute: number, burst: number): Promise<TakeResult> => {
    checkBucket(perMinute, burst);
    const reply = await script(TAKE_SHA, TAKE_SCRIPT, {
      keys: [prefix + key],
      arguments: [String(perMinute / 60_000), String(burst)],
    });
    const [allowed, retryAfterMs, remaining] = reply as [number, number, number];
    return { allowed: allowed === 1, retryAfterMs, remaining };
  };

  return {
    take,

    async setIfAbsent(key, value, ttlMs) {
      const reply = await client.set(prefix + key, value, {
        condition: 'NX',
        expiration: { type: 'PX', value: checkTtl(ttlMs) },
      });
      return reply === 'OK';
    },

    async get(key) {
      const value = await client.get(prefix + key);
      return value === null ? null : String(value);
    },

    async set(key, value, ttlMs) {
      await client.set(prefix + key, value, { expiration: { type: 'PX', value: checkTtl(ttlMs) } });
    },

    async delete(key) {
      await client.del(prefix + key);
    },

    async indexAdd(key, members, ttlMs, max) {
      if (members.length === 0) return;
      await script(INDEX_ADD_SHA, INDEX_ADD_SCRIPT, {
        keys: [prefix + key],
        arguments: [String(checkTtl(ttlMs)), String(max), ...members],
      });
    },

    async indexPage(key, limit, before): Promise<IndexEntry[]> {
      const reply = await client.zRangeWithScores(
        prefix + key,
        before === undefined ? '+inf' : `(${before}`,
        '-inf',
        { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: limit } },
      );
      return reply.map(({ value, score }) => ({ member: String(value), score }));
    },

    async close() {
      if (client.isOpen) await client.close();
    },
  };
}
