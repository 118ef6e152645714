/**
 * What the rate limit and the idempotency of `createCall` need from a store, each operation
 * atomic, so that a store shared by several gateway instances (Redis) makes both hold across
 * them. `createMemoryStore` (store-memory.ts) is the default, for one instance;
 * `createRedisStore` (store-redis.ts: Node, Bun and Deno) is the shared one.
 *
 * Keys are strings chosen by the callers, namespaced by their prefix up to the first `:`
 * (`rate:...`, `idem:...`, `owner:...`); a store may prefix them, and may budget each namespace
 * (the memory store does). Values are strings (the callers store JSON). Every TTL is in
 * milliseconds, > 0.
 */
export interface Store {
  /**
   * Token bucket: takes one token from `key`, a bucket of capacity `burst` (starting full)
   * refilled at `perMinute`/60 tokens per second. `allowed` is false when it held less than
   * one token; `retryAfterMs` then says when one will be there (0 when allowed);
   * `remaining` is the whole tokens left.
   */
  take(key: string, perMinute: number, burst: number): Promise<TakeResult>;
  /**
   * Sets `key` to `value` for `ttlMs` only if it is absent (or expired); true when set. Throws
   * `StoreFullError`, writing nothing, when `key` is absent and its namespace has no room left
   * and may not drop a live key to make some.
   */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** The value of `key`, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Sets `key` to `value` for `ttlMs`, whatever it held; `StoreFullError` as `setIfAbsent`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Adds `members` to the index `key`, newest last: each new member gets a score above every
   * score the index holds (members already there keep theirs). Keeps the newest `max`; the
   * index expires `ttlMs` after this write.
   */
  indexAdd(key: string, members: readonly string[], ttlMs: number, max: number): Promise<void>;
  /**
   * The members of index `key` scored below `before` (all when absent), newest first, at most
   * `limit`: a page, whose last score is the `before` of the next.
   */
  indexPage(key: string, limit: number, before?: number): Promise<IndexEntry[]>;
  /** Frees what the store holds (a connection, memory). */
  close?(): Promise<void>;
  /**
   * What a store in this process holds, as counts (never a key or a value): the memory store's
   * keys by namespace and its indexed members. Absent where the state lives elsewhere (Redis,
   * Durable Objects, Deno KV).
   */
  stats?(): Record<string, number>;
}

export interface IndexEntry {
  member: string;
  /** Unique in its index, higher for newer members: a cursor. */
  score: number;
}

export interface TakeResult {
  allowed: boolean;
  /** When the next token comes, in ms from now; 0 when allowed. */
  retryAfterMs: number;
  /** Whole tokens left after this one. */
  remaining: number;
}

/**
 * A store had no room for a new key in `namespace`, whose live keys it never drops to make
 * some (the memory store's `idem` budget): nothing was written. Room comes back as keys expire.
 */
export class StoreFullError extends Error {
  override name = 'StoreFullError';
  readonly namespace: string;
  readonly maxKeys: number;
  constructor(namespace: string, maxKeys: number) {
    super(
      `The store's "${namespace}" budget is full (${maxKeys} live keys): no new key until one expires. Raise budgets.${namespace}.maxKeys if this is ordinary traffic.`,
    );
    this.namespace = namespace;
    this.maxKeys = maxKeys;
  }
}

/** Checks a token bucket's settings; a store's `take` and the rate limiter share it. */
export function checkBucket(perMinute: number, burst: number): void {
  if (!Number.isFinite(perMinute) || perMinute <= 0) {
    throw new RangeError(`perMinute must be a finite number > 0, got ${perMinute}`);
  }
  if (!Number.isFinite(burst) || burst < 1) {
    throw new RangeError(`burst must be a finite number >= 1, got ${burst}`);
  }
}

/** Checks a TTL and rounds it up to whole milliseconds (Redis' PX takes an integer > 0). */
export function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a finite number > 0, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}
