import {
  checkBucket,
  checkTtl,
  type IndexEntry,
  type Store,
  StoreFullError,
  type TakeResult,
} from './store.ts';

/** How many keys one namespace holds at most, and what a new key does when it is full. */
export interface Budget {
  /** Live keys at most (expired ones are swept out before this counts against a write). */
  maxKeys: number;
  /**
   * `evict`: the least recently written key goes to make room. `refuse`: a live key never goes;
   * a write of a new key throws `StoreFullError` until one expires.
   */
  whenFull: 'evict' | 'refuse';
}

/**
 * The memory store's budgets, by namespace (a key's prefix up to its first `:`); `*` is one
 * budget shared by every namespace not named here, keys without a `:` included. Measured on
 * Node: a rate bucket takes ~0.3 KB; an idempotency record of `createCall` ~1.7 KB for one
 * destination, ~3.6 KB for three, ~10 KB for ten (the policy's default cap). So 10,000
 * records take 17 to 100 MB: the same ceiling as the one shared budget of 10,000 keys before,
 * and within a Worker isolate's 128 MB unless most calls have many destinations (then lower
 * `idem`).
 */
export const DEFAULT_BUDGETS: Readonly<Record<string, Readonly<Budget>>> = {
  // A forgotten bucket only gives its caller a full burst again.
  rate: { maxKeys: 10_000, whenFull: 'evict' },
  // A forgotten live record would let a retry place a second call, which costs money.
  idem: { maxKeys: 10_000, whenFull: 'refuse' },
  // Call ownership: small records, one for every call placed, the oldest least needed.
  owner: { maxKeys: 20_000, whenFull: 'evict' },
  '*': { maxKeys: 1_000, whenFull: 'evict' },
};

export interface MemoryStoreOptions {
  /** The clock, in ms (tests inject one). Default `Date.now`. */
  now?: () => number;
  /**
   * Budgets by namespace, over `DEFAULT_BUDGETS` field by field: `{ idem: { maxKeys: 50_000 } }`
   * keeps `idem` refusing. A namespace named here gets a budget of its own (unset fields from
   * `*`). Writes in one namespace never drop another's keys.
   */
  budgets?: Partial<Record<string, Partial<Budget>>>;
  /** How often (at most) a write sweeps every expired key out, in ms. Default 60,000. */
  sweepIntervalMs?: number;
  /**
   * Members of all indexes (`indexAdd`) together at most; past it the least recently written
   * index goes whole. Default 20,000, as the `owner` budget: a listed call whose record is gone
   * is of no use.
   */
  maxIndexed?: number;
}

/** An index: members by score, in the order added (so, ascending scores). */
interface Index {
  members: Map<string, number>;
  /** The highest score given so far (kept, not found by walking every member on each add). */
  last: number;
  expiresAt: number;
}

type Entry =
  | { kind: 'value'; value: string; expiresAt: number }
  | { kind: 'bucket'; tokens: number; updatedAt: number; expiresAt: number };

/** One budget's keys, in write order (a Map keeps insertion order: the first is the oldest). */
interface Space {
  name: string;
  budget: Budget;
  entries: Map<string, Entry>;
  lastSweep: number;
  /** No entry expires before this (a lower bound: exact after a sweep). */
  nextExpiry: number;
}

