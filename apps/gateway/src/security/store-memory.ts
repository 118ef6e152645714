import { checkBucket, checkTtl, type IndexEntry, type Store, type TakeResult } from './store.ts';

export interface MemoryStoreOptions {
  /** The clock, in ms (tests inject one). Default `Date.now`. */
  now?: () => number;
  /**
   * At most this many keys (buckets and values together); past it the least recently written
   * key goes, after the expired ones. Default 10,000.
   */
  maxKeys?: number;
  /** How often (at most) a write sweeps every expired key out, in ms. Default 60,000. */
  sweepIntervalMs?: number;
  /** At most this many indexes (`indexAdd`); past it the least recently written goes. Default 10,000. */
  maxIndexes?: number;
}

/** An index: members by score, in the order added (so, ascending scores). */
interface Index {
  members: Map<string, number>;
  expiresAt: number;
}

type Entry =
  | { kind: 'value'; value: string; expiresAt: number }
  | { kind: 'bucket'; tokens: number; updatedAt: number; expiresAt: number };

/**
 * The default store: one process's memory, bounded (expired keys swept, a cap on keys), with
 * no timer and nothing but standard JavaScript, so it runs on Node, Workers, Deno and Bun.
 * Each operation runs to its end before any other starts, so each is atomic. Not shared:
 * with several instances, each limits and deduplicates on its own (use the Redis store).
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store & {
  /** How many keys it holds now, expired ones not yet swept included. */
  readonly size: number;
} {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`maxKeys must be an integer >= 1, got ${maxKeys}`);
  }
  // A Map keeps insertion order: writing a key moves it last, so the first is the least
  // recently written.
  const entries = new Map<string, Entry>();
  let lastSweep = now();
  const maxIndexes = options.maxIndexes ?? 10_000;
  // Apart from `entries`: indexes never push a key out, nor keys an index.
  const indexes = new Map<string, Index>();

  const liveIndex = (key: string, at: number): Index | undefined => {
    const index = indexes.get(key);
    if (index && index.expiresAt <= at) {
      indexes.delete(key);
      return undefined;
    }
    return index;
  };

  const sweep = (at: number): void => {
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
    lastSweep = at;
  };

  const live = (key: string, at: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= at) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const write = (key: string, entry: Entry, at: number): void => {
    entries.delete(key);
    if (at - lastSweep >= sweepIntervalMs) sweep(at);
    if (entries.size >= maxKeys) {
      // Full: sweep now (at most once a second), then drop the least recently written.
      if (at - lastSweep >= Math.min(1_000, sweepIntervalMs)) sweep(at);
      for (const oldest of entries.keys()) {
        if (entries.size < maxKeys) break;
        entries.delete(oldest);
      }
    }
    entries.set(key, entry);
  };

  return {
    get size() {
      return entries.size;
    },

    async take(key, perMinute, burst): Promise<TakeResult> {
      checkBucket(perMinute, burst);
      const at = now();
      const perMs = perMinute / 60_000;
      const entry = live(key, at);
      let tokens = burst;
      if (entry?.kind === 'bucket') {
        tokens = Math.min(burst, entry.tokens + Math.max(0, at - entry.updatedAt) * perMs);
      }
      const allowed = tokens >= 1;
      if (allowed) tokens -= 1;
      write(
        key,
        {
          kind: 'bucket',
          tokens,
          updatedAt: at,
          // Once full again, the bucket is as good as absent.
          expiresAt: at + Math.max(1, Math.ceil((burst - tokens) / perMs)),
        },
        at,
      );
      return {
        allowed,
        retryAfterMs: allowed ? 0 : Math.ceil((1 - tokens) / perMs),
        remaining: Math.floor(tokens),
      };
    },

    async setIfAbsent(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const at = now();
      if (live(key, at)) return false;
      write(key, { kind: 'value', value, expiresAt: at + ttl }, at);
      return true;
    },

    async get(key) {
      const entry = live(key, now());
      return entry?.kind === 'value' ? entry.value : null;
    },

    async set(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const at = now();
      write(key, { kind: 'value', value, expiresAt: at + ttl }, at);
    },

    async delete(key) {
      entries.delete(key);
    },

    async indexAdd(key, members, ttlMs, max) {
      const ttl = checkTtl(ttlMs);
      const at = now();
      const index = liveIndex(key, at) ?? { members: new Map(), expiresAt: 0 };
      let last = -1;
      for (const score of index.members.values()) last = score;
      for (const member of members) {
        if (index.members.has(member)) continue;
        last = Math.max(at, last + 1);
        index.members.set(member, last);
      }
      for (const oldest of index.members.keys()) {
        if (index.members.size <= max) break;
        index.members.delete(oldest);
      }
      index.expiresAt = at + ttl;
      indexes.delete(key);
      if (indexes.size >= maxIndexes) {
        for (const [k, i] of indexes) if (i.expiresAt <= at) indexes.delete(k);
        for (const oldest of indexes.keys()) {
          if (indexes.size < maxIndexes) break;
          indexes.delete(oldest);
        }
      }
      indexes.set(key, index);
    },

    async indexPage(key, limit, before) {
      const index = liveIndex(key, now());
      if (!index) return [];
      const page: IndexEntry[] = [];
      const all = [...index.members];
      for (let i = all.length - 1; i >= 0 && page.length < limit; i--) {
        const [member, score] = all[i] as [string, number];
        if (before === undefined || score < before) page.push({ member, score });
      }
      return page;
    },

    async close() {
      entries.clear();
      indexes.clear();
    },
  };
}
