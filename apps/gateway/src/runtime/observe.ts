/**
 * What measures the gateway from outside its shared code (the Node and Bun entries only): the
 * upstream fetch, the store and Yoga's results, each wrapped to tell a `GatewayObserver`. Not in
 * src/observer.ts, so that a Worker's bundle, which has no observer, carries none of it.
 */
import { CALL_CONTROLS } from '@voipbin-kit/core';
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayObserver, StoreOperation } from '../observer.ts';
import type { Store } from '../security/store.ts';

/** The hooks an observer is made of, without what wraps. */
export type ObserverHooks = Omit<
  GatewayObserver,
  'plugins' | 'wrapFetch' | 'wrapStore' | 'publishing'
>;

/** Path segments kept as they are below the base URL: resources and call-control verbs. */
const KNOWN_SEGMENTS = new Set([
  'calls',
  'groupcalls',
  'flows',
  ...Object.values(CALL_CONTROLS).map((verb) => verb.path),
]);

/**
 * The path template of an upstream URL: the base URL's path, then each segment kept when it
 * names a resource or a verb, `{id}` otherwise (`/v1.0/calls/{id}/hold`); no query string.
 * A URL outside the base URL is `{other}`.
 */
export function pathTemplate(url: string, basePath: string): string {
  const pathname = pathnameOf(url);
  if (!pathname.startsWith(basePath)) return '{other}';
  const rest = pathname
    .slice(basePath.length)
    .split('/')
    .filter(Boolean)
    .map((segment) => (KNOWN_SEGMENTS.has(segment) ? segment : '{id}'));
  return `${basePath}/${rest.join('/')}`;
}

/**
 * The path of an absolute URL, without its query or fragment: what `new URL(url).pathname` says
 * of the URLs ofetch builds, by string search (every traced or measured upstream request asks
 * it, and parsing the whole URL cost more than the rest of the span's attributes).
 */
function pathnameOf(url: string): string {
  const scheme = url.indexOf('://');
  const start = url.indexOf('/', scheme < 0 ? 0 : scheme + 3);
  const mark = url.search(QUERY_OR_FRAGMENT);
  const end = mark < 0 ? url.length : mark;
  return start < 0 || start >= end ? '/' : url.slice(start, end);
}

/** Where a URL's path ends: its first `?` or `#`. */
const QUERY_OR_FRAGMENT = /[?#]/;

/** What a `fetch` call asks for: its `Request` (when it was given one), URL and method. */
export function exchangeOf(input: RequestInfo | URL, init?: RequestInit) {
  const request = input instanceof Request ? input : undefined;
  const url = request ? request.url : String(input);
  return { request, url, method: (init?.method ?? request?.method ?? 'GET').toUpperCase() };
}

/** `fetch`, each exchange told to `observer` by method, path template and status. */
export function observedFetch(
  fetch: typeof globalThis.fetch,
  baseURL: string,
  observer: ObserverHooks,
): typeof globalThis.fetch {
  const basePath = new URL(baseURL).pathname.replace(/\/+$/, '');
  return async (input, init) => {
    const { url, method } = exchangeOf(input, init);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const response = await fetch(input, init);
      observer.upstream(method, pathTemplate(url, basePath), response.status, seconds());
      return response;
    } catch (error) {
      observer.upstream(method, pathTemplate(url, basePath), 'error', seconds());
      throw error;
    }
  };
}

const STORE_OPERATIONS: readonly StoreOperation[] = [
  'take',
  'setIfAbsent',
  'get',
  'set',
  'delete',
  'indexAdd',
  'indexPage',
];

type Operation = (...args: unknown[]) => Promise<unknown>;

/**
 * `store` with each of its operations made by `wrap` from the original (bound); `close` and
 * `stats` as they are. What the metrics and the traces wrap a store with.
 */
