import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createSSEClient } from 'graphql-sse';

/**
 * The page's GraphQL client: queries and mutations over `fetch` (POST, `application/json`, as the
 * gateway's CSRF rule wants), subscriptions over Server-Sent Events with graphql-sse in Yoga's
 * "distinct connections" mode (one `POST /graphql` with `Accept: text/event-stream` each).
 */
export function createGatewayClient(url = '/graphql'): Client {
  const sse = createSSEClient({
    url: url.startsWith('/') ? new URL(url, window.location.href).href : url,
    singleConnection: false,
    // A dropped stream is not retried behind the page's back: the timeline says it ended.
    retryAttempts: 0,
  });
  return new Client({
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
              const unsubscribe = sse.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}
