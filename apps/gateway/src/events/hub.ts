import type { Call } from '@voipbin-kit/core';
import { GraphQLError } from 'graphql';
import type { Ownership } from '../security/ownership.ts';

/**
 * Carries messages between gateway instances (Redis pub/sub on Node: `redis-fanout.ts`). Each
 * instance publishes what its sources received and delivers what arrives, its own included.
 */
export interface Fanout {
  publish(message: string): Promise<void>;
  /** Starts delivering every message published by any instance to `onMessage`. */
  subscribe(onMessage: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** Who listens to the hub: one subscription, to one call (`callId`) or to every call. */
export interface HubListener {
  callId?: string;
  deliver(call: Call): void;
}

export interface HubOptions {
  ownership: Ownership;
  fanout?: Fanout;
  /** Open subscriptions in all, on this instance. Default 10,000. */
  maxSubscriptions?: number;
  /** Open subscriptions of one principal, on this instance. Default 50. */
  maxPerPrincipal?: number;
}

/** VoIPBIN accounts remembered, and customers per account: a bound, not a working figure. */
const MAX_ACCOUNTS = 10_000;
const MAX_CUSTOMERS = 16;
/** Owners of calls remembered (they never change once recorded). */
const MAX_OWNERS = 10_000;

/**
 * The one place call states meet: sources publish what VoIPBIN said, subscriptions listen.
 * With a fanout, a state published on one instance reaches the listeners of all of them. The
 * hub filters nothing: each subscription keeps its own order and visibility (a state the
 * ownership record does not yet cover may be published again once it does).
 */
export function createEventHub(options: HubOptions) {
  const { ownership, fanout } = options;
  const maxSubscriptions = options.maxSubscriptions ?? 10_000;
  const maxPerPrincipal = options.maxPerPrincipal ?? 50;
  const byCall = new Map<string, Set<HubListener>>();
  const everyCall = new Set<HubListener>();
  const customers = new Map<string, Set<string>>();
  const learnListeners = new Set<(account: string, customerId: string) => void>();
  const owners = new Map<string, Promise<string | null>>();
  const open = new Map<string, number>();
  let openInAll = 0;
  let subscribed: Promise<void> | undefined;

  function dispatch(call: Call) {
    for (const listener of byCall.get(call.id) ?? []) listener.deliver(call);
    for (const listener of everyCall) listener.deliver(call);
  }

  async function findOwner(call: Call): Promise<string | null> {
    const recorded = await ownership.ownerOf('call', call.id);
    if (recorded) return recorded;
    const via =
      (call.groupcall_id && (await ownership.ownerOf('groupcall', call.groupcall_id))) ||
      (call.master_call_id && (await ownership.ownerOf('call', call.master_call_id))) ||
      null;
    if (via) await ownership.record(via, 'call', [call.id]).catch(() => {});
    return via;
  }

  /** A message from the fanout: a call as JSON; anything else is dropped. */
  function receive(message: string) {
    let call: unknown;
    try {
      call = JSON.parse(message);
    } catch {
      return;
    }
    if (call && typeof call === 'object' && typeof (call as Call).id === 'string') {
      dispatch(call as Call);
    }
  }

  return {
    /** Subscribes to the fanout, once; call before serving. */
    start(): Promise<void> {
      subscribed ??= fanout ? fanout.subscribe(receive) : Promise.resolve();
      return subscribed;
    },

    /**
     * Hands a call state to every listener, on every instance. Resolves once it is on its way;
     * rejects when the fanout failed (the state then reached this instance's listeners only).
     */
    async publish(call: Call): Promise<void> {
      if (!fanout) return dispatch(call);
      try {
        await fanout.publish(JSON.stringify(call));
      } catch (error) {
        dispatch(call);
        throw error;
      }
    },

    /** Starts delivering states to `listener`; returns the function that stops it. */
    listen(listener: HubListener): () => void {
      if (listener.callId === undefined) everyCall.add(listener);
      else {
        const set = byCall.get(listener.callId) ?? new Set();
        byCall.set(listener.callId, set.add(listener));
      }
      return () => {
        if (listener.callId === undefined) return void everyCall.delete(listener);
        const set = byCall.get(listener.callId);
        set?.delete(listener);
        if (set?.size === 0) byCall.delete(listener.callId);
      };
    },

    /**
     * Counts a new subscription of `principal`, or throws TOO_MANY_SUBSCRIPTIONS when this
     * instance holds its limit of them, or of all; returns the function that ends the count.
     */
    admit(principal: string): () => void {
      const mine = open.get(principal) ?? 0;
      if (mine >= maxPerPrincipal || openInAll >= maxSubscriptions) {
        const which =
          mine >= maxPerPrincipal
            ? `this caller has ${mine} open (at most ${maxPerPrincipal})`
            : `the gateway holds ${openInAll} (at most ${maxSubscriptions})`;
        throw new GraphQLError(`Too many open subscriptions: ${which}. Close one first.`, {
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', http: { status: 429 } },
        });
      }
      open.set(principal, mine + 1);
      openInAll++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        openInAll--;
        const left = (open.get(principal) ?? 1) - 1;
        if (left > 0) open.set(principal, left);
        else open.delete(principal);
      };
    },

    /** Notes that `account` (a VoIPBIN credential's name) acts as VoIPBIN customer `customerId`. */
    learn(account: string, customerId: string | null | undefined): void {
      if (!customerId) return;
      const set = customers.get(account) ?? new Set<string>();
      if (set.has(customerId) || set.size >= MAX_CUSTOMERS) return;
      if (set.size === 0) {
        if (customers.size >= MAX_ACCOUNTS) {
          customers.delete(customers.keys().next().value as string);
        }
        customers.set(account, set);
      }
      set.add(customerId);
      for (const listener of learnListeners) listener(account, customerId);
    },

    /** The VoIPBIN customers `account` was seen acting as. */
    customersOf(account: string): ReadonlySet<string> {
      return customers.get(account) ?? new Set();
    },

    /** Calls `listener` with each customer an account is newly seen acting as. */
    onLearn(listener: (account: string, customerId: string) => void): () => void {
      learnListeners.add(listener);
      return () => learnListeners.delete(listener);
    },

    /**
     * Who owns `call`: its record, or its group call's or its master call's (legs and chained
     * calls VoIPBIN made after createCall answered), then recorded; null when none says. Found
     * owners are remembered; "none" is not, as a record may come a moment later.
     */
    ownerOfCall(call: Call): Promise<string | null> {
      // One lookup per call however many subscriptions ask at once.
      const known = owners.get(call.id);
      if (known) return known;
      const lookup = findOwner(call).then((owner) => {
        if (!owner) owners.delete(call.id);
        return owner;
      });
      lookup.catch(() => owners.delete(call.id));
      if (owners.size >= MAX_OWNERS) owners.delete(owners.keys().next().value as string);
      owners.set(call.id, lookup);
      return lookup;
    },

    /** What the hub holds: for tests and leak checks. */
    stats() {
      let listeners = everyCall.size;
      for (const set of byCall.values()) listeners += set.size;
      return { listeners, subscriptions: openInAll };
    },

    async close(): Promise<void> {
      await fanout?.close();
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
