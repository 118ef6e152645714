/**
 * A store in Deno KV (`Deno.openKv()`): on Deno Deploy, one database every isolate and region
 * shares, with nothing to run beside the gateway. Each operation is one atomic commit checked
 * on the versionstamps it read (optimistic, retried on a conflict), so it holds across
 * isolates as the Redis store's scripts do. Only the Deno entry opens one (GATEWAY_DENO_KV); the
 * module itself needs nothing of Deno but the `kv` it is given.
 *
 * What differs from Redis: KV deletes an expired key some time after its `expireIn`, not at
 * once, so every value carries its own expiry and a read past it sees nothing; the token
 * bucket's clock is the isolate's (Redis uses its own), so isolates with skewed clocks refill
 * a bucket a little early or late; an index is one value (KV's limit is 64 KiB: 1,000 call ids,
 * the gateway's default, take 55 KB; a longer index throws rather than drop members silently).
 * A local database file several processes share (`Deno.openKv(path)`) is SQLite, whose "database
 * is locked" is retried as a lost commit is; on Deno Deploy there is no such file.
 */
import { checkBucket, checkTtl, type IndexEntry, type Store, type TakeResult } from './store.ts';

/** The little of Deno KV used here, so the project needs no Deno types. */
export type KvKey = readonly (string | number)[];
export interface KvEntry<T> {
  value: T | null;
  versionstamp: string | null;
}
export interface KvAtomic {
  check(...checks: { key: KvKey; versionstamp: string | null }[]): KvAtomic;
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): KvAtomic;
  commit(): Promise<{ ok: boolean }>;
}
export interface Kv {
  get<T>(key: KvKey): Promise<KvEntry<T>>;
  delete(key: KvKey): Promise<void>;
  atomic(): KvAtomic;
  close(): void;
}

export interface DenoKvStoreOptions {
  /** Put before every key (its first part), so the gateway's keys stay apart. Default `voipbin-kit`. */
  prefix?: string;
  /** Closes `kv` with the store (default false: the caller opened it, the caller closes it). */
  closeKv?: boolean;
}

/** A value with its own expiry (ms since the epoch): KV's `expireIn` is only when it is swept. */
interface Expiring<T> {
  value: T;
  expiresAt: number;
}
interface Bucket {
  tokens: number;
  ts: number;
}
/** Members with their scores, ascending; `top` the highest score ever given (cursors stay unique). */
interface Index {
  entries: [string, number][];
  top: number;
}

/** Commits that lost to another writer, retried; past this many the operation throws. */
const MAX_ATTEMPTS = 100;
/** SQLite's busy error: a local database file another process is writing. */
const LOCKED = /database is locked/;

