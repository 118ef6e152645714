/**
 * graphql-sse's own client in its single connection mode (one stream, reserved by PUT, every
 * operation posted to it) against a gateway over real HTTP: a `callEvents` subscription sees a
 * call placed after it, from DIALING. Every wait is bounded; the client is disposed.
 */
import { createClient } from 'graphql-sse';
import { expect } from 'vitest';
import type { GraphQLResult } from './graphql.ts';
import { PLACE, until } from './live.ts';

export async function expectSingleConnection(base: string, timeoutMs = 10_000): Promise<void> {
  const url = `${base}/graphql`;
  let posted = false;
  const client = createClient({
    singleConnection: true,
    url,
    retryAttempts: 0,
    fetchFn: async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await fetch(input, init);
      // 202: the operation is subscribed (the gateway answers once it listens).
      if (init?.method === 'POST' && response.status === 202) posted = true;
      return response;
    },
  });
  const results: GraphQLResult[] = [];
  let failure: unknown;
  const stop = client.subscribe(
    { query: 'subscription { callEvents { id status } }' },
    {
      next: (result) => {
        results.push(result as GraphQLResult);
      },
      error: (error) => {
        failure = error;
      },
      complete: () => {},
    },
  );
  try {
    await until(() => posted || failure !== undefined, 'the operation posted', timeoutMs);
    expect(failure).toBeUndefined();
    const placed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: PLACE }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const id = ((await placed.json()) as GraphQLResult).data?.createCall.calls[0].id;
    await until(
      () => failure !== undefined || results.some((r) => r.data?.callEvents.id === id),
      'the call on the stream',
      timeoutMs,
    );
    expect(failure).toBeUndefined();
    expect(results.find((r) => r.data?.callEvents.id === id)?.data?.callEvents.status).toBe(
      'DIALING',
    );
  } finally {
    stop();
    client.dispose();
  }
}
