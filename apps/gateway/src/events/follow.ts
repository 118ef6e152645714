import type { Call } from '@voipbin-kit/core';
import type { EventHub } from './hub.ts';
import { createOrdering, isFinal } from './order.ts';
import type { EventSource, UpstreamAccount, Watched } from './source.ts';

/** What a subscription yields: a call state, or why it ends with an error. */
export type FollowEvent = { call: Call } | { end: 'expired' | 'overflow' };

/** Who follows, and through what. */
export interface Follower {
  hub: EventHub;
  source: EventSource;
  account: UpstreamAccount;
  /** Counts against the subscription limits. */
  principal: string;
  /** When the follower's credential expires (epoch ms): the stream ends then. */
  expiresAt?: number;
}

/** States queued for a subscriber that reads slower than they come, before it is cut off. */
const MAX_QUEUED = 1_000;
/** Calls whose newest state one `callEvents` stream remembers, to drop older ones. */
const MAX_ORDERED = 10_000;

/**
 * An async iterator fed by pushes, ended by `end()` or by the consumer's `return()`; either
 * way `cleanup` runs exactly once. Everything is set up before it is handed out, so a consumer
 * that never reads still frees it by returning.
 */
function channel(cleanup: () => void) {
  const queue: FollowEvent[] = [];
  let wake: ((result: IteratorResult<FollowEvent>) => void) | undefined;
  let ended = false;
  let finishing = false;

  const finish = () => {
    if (ended) return;
    ended = true;
    cleanup();
  };
  const iterator: AsyncIterableIterator<FollowEvent> = {
    next() {
      const value = queue.shift();
      if (value) return Promise.resolve({ value, done: false });
      if (finishing || ended) {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve) => {
        wake = resolve;
      });
    },
    return() {
      queue.length = 0;
      finish();
      wake?.({ value: undefined, done: true });
      wake = undefined;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return {
    iterator,
    push(event: FollowEvent) {
      if (ended || finishing) return;
      if (wake) {
        const resolve = wake;
        wake = undefined;
        resolve({ value: event, done: false });
        return;
      }
      if (queue.length >= MAX_QUEUED) {
        queue.length = 0;
        queue.push({ end: 'overflow' });
        finishing = true;
        return;
      }
      queue.push(event);
    },
    /** Ends after what is queued has been read. */
    end() {
      if (ended || finishing) return;
      finishing = true;
      if (wake && queue.length === 0) {
        const resolve = wake;
        wake = undefined;
        finish();
        resolve({ value: undefined, done: true });
      }
    },
  };
}

/** Ends the stream with an error event when the credential expires. */
function expiry(follower: Follower, stream: ReturnType<typeof channel>) {
  if (follower.expiresAt === undefined) return undefined;
  const timer = setTimeout(
    () => {
      stream.push({ end: 'expired' });
      stream.end();
    },
    Math.min(Math.max(0, follower.expiresAt - Date.now()), 2 ** 31 - 1),
  );
  return () => clearTimeout(timer);
}

/**
 * Follows one call: its current state first (`load`, which also says whether it is the
 * caller's), then each newer state, ending after the hangup. Listens before loading, so no
 * state between the two is missed; throws what `load` throws, or `missing()` when it finds
 * none, having held nothing.
 */
export async function followCall(
  follower: Follower,
  id: string,
  load: () => Promise<Call | null>,
  missing: () => Error,
): Promise<AsyncIterableIterator<FollowEvent>> {
  const { hub, source, account } = follower;
  const release = hub.admit(follower.principal);
  const early: Call[] = [];
  let deliver = (call: Call) => void early.push(call);
  const unlisten = hub.listen({ callId: id, deliver: (call) => deliver(call) });
  let current: Call | null;
  try {
    current = await load();
  } catch (error) {
    unlisten();
    release();
    throw error;
  }
  if (!current) {
    unlisten();
    release();
    throw missing();
  }
  const watched: Watched = { callId: id, customerId: current.customer_id };
  const unwatch = source.watch(account, watched);
  let stopExpiry: (() => void) | undefined;
  const stream = channel(() => {
    unlisten();
    unwatch();
    stopExpiry?.();
    release();
  });
  const order = createOrdering(1);
  deliver = (call) => {
    if (!order.advance(call)) return;
    stream.push({ call });
    if (isFinal(call)) stream.end();
  };
  deliver(current);
  for (const call of early) deliver(call);
  stopExpiry = expiry(follower, stream);
  return stream.iterator;
}

/**
 * Follows every call `visible` says is the caller's, from now on, each state once and never
 * an older one after a newer; never ends on its own (but for an expired credential).
 */
export function followEvery(
  follower: Follower,
  visible: (call: Call) => boolean | Promise<boolean>,
): AsyncIterableIterator<FollowEvent> {
  const { hub, source, account } = follower;
  const release = hub.admit(follower.principal);
  const order = createOrdering(MAX_ORDERED);
  // One state at a time: the visibility check may wait on the store, and order must hold.
  let tail = Promise.resolve();
  const unlisten = hub.listen({
    deliver: (call) => {
      tail = tail.then(async () => {
        try {
          if (await visible(call)) {
            if (order.advance(call)) stream.push({ call });
          }
        } catch {
          // A store that cannot say whose the call is: not shown (fail closed).
        }
      });
    },
  });
  const unwatch = source.watch(account, {});
  let stopExpiry: (() => void) | undefined;
  const stream = channel(() => {
    unlisten();
    unwatch();
    stopExpiry?.();
    release();
  });
  stopExpiry = expiry(follower, stream);
  return stream.iterator;
}