/**
 * The default store: one process's memory, bounded (expired keys swept, a budget of keys for
 * each namespace: `DEFAULT_BUDGETS`), with no timer and nothing but standard JavaScript, so it
 * runs on Node, Workers, Deno and Bun. Each operation runs to its end before any other starts,
 * so each is atomic. Not shared: with several instances, each limits and deduplicates on its
 * own (use the Redis store).
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store & {
  /** How many keys it holds now, expired ones not yet swept included. */
  readonly size: number;
} {
  const now = options.now ?? Date.now;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  const start = now();
  const budgetOf = (name: string): Budget => {
    // A namespace of no default budget starts from `*`'s, as configured.
    const base = DEFAULT_BUDGETS[name] ?? { ...DEFAULT_BUDGETS['*'], ...options.budgets?.['*'] };
    const budget = { ...base, ...options.budgets?.[name] } as Budget;
    if (!Number.isInteger(budget.maxKeys) || budget.maxKeys < 1) {
      throw new RangeError(
        `budgets.${name}.maxKeys must be an integer >= 1, got ${budget.maxKeys}`,
      );
    }
    if (budget.whenFull !== 'evict' && budget.whenFull !== 'refuse') {
      throw new RangeError(
        `budgets.${name}.whenFull must be evict or refuse, got ${budget.whenFull}`,
      );
    }
    return budget;
  };
  const spaces = new Map<string, Space>();
  for (const name of new Set([
    ...Object.keys(DEFAULT_BUDGETS),
    ...Object.keys(options.budgets ?? {}),
  ])) {
    spaces.set(name, {
      name,
      budget: budgetOf(name),
      entries: new Map(),
      lastSweep: start,
      nextExpiry: Number.POSITIVE_INFINITY,
    });
  }
  // Always there: DEFAULT_BUDGETS names it.
  const other = spaces.get('*') as Space;
  let lastSweep = start;
  const maxIndexed = options.maxIndexed ?? 20_000;
  if (!Number.isInteger(maxIndexed) || maxIndexed < 1) {
    throw new RangeError(`maxIndexed must be an integer >= 1, got ${maxIndexed}`);
  }
  let indexed = 0;
  // Apart from the keys: indexes never push a key out, nor keys an index.
  const indexes = new Map<string, Index>();

  const dropIndex = (key: string): void => {
    indexed -= indexes.get(key)?.members.size ?? 0;
    indexes.delete(key);
  };

  const liveIndex = (key: string, at: number): Index | undefined => {
    const index = indexes.get(key);
    if (index && index.expiresAt <= at) {
      dropIndex(key);
      return undefined;
    }
    return index;
  };

  const spaceOf = (key: string): Space => {
    const colon = key.indexOf(':');
    return (colon < 0 ? undefined : spaces.get(key.slice(0, colon))) ?? other;
  };

  const sweep = (space: Space, at: number): void => {
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entry] of space.entries) {
      if (entry.expiresAt <= at) space.entries.delete(key);
      else next = Math.min(next, entry.expiresAt);
    }
    space.lastSweep = at;
    space.nextExpiry = next;
  };

  const live = (key: string, at: number): Entry | undefined => {
    const { entries } = spaceOf(key);
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= at) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  /** Makes room for a new key in `space`, or throws `StoreFullError` when it refuses. */
  const makeRoom = (space: Space, at: number): void => {
    const { entries, budget } = space;
    if (budget.whenFull === 'refuse') {
      // Only when something has expired: a flood of refused writes never sweeps in vain.
      if (at >= space.nextExpiry) sweep(space, at);
      if (entries.size >= budget.maxKeys) throw new StoreFullError(space.name, budget.maxKeys);
      return;
    }
    // Sweep now (at most once a second: dropping a live bucket is harmless), then drop the
    // least recently written.
    if (at - space.lastSweep >= Math.min(1_000, sweepIntervalMs)) sweep(space, at);
    for (const oldest of entries.keys()) {
      if (entries.size < budget.maxKeys) break;
      entries.delete(oldest);
    }
  };

  const write = (key: string, entry: Entry, at: number): void => {
    if (at - lastSweep >= sweepIntervalMs) {
      for (const space of spaces.values()) sweep(space, at);
      lastSweep = at;
    }
    const space = spaceOf(key);
    // A key written again takes no more room; a new one may need some.
    if (!space.entries.delete(key) && space.entries.size >= space.budget.maxKeys) {
      makeRoom(space, at);
    }
    space.entries.set(key, entry);
    space.nextExpiry = Math.min(space.nextExpiry, entry.expiresAt);
  };

  return {
    get size() {
      let size = 0;
      for (const space of spaces.values()) size += space.entries.size;
      return size;
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
      spaceOf(key).entries.delete(key);
    },

    async indexAdd(key, members, ttlMs, max) {
      const ttl = checkTtl(ttlMs);
      const at = now();
      const index = liveIndex(key, at) ?? { members: new Map(), last: -1, expiresAt: 0 };
      dropIndex(key);
      for (const member of members) {
        if (index.members.has(member)) continue;
        index.last = Math.max(at, index.last + 1);
        index.members.set(member, index.last);
      }
      for (const oldest of index.members.keys()) {
        if (index.members.size <= max) break;
        index.members.delete(oldest);
      }
      index.expiresAt = at + ttl;
      if (indexed + index.members.size > maxIndexed) {
        // Expired ones first (liveIndex drops them), then the least recently written.
        for (const k of indexes.keys()) liveIndex(k, at);
        for (const oldest of indexes.keys()) {
          if (indexed + index.members.size <= maxIndexed) break;
          dropIndex(oldest);
        }
      }
      // Written last: the least recently written index is the first.
      indexes.set(key, index);
      indexed += index.members.size;
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

    stats() {
      const counts: Record<string, number> = {};
      for (const space of spaces.values()) counts[`keys.${space.name}`] = space.entries.size;
      return { ...counts, indexes: indexes.size, indexed };
    },

    async close() {
      for (const space of spaces.values()) space.entries.clear();
      indexes.clear();
      indexed = 0;
    },
  };
}
