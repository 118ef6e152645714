/**
 * The Worker build's stand-in for `lru-cache` (wrangler.toml `[alias]`): Yoga creates its parse
 * and validation caches with `new LRUCache({ max, ttl })` and only calls `get` and `set`, which
 * need ~40 lines, not lru-cache's 16 KB (minified). Same semantics for that use: at most `max`
 * entries, the least recently used evicted first, an entry older than `ttl` ms never returned.
 * The Node, Bun and Deno runtimes keep the real lru-cache.
 */
const now = () => performance.now();

interface Entry<V> {
  value: V;
  /** `now()` after which the entry is stale; 0 when `ttl` is 0 (never). */
  expires: number;
}

export class LRUCache<K, V> {
  readonly max: number;
  readonly ttl: number;
  readonly #entries = new Map<K, Entry<V>>();

  constructor({ max, ttl = 0 }: { max: number; ttl?: number }) {
    if (!(Number.isInteger(max) && max > 0)) throw new TypeError('max must be a positive integer');
    this.max = max;
    this.ttl = ttl;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, made the most recently used; undefined when absent or stale (then dropped). */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expires !== 0 && now() > entry.expires) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && (entry.expires === 0 || now() <= entry.expires);
  }

  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.ttl > 0 ? now() + this.ttl : 0 });
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
