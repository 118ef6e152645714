import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createSSEClient } from 'graphql-sse';
import { type ConnectionState, createConnectionState } from './connection.ts';

/** Reconnection: 0.5 s, doubling to at most 8 s, with up to 25 % jitter; ~3 minutes in all. */
export const RETRY_ATTEMPTS = 25;
export function retryDelayMs(retries: number, random = Math.random()): number {
  const base = Math.min(8_000, 500 * 2 ** retries);
  return Math.round(base * (1 + 0.25 * random));
}

export interface GatewayClient {
  client: Client;
  /** Whether the live streams are connected, or reconnecting after a drop. */
  connection: ConnectionState;
}

/**
 * The page's GraphQL client: queries and mutations over `fetch` (POST, `application/json`, as the
 * gateway's CSRF rule wants), subscriptions over Server-Sent Events with graphql-sse in Yoga's
 * "distinct connections" mode (one `POST /graphql` with `Accept: text/event-stream` each).
 *
 * A dropped stream reconnects with backoff and subscribes again; `callUpdated` answers the
 * call's current state first, so the page catches up. Only subscriptions are retried: a
 * mutation (createCall above all) is never sent twice by the client.
 */
export function createGatewayClient(url = '/graphql'): GatewayClient {
  const connection = createConnectionState();
  const sse = createSSEClient({
    url: url.startsWith('/') ? new URL(url, window.location.href).href : url,
    singleConnection: false,
    retryAttempts: RETRY_ATTEMPTS,
    retry: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries))),
  });
  let streams = 0;
  const client = new Client({
    url,
    // Never GET: a GET needs the CSRF header, and nothing here needs to be cached by a CDN.
    preferGetMethod: false,
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const id = ++streams;
              const up = () => connection.mark(id, false);
              const unsubscribe = sse.subscribe(
                input,
                {
                  next: (value) => sink.next(value as Parameters<typeof sink.next>[0]),
                  error: (error) => {
                    up();
                    sink.error(error);
                  },
                  complete: () => {
                    up();
                    sink.complete();
                  },
                },
                {
                  connecting: (reconnecting) => {
                    if (reconnecting) connection.mark(id, true);
                  },
                  connected: up,
                },
              );
              return {
                unsubscribe() {
                  up();
                  unsubscribe();
                },
              };
            },
          };
        },
      }),
    ],
  });
  return { client, connection };
}
