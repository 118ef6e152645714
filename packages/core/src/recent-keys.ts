/**
 * The last `capacity` keys seen, oldest forgotten first: `seen(key)` says whether a key came
 * before and remembers it (a repeat counts as recent again). Memory stays at `capacity` keys,
 * however many pass.
 */
export class RecentKeys {
  readonly #keys = new Map<string, true>();

  constructor(readonly capacity: number) {}

  /** True when `key` is among the last `capacity` distinct keys; remembers it either way. */
  seen(key: string): boolean {
    const known = this.#keys.delete(key);
    this.#keys.set(key, true);
    if (this.#keys.size > this.capacity) {
      this.#keys.delete(this.#keys.keys().next().value as string);
    }
    return known;
  }

  /** How many keys are remembered now, at most `capacity`. */
  get size(): number {
    return this.#keys.size;
  }
}