export function createDenoKvStore(kv: Kv, options: DenoKvStoreOptions = {}): Store {
  const prefix = options.prefix ?? 'voipbin-kit';
  const valueKey = (key: string): KvKey => [prefix, 'value', key];
  const bucketKey = (key: string): KvKey => [prefix, 'bucket', key];
  const indexKey = (key: string): KvKey => [prefix, 'index', key];

  /** The live value at `key` (null past its expiry) and the versionstamp to check. */
  const read = async <T>(key: KvKey) => {
    const entry = await kv.get<Expiring<T>>(key);
    const live = entry.value !== null && entry.value.expiresAt > Date.now();
    return {
      value: live ? (entry.value as Expiring<T>).value : null,
      versionstamp: entry.versionstamp,
    };
  };

  /**
   * Runs `attempt` until its commit goes through: again when another writer changed what it
   * read, or (a local SQLite file that several processes share) when the file was locked.
   */
  const atomically = async <T>(attempt: () => Promise<{ ok: boolean; result: T }>): Promise<T> => {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      try {
        const { ok, result } = await attempt();
        if (ok) return result;
      } catch (error) {
        if (!(error instanceof Error && LOCKED.test(error.message)) || i === MAX_ATTEMPTS - 1) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 10));
      }
    }
    throw new Error(`Deno KV store: ${MAX_ATTEMPTS} commits in a row lost to other writers`);
  };

  const write = <T>(atomic: KvAtomic, key: KvKey, value: T, ttlMs: number) =>
    atomic.set(key, { value, expiresAt: Date.now() + ttlMs } satisfies Expiring<T>, {
      expireIn: ttlMs,
    });

  return {
    async take(key, perMinute, burst): Promise<TakeResult> {
      checkBucket(perMinute, burst);
      const rate = perMinute / 60_000;
      const at = bucketKey(key);
      return atomically(async () => {
        const entry = await kv.get<Bucket>(at);
        const now = Date.now();
        let { tokens, ts } = entry.value ?? { tokens: burst, ts: now };
        if (now > ts) {
          tokens = Math.min(burst, tokens + (now - ts) * rate);
          ts = now;
        }
        const allowed = tokens >= 1;
        if (allowed) tokens -= 1;
        const retryAfterMs = allowed ? 0 : Math.ceil((1 - tokens) / rate);
        // Swept once it would be full again: a bucket read after that is full anyway.
        const { ok } = await kv
          .atomic()
          .check({ key: at, versionstamp: entry.versionstamp })
          .set(at, { tokens, ts } satisfies Bucket, {
            expireIn: Math.max(1, Math.ceil((burst - tokens) / rate)),
          })
          .commit();
        return { ok, result: { allowed, retryAfterMs, remaining: Math.floor(tokens) } };
      });
    },

    async setIfAbsent(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const at = valueKey(key);
      return atomically(async () => {
        const current = await read<string>(at);
        if (current.value !== null) return { ok: true, result: false };
        const check = { key: at, versionstamp: current.versionstamp };
        const { ok } = await write(kv.atomic().check(check), at, value, ttl).commit();
        return { ok, result: true };
      });
    },

    get(key) {
      return atomically(async () => ({
        ok: true,
        result: (await read<string>(valueKey(key))).value,
      }));
    },

    async set(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      await atomically(() =>
        write(kv.atomic(), valueKey(key), value, ttl)
          .commit()
          .then(({ ok }) => ({ ok, result: undefined })),
      );
    },

    async delete(key) {
      await atomically(async () => {
        await kv.delete(valueKey(key));
        return { ok: true, result: undefined };
      });
    },

    async indexAdd(key, members, ttlMs, max) {
      if (members.length === 0) return;
      const ttl = checkTtl(ttlMs);
      const at = indexKey(key);
      await atomically(async () => {
        const current = await read<Index>(at);
        const index = current.value ?? { entries: [], top: 0 };
        const known = new Set(index.entries.map(([member]) => member));
        // Above every score the index holds, and above the clock (as Redis' TIME in ms).
        let last = Math.max(index.top, Date.now() - 1);
        const entries = [...index.entries];
        for (const member of members) {
          if (known.has(member)) continue;
          known.add(member);
          last += 1;
          entries.push([member, last]);
        }
        const kept: Index = { entries: entries.slice(-max), top: last };
        const check = { key: at, versionstamp: current.versionstamp };
        const { ok } = await write(kv.atomic().check(check), at, kept, ttl).commit();
        return { ok, result: undefined };
      });
    },

    async indexPage(key, limit, before): Promise<IndexEntry[]> {
      const index = await atomically(async () => ({
        ok: true,
        result: (await read<Index>(indexKey(key))).value,
      }));
      if (!index) return [];
      const page: IndexEntry[] = [];
      for (let i = index.entries.length - 1; i >= 0 && page.length < limit; i--) {
        const [member, score] = index.entries[i] as [string, number];
        if (before === undefined || score < before) page.push({ member, score });
      }
      return page;
    },

    async close() {
      if (options.closeKv) kv.close();
    },
  };
}
