import type { Call } from '@voipbin-kit/core';
import { gatewayError } from '../error-codes.ts';
import { log } from '../log.ts';
import type { GatewayObserver } from '../observer.ts';
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

/** What a publisher knows of a state besides the call: through which account, whose it is. */
export interface PublishContext {
  account?: string;
  owner?: string;
}

/** What travels between instances: JSON of this, `from` the instance that published it. */
export interface FanoutMessage extends PublishContext {
  from: string;
  call: Call;
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
  /** Told each subscription counted in and out. */
  observer?: GatewayObserver;
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
  const { ownership, fanout, observer } = options;
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
  /** Tells this instance's messages from the others' on the fanout. */
  const instance = crypto.randomUUID();

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

  /** Notes what a state says of its account and owner, then hands it to this instance's listeners. */
  function take(call: Call, { account, owner }: PublishContext) {
    if (account) learn(account, call.customer_id);
    // Kept for this instance's listeners of the call; with none, nothing is kept (a later one
    // looks the owner up once, in `ownerOfCall`): a createCall nobody follows pays nothing here.
    if (owner && (everyCall.size > 0 || byCall.has(call.id))) remember(call.id, owner);
    dispatch(call);
  }

  /** A message from another instance: `{ from, call, account?, owner? }`; anything else is dropped. */
  function receive(message: string) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const { from, call, account, owner } = (parsed ?? {}) as Partial<FanoutMessage>;
    if (from === instance || typeof call?.id !== 'string') return;
    take(call, {
      ...(typeof account === 'string' ? { account } : {}),
      ...(typeof owner === 'string' ? { owner } : {}),
    });
  }

  function remember(callId: string, owner: Promise<string | null> | string) {
    if (owners.size >= MAX_OWNERS) owners.delete(owners.keys().next().value as string);
    owners.set(callId, typeof owner === 'string' ? Promise.resolve(owner) : owner);
  }

  function learn(account: string, customerId: string | null | undefined): void {
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
    for (const listener of learnListeners) {
      try {
        listener(account, customerId);
      } catch (error) {
        // A source that cannot follow a new customer must not fail the request that taught it.
        log.line(
          'error',
          `[gateway] an event source could not follow a new customer: ${error instanceof Error ? error.name : 'error'}`,
        );
      }
    }
  }

  let closed = false;
  /** Subscribes to the fanout, trying again (up to every 30 s) until it holds. */
  function subscribe(attempt = 0): Promise<void> {
    if (!fanout) return Promise.resolve();
    return fanout.subscribe(receive).catch((error: unknown) => {
      log.line(
        'error',
        `[gateway] the event fanout could not subscribe (${error instanceof Error ? error.name : 'error'}): states from other instances do not arrive; trying again`,
      );
      // A retry that fails again says so and schedules the next itself: its rejection is
      // handled here (nobody awaits it), and none runs once the hub is closed.
      const retry = setTimeout(
        () => {
          if (!closed) subscribe(attempt + 1).catch(() => {});
        },
        Math.min(30_000, 500 * 2 ** attempt),
      );
      (retry as { unref?: () => void }).unref?.();
      throw error;
    });
  }

  return {
    /** Subscribes to the fanout, once (retried in the background when it fails). */
    start(): Promise<void> {
      subscribed ??= subscribe();
      return subscribed;
    },

    /**
     * Hands a call state to this instance's listeners at once, and to the other instances'
     * through the fanout; `account` is the VoIPBIN account it came through (its customer is
     * learned everywhere), `owner` the principal that owns it when the publisher knows. Rejects
     * when the fanout failed: the state then reached this instance only.
     */
    async publish(call: Call, context: PublishContext = {}): Promise<void> {
      take(call, context);
      if (!fanout) return;
      const message: FanoutMessage = { from: instance, call, ...context };
      await fanout.publish(JSON.stringify(message));
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
        throw gatewayError(
          'TOO_MANY_SUBSCRIPTIONS',
          `Too many open subscriptions: ${which}. Close one first.`,
          { http: { status: 429 } },
        );
      }
      open.set(principal, mine + 1);
      openInAll++;
      observer?.subscriptionOpened();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        openInAll--;
        observer?.subscriptionClosed();
        const left = (open.get(principal) ?? 1) - 1;
        if (left > 0) open.set(principal, left);
        else open.delete(principal);
      };
    },

    /** Notes that `account` (a VoIPBIN credential's name) acts as VoIPBIN customer `customerId`. */
    learn,

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
     * owners are remembered, and so are those a publisher names.
     */
    ownerOfCall(call: Call): Promise<string | null> {
      // One lookup per call however many subscriptions ask at once.
      const known = owners.get(call.id);
      if (known) return known;
      const lookup: Promise<string | null> = findOwner(call).then(
        (owner) => {
          // "None" is not kept: a record may come a moment later (createCall then says so).
          if (!owner && owners.get(call.id) === lookup) owners.delete(call.id);
          return owner;
        },
        (error: unknown) => {
          if (owners.get(call.id) === lookup) owners.delete(call.id);
          throw error;
        },
      );
      remember(call.id, lookup);
      return lookup;
    },

    /** What the hub holds: for tests and leak checks. */
    stats() {
      let listeners = everyCall.size;
      for (const set of byCall.values()) listeners += set.size;
      return { listeners, subscriptions: openInAll };
    },

    /** Its bounded caches, as counts: call owners (at most MAX_OWNERS), accounts' customers. */
    caches() {
      let customerIds = 0;
      for (const set of customers.values()) customerIds += set.size;
      return { owners: owners.size, accounts: customers.size, customerIds };
    },

    async close(): Promise<void> {
      closed = true;
      await fanout?.close();
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
