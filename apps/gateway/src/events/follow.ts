import type { Call } from '@voipbin-kit/core';
import type { EventHub } from './hub.ts';
import { createOrdering, isFinal } from './order.ts';
import type { EventSource, UpstreamAccount } from './source.ts';

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
  /** The request's: aborted when the client goes, even before the stream is handed out. */
  signal?: AbortSignal;
}

/**
 * One event per state object: the hub hands each listener the same object, and subscribers
 * of one call that share a document then share its execution (`src/shared-subscriptions.ts`).
 */
const events = new WeakMap<Call, FollowEvent>();
function eventOf(call: Call): FollowEvent {
  let event = events.get(call);
  if (!event) {
    event = { call };
    events.set(call, event);
  }
  return event;
}

/** States queued for a subscriber that reads slower than they come, before it is cut off. */
const MAX_QUEUED = 1_000;
/** Calls whose newest state one `callEvents` stream remembers, to drop older ones. */
const MAX_ORDERED = 1_000;
/** The longest a timer waits (setTimeout's limit); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Thrown when the client went away while a subscription was being set up; nothing is held. */
const gone = () => new DOMException('The client went away', 'AbortError');

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

/** Ends the stream with an error event when the credential expires; returns the stop. */
function expiry(follower: Follower, stream: ReturnType<typeof channel>): () => void {
  const { expiresAt } = follower;
  if (expiresAt === undefined) return () => {};
  let timer: ReturnType<typeof setTimeout>;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left > MAX_TIMER_MS) {
      timer = setTimeout(arm, MAX_TIMER_MS);
      return;
    }
    timer = setTimeout(
      () => {
        stream.push({ end: 'expired' });
        stream.end();
      },
      Math.max(0, left),
    );
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * Holds what a subscription set up, in order, and lets all of it go at once (idempotent): the
 * one cleanup for every path, a failed setup and a client gone early included.
 */
function holdings(signal: AbortSignal | undefined) {
  const releases: (() => void)[] = [];
  let released = false;
  const releaseAll = () => {
    if (released) return;
    released = true;
    for (const release of releases.reverse()) release();
    signal?.removeEventListener('abort', releaseAll);
  };
  signal?.addEventListener('abort', releaseAll, { once: true });
  return {
    hold(release: () => void) {
      if (released) return release();
      releases.push(release);
    },
    releaseAll,
    /** Throws, having let everything go, when the client is gone. */
    check() {
      if (signal?.aborted) {
        releaseAll();
        throw gone();
      }
    },
  };
}

/** A new subscription's holdings, counted against the limits (or an error, holding nothing). */
function admitted(follower: Follower): ReturnType<typeof holdings> {
  const held = holdings(follower.signal);
  held.check();
  try {
    held.hold(follower.hub.admit(follower.principal));
  } catch (error) {
    held.releaseAll();
    throw error;
  }
  return held;
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
  const held = admitted(follower);
  try {
    const early: Call[] = [];
    let deliver = (call: Call) => void early.push(call);
    held.hold(hub.listen({ callId: id, deliver: (call) => deliver(call) }));
    const current = await load();
    held.check();
    if (!current) throw missing();
    const stream = channel(held.releaseAll);
    const order = createOrdering(1);
    deliver = (call) => {
      if (!order.advance(call)) return;
      stream.push(eventOf(call));
      if (isFinal(call)) stream.end();
    };
    deliver(current);
    for (const call of early) deliver(call);
    // A call that has hung up already has nothing more to say: nothing to hold open for it.
    if (!isFinal(current)) {
      held.hold(source.watch(account, { callId: id, customerId: current.customer_id }));
      held.hold(expiry(follower, stream));
    }
    return stream.iterator;
  } catch (error) {
    held.releaseAll();
    throw error;
  }
}

/** What a `callEvents` subscriber may see: subscribers of one audience share one feed. */
export interface Audience {
  /** Names the audience: the same key, the same `visible` answers (see `audienceOf`). */
  key: string;
  /** Whether a state is for this audience; may wait on the store. */
  visible(call: Call): boolean | Promise<boolean>;
}

/** A stream of one subscriber, as a feed fills it. */
type Member = Pick<ReturnType<typeof channel>, 'push' | 'end'>;

/** Members of a feed in one lane: handed their states in one turn of the event loop. */
const LANE_SIZE = 64;
/** Resolves in a later turn of the event loop, after pending I/O (a timer where no setImmediate). */
const nextTurn = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/** Every feed open on a hub, by audience. */
const feedsByHub = new WeakMap<EventHub, Map<string, Feed>>();

