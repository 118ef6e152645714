import { checkBucket, type Store } from './store.ts';

export interface RateLimitOptions {
  /** Calls per minute for each principal, on average; 0 turns the limit off. */
  perMinute: number;
  /** How many calls a principal may make at once after being idle. Default `perMinute` (at least 1). */
  burst?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** When refused: in how many ms a call will be allowed again. 0 when allowed. */
  retryAfterMs: number;
  /** Calls left right now (`Infinity` when the limit is off). */
  remaining: number;
}

export type RateLimiter = (principalId: string) => Promise<RateLimitDecision>;

const UNLIMITED: RateLimitDecision = Object.freeze({
  allowed: true,
  retryAfterMs: 0,
  remaining: Number.POSITIVE_INFINITY,
});

/**
 * A per-principal rate limit: a token bucket for each principal in `store` (key
 * `rate:<principalId>`), so a shared store limits a principal across every instance. With
 * `perMinute` 0 every call is allowed and the store is never asked. A store that fails makes
 * the returned promise reject: the caller should then refuse the call (fail closed).
 */
export function createRateLimiter(store: Store, options: RateLimitOptions): RateLimiter {
  const { perMinute } = options;
  if (perMinute === 0) return async () => UNLIMITED;
  const burst = options.burst ?? Math.max(1, Math.ceil(perMinute));
  checkBucket(perMinute, burst);
  return async (principalId) => {
    const { allowed, retryAfterMs, remaining } = await store.take(
      `rate:${principalId}`,
      perMinute,
      burst,
    );
    return { allowed, retryAfterMs, remaining };
  };
}
