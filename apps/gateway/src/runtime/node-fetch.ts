/**
 * The upstream client's `fetch` on Node: undici's `request` on the gateway's own keep-alive
 * pool, answered as a standard `Response` whose body has already been read.
 *
 * Node's global fetch wraps the same undici in the whole WHATWG machinery (a Request, header
 * guards, web streams for both bodies, signal plumbing); for one small JSON exchange per
 * mutation that costs about 3x the CPU of `request` + `new Response(text)` (docs/PERFORMANCE.md).
 * The Node entry hands this to the core client when calls go to VoIPBIN; Bun, Deno and
 * Workers keep their native fetch, which has no such overhead to shed.
 *
 * Differences from fetch, none of which the core client relies on: redirects are not followed
 * (a 3xx reaches the client as it is: VoIPBIN's API does not redirect), and the answer's body is
 * read in full before the promise resolves (the client reads it in full anyway, under its own
 * deadline, which the `signal` carries here). Inputs this path does not handle (a `Request`
 * object, a stream or form body) go to the global fetch unchanged.
 */
import { Agent, request } from 'undici';

type Fetch = typeof fetch;

export interface NodeFetch extends Fetch {
  /** Closes the pool's idle connections (on shutdown). */
  close(): Promise<void>;
}

/** Statuses whose `Response` must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export function createNodeFetch(options: ConstructorParameters<typeof Agent>[0] = {}): NodeFetch {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, ...options });

  const nodeFetch = async (input: Parameters<Fetch>[0], init: RequestInit = {}) => {
    const body = init.body;
    if (
      input instanceof Request ||
      !(
        body === undefined ||
        body === null ||
        typeof body === 'string' ||
        body instanceof Uint8Array
      )
    ) {
      return fetch(input, init);
    }
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(input instanceof URL ? input : String(input), {
        dispatcher,
        method: (init.method ?? 'GET').toUpperCase() as 'GET',
        headers: Object.fromEntries(
          init.headers instanceof Headers ? init.headers : new Headers(init.headers),
        ),
        body: body ?? null,
        signal: init.signal ?? null,
      });
    } catch (error) {
      // As fetch does: an aborted exchange rejects with the signal's reason, others with a
      // TypeError whose cause is what went wrong (neither names the URL).
      if (init.signal?.aborted) throw init.signal.reason;
      throw new TypeError('fetch failed', { cause: error });
    }
    let text: string;
    try {
      text = await answer.body.text();
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      throw new TypeError('fetch failed: the body could not be read', { cause: error });
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.set(name, value);
    }
    return new Response(NULL_BODY.has(answer.statusCode) ? null : text, {
      status: answer.statusCode,
      headers,
    });
  };

  return Object.assign(nodeFetch as Fetch, { close: () => dispatcher.close() });
}
