/**
 * A GraphQL subscription over Server-Sent Events, read the way a browser's EventSource would:
 * `event: next` frames with a JSON result each, `event: complete` at the end, `:` comments as
 * heartbeats. Every wait is bounded.
 */
import type { GraphQLResult } from './graphql.ts';

export interface SseSubscription {
  /** The results received so far, in order. */
  results: GraphQLResult[];
  /** Heartbeat comments received so far (Yoga sends one at once, then every 12 s, 300 ms in tests). */
  pings(): number;
  /** Resolves with the next result (bounded). */
  next(timeoutMs?: number): Promise<GraphQLResult>;
  /** Resolves once the server sent `complete` (or ended the stream); all results are in. */
  completed(timeoutMs?: number): Promise<GraphQLResult[]>;
  /** Closes the stream from the client's side. */
  close(): void;
  /** The HTTP status of the answer. */
  status: number;
}

export type Fetch = (request: Request) => Response | Promise<Response>;

export async function subscribe(
  fetch: Fetch,
  query: string,
  {
    variables,
    headers,
    url = 'http://gateway.test/graphql',
  }: { variables?: Record<string, unknown>; headers?: Record<string, string>; url?: string } = {},
): Promise<SseSubscription> {
  const abort = new AbortController();
  const response = await fetch(
    new Request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    }),
  );
  const results: GraphQLResult[] = [];
  let pings = 0;
  let ended = false;
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of waiters) wake();
  };

  let reader: ReadableStreamDefaultReader<string> | undefined;
  const read = async () => {
    if (!response.body) return;
    reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = frame.split('\n');
          if (lines.every((line) => line.startsWith(':'))) pings++;
          const event = lines
            .find((line) => line.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          if (event === 'next') results.push(JSON.parse(data) as GraphQLResult);
          if (event === 'complete') ended = true;
          wakeAll();
        }
      }
    } catch {
      // Closed by the client, or the connection dropped: what came is in `results`.
    } finally {
      ended = true;
      wakeAll();
    }
  };
  // A JSON answer (an error before any stream): read it as the one result.
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    results.push((await response.json()) as GraphQLResult);
    ended = true;
  } else void read();

  const until = (ready: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (ready()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(results)}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (!ready()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });

  let taken = 0;
  return {
    results,
    status: response.status,
    pings: () => pings,
    async next(timeoutMs = 5_000) {
      await until(() => results.length > taken || ended, timeoutMs, 'the next result');
      const result = results[taken];
      if (!result) throw new Error(`the stream ended after ${taken} results`);
      taken++;
      return result;
    },
    async completed(timeoutMs = 5_000) {
      await until(() => ended, timeoutMs, 'the stream to complete');
      return results;
    },
    close: () => {
      // Cancelling the body is what a browser does when a tab closes the stream.
      void reader?.cancel().catch(() => {});
      abort.abort();
    },
  };
}