export function wrapStoreOperations(
  store: Store,
  wrap: (operation: StoreOperation, run: Operation) => Operation,
): Store {
  const wrapped: Record<string, unknown> = {};
  for (const operation of STORE_OPERATIONS) {
    wrapped[operation] = wrap(operation, (store[operation] as Operation).bind(store));
  }
  // Bound: a store may be a class instance whose methods are on its prototype.
  if (store.close) wrapped.close = store.close.bind(store);
  if (store.stats) wrapped.stats = store.stats.bind(store);
  return wrapped as unknown as Store;
}

/** `store`, each failed operation told to `observer` (and still thrown). */
export function observedStore(store: Store, observer: ObserverHooks): Store {
  return wrapStoreOperations(store, (operation, run) => async (...args) => {
    try {
      return await run(...args);
    } catch (error) {
      observer.storeError(operation);
      throw error;
    }
  });
}

/** Tells each error of `result` to `observer`, by code. */
function countErrors(result: ExecutionResult, observer: ObserverHooks): void {
  for (const error of result.errors ?? []) {
    const code = error.extensions?.code;
    observer.refused(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
  }
}

/**
 * The Yoga plugin that tells `observer` the errors answered (each result's, and each
 * subscription frame's) and the frames delivered, one per subscriber.
 */
export function observeResults(observer: ObserverHooks): Plugin {
  return {
    onSubscribe: () => ({
      onSubscribeResult: ({ result }) => {
        if (!isAsyncIterable(result)) return undefined;
        return {
          onNext: ({ result: next }) => {
            observer.framesDelivered(1);
            countErrors(next, observer);
          },
        };
      },
    }),
    onResultProcess({ result }) {
      if (isAsyncIterable(result)) return;
      for (const one of Array.isArray(result) ? result : [result]) countErrors(one, observer);
    },
  };
}

/** `hooks` as a whole observer: the upstream fetch, the store and the results told to them. */
export function observer(hooks: ObserverHooks, plugins: Plugin[] = []): GatewayObserver {
  return {
    ...hooks,
    plugins: [observeResults(hooks), ...plugins],
    wrapFetch: (fetch, baseURL) => observedFetch(fetch, baseURL, hooks),
    wrapStore: (store) => observedStore(store, hooks),
  };
}

/**
 * Several observers as one (metrics and traces): each hook told to each, in order; plugins
 * concatenated; the fetch and the store wrapped by each in turn (the first innermost).
 */
export function combineObservers(...observers: GatewayObserver[]): GatewayObserver | undefined {
  if (observers.length <= 1) return observers[0];
  const each =
    <K extends keyof ObserverHooks>(hook: K) =>
    (...args: Parameters<ObserverHooks[K]>) => {
      for (const one of observers) (one[hook] as (...a: typeof args) => void)(...args);
    };
  const publishing = observers.filter((one) => one.publishing);
  return {
    placed: each('placed'),
    refused: each('refused'),
    rateLimited: each('rateLimited'),
    idempotencyReplayed: each('idempotencyReplayed'),
    upstream: each('upstream'),
    subscriptionOpened: each('subscriptionOpened'),
    subscriptionClosed: each('subscriptionClosed'),
    framesDelivered: each('framesDelivered'),
    eventReceived: each('eventReceived'),
    storeError: each('storeError'),
    plugins: observers.flatMap((one) => one.plugins ?? []),
    wrapFetch: (fetch, baseURL) =>
      observers.reduce((wrapped, one) => one.wrapFetch?.(wrapped, baseURL) ?? wrapped, fetch),
    wrapStore: (store, where) =>
      observers.reduce((wrapped, one) => one.wrapStore?.(wrapped, where) ?? wrapped, store),
    ...(publishing.length
      ? {
          publishing: (origin, call) => {
            const ends = publishing.map((one) => one.publishing?.(origin, call));
            return (error) => {
              for (const end of ends) end?.(error);
            };
          },
        }
      : {}),
  };
}
