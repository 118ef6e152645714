/**
 * What the gateway tells whoever measures it (the Node and Bun entries' Prometheus metrics,
 * src/runtime/metrics.ts), as plain calls with bounded arguments: codes, path templates,
 * statuses, source kinds, store operations. Never an id, a number, a credential or a query
 * string. Types only: what wraps the upstream fetch, the store and the results
 * comes with the observer (src/runtime/observe.ts), so a Worker's bundle carries none of it.
 */
import type { Call, CreateCallResult } from '@voipbin-kit/core';
import type { Plugin } from 'graphql-yoga';
import type { Store } from './security/store.ts';

/** Where a call state came from: an event source of the gateway's, by its kind. */
export type EventOrigin = 'websocket' | 'webhook' | 'poll';

/** A store operation, by its name in the `Store` contract. */
export type StoreOperation = Exclude<keyof Store, 'close' | 'stats'>;

export interface GatewayObserver {
  /** What one createCall placed upstream (a replay places nothing). */
  placed(result: CreateCallResult): void;
  /** One error answered, by its `extensions.code` (`INTERNAL_SERVER_ERROR` when it has none). */
  refused(code: string): void;
  /** A createCall refused by the rate limit. */
  rateLimited(): void;
  /** A createCall answered from its idempotency key's first answer. */
  idempotencyReplayed(): void;
  /** One upstream exchange: `status` is the HTTP status, or `error` when none came back. */
  upstream(method: string, pathTemplate: string, status: number | 'error', seconds: number): void;
  subscriptionOpened(): void;
  subscriptionClosed(): void;
  /** `count` subscription frames sent to subscribers. */
  framesDelivered(count: number): void;
  /** One call state received from an event source. */
  eventReceived(source: EventOrigin): void;
  /** A store operation that failed (thrown or rejected). */
  storeError(operation: StoreOperation): void;
  /**
   * A call state being published to the hub from `origin` (after `eventReceived`): the
   * function returned is called once it is, with the error when publishing failed.
   */
  publishing?(origin: EventOrigin, call: Call): (error?: unknown) => void;
  /** Yoga plugins of the observer's own: the errors answered, frames, per-operation metrics. */
  plugins?: Plugin[];
  /** The upstream `fetch` (under `baseURL`) as the observer sees it, each exchange told. */
  wrapFetch?(fetch: typeof globalThis.fetch, baseURL: string): typeof globalThis.fetch;
  /**
   * The store as the observer sees it, each failed operation told; `shared` when it is the
   * deployment's (Redis, Deno KV, Durable Objects), not the process's own memory.
   */
  wrapStore?(store: Store, where: { shared: boolean }): Store;
}