/** Some members of a feed, for good, and the states they are still to be handed, in order. */
interface Lane {
  members: Set<Member>;
  pending: FollowEvent[];
}

interface Feed {
  join(member: Member): () => void;
}

/**
 * The one hub listener of an audience: each state is checked (`visible`) and ordered once,
 * and handed, as one event object, to every member; so subscribers that share a document
 * also share its execution (src/shared-subscriptions.ts). One state at a time, as the check
 * may wait on the store and order must hold; a store slower than the states come ends every
 * member (`overflow`) rather than queue without end. Stops when its last member leaves.
 *
 * Members are handed states a lane a turn: a lane's frames leave (Node writes a corked socket
 * once the turn's jobs are done) while the next lane's are made, so the first subscribers do
 * not wait for the last ones' work, and a state that follows another at once reaches a lane
 * right after the first state did, not after the first state's whole fan-out (both then in
 * one write). A member stays in its lane, and each lane hands its states in order.
 */
function openFeed(hub: EventHub, audience: Audience): Feed {
  let feeds = feedsByHub.get(hub);
  if (!feeds) {
    feeds = new Map();
    feedsByHub.set(hub, feeds);
  }
  const open = feeds.get(audience.key);
  if (open) return open;
  const lanes: Lane[] = [];
  let members = 0;
  const order = createOrdering(MAX_ORDERED);
  let tail = Promise.resolve();
  let waiting = 0;
  let pumping = false;
  let stopped = false;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    unlisten();
    if (feeds.get(audience.key) === feed) feeds.delete(audience.key);
  };
  /** Ends every member's stream: the feed cannot keep up. */
  const overflow = () => {
    stop();
    for (const lane of lanes) {
      lane.pending.length = 0;
      for (const member of lane.members) {
        member.push({ end: 'overflow' });
        member.end();
      }
    }
  };
  /** Hands each lane its pending states, a lane a turn, round after round until none is left. */
  const pump = async () => {
    pumping = true;
    let first = true;
    for (let handed = true; handed && !stopped; ) {
      handed = false;
      for (const lane of lanes) {
        if (lane.pending.length === 0) continue;
        if (!first) await nextTurn();
        first = false;
        handed = true;
        const events = lane.pending.splice(0);
        for (const member of lane.members) for (const event of events) member.push(event);
      }
    }
    pumping = false;
  };
  const hand = (event: FollowEvent) => {
    for (const lane of lanes) {
      if (lane.members.size === 0) continue;
      if (lane.pending.push(event) > MAX_QUEUED) return overflow();
    }
    if (!pumping) void pump();
  };

  const unlisten = hub.listen({
    deliver: (call) => {
      if (stopped) return;
      if (++waiting > MAX_QUEUED) return overflow();
      tail = tail.then(async () => {
        waiting--;
        if (stopped) return;
        try {
          if (!((await audience.visible(call)) && order.advance(call))) return;
        } catch {
          // A store that cannot say whose the call is: not shown (fail closed).
          return;
        }
        hand({ call });
      });
    },
  });
  const feed: Feed = {
    join(member) {
      let lane = lanes.find((lane) => lane.members.size < LANE_SIZE);
      if (!lane) {
        lane = { members: new Set(), pending: [] };
        lanes.push(lane);
      }
      const joined = lane;
      joined.members.add(member);
      members++;
      return () => {
        if (!joined.members.delete(member)) return;
        if (--members === 0) stop();
      };
    },
  };
  feeds.set(audience.key, feed);
  return feed;
}

/** Adds `member` to its audience's feed (opened for it if none is); returns the leave. */
const join = (hub: EventHub, audience: Audience, member: Member): (() => void) =>
  openFeed(hub, audience).join(member);

/**
 * Follows every call `audience.visible` says is the caller's, from now on, each state once and
 * never an older one after a newer; never ends on its own (but for an expired credential).
 * Subscribers of one audience share its feed; counting, expiry and leaving stay each one's.
 * `prepare` runs once the subscription is counted, before anything is followed.
 */
export async function followEvery(
  follower: Follower,
  audience: Audience,
  prepare: () => Promise<void> = async () => {},
): Promise<AsyncIterableIterator<FollowEvent>> {
  const { hub, source, account } = follower;
  const held = admitted(follower);
  try {
    await prepare();
    held.check();
    const stream = channel(held.releaseAll);
    held.hold(join(hub, audience, stream));
    held.hold(source.watch(account, {}));
    held.hold(expiry(follower, stream));
    return stream.iterator;
  } catch (error) {
    held.releaseAll();
    throw error;
  }
}
