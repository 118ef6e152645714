/**
 * The request body limit, for every runtime, at a fraction of the cost of Yoga's own.
 *
 * Yoga's `maxRequestBodySize` pipes every body through a TransformStream and rebuilds the
 * Request around it: on Node that alone costs more CPU than parsing and validating the query.
 * But a request that declares its length cannot bring more than that: Node, Bun, Deno and
 * workerd all frame an HTTP/1.1 body by its Content-Length (a request that also says
 * `Transfer-Encoding` is refused: workerd would read it as chunked). So a declared length is
 * checked on the header alone, and only a body without one (chunked) is counted as it streams
 * and cut off past the limit, as Yoga does.
 *
 * Use with `maxRequestBodySize: false` in `createYoga` and this plugin among the plugins.
 */
import type { FetchAPI, Plugin } from 'graphql-yoga';
import { gatewayError } from '../error-codes.ts';

const DECIMAL = /^\d+$/;

/**
 * 413, and the connection closed after it: the rest of an unread body is not read to keep the
 * connection (Node's server would read and discard it, however long it is, for the next
 * request). The Node entry still reads and drops it for a bounded while before closing, so that
 * a client still sending reads this answer rather than a reset (src/runtime/lingering-close.ts).
 */
function tooLarge() {
  return gatewayError('REQUEST_ENTITY_TOO_LARGE', 'Request body too large', {
    http: { status: 413, headers: { connection: 'close' } },
  });
}

/** A copy of `request` whose body errors once more than `limit` bytes have streamed through. */
function counted(request: Request, limit: number, fetchAPI: FetchAPI): Request {
  let bytes = 0;
  // The runtime's own TransformStream for its own streams, the ponyfill's for the ponyfill's
  // (on Node, Yoga's Request is @whatwg-node's), as Yoga does.
  const Transform =
    request.body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
  const body = (request.body as ReadableStream<Uint8Array>).pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body,
    // @ts-expect-error: a streamed request body needs `duplex` (missing from the DOM types).
    duplex: 'half',
  });
}

/**
 * Refuses a request whose declared length is over `limit` (413) or malformed (400); answers
 * whether it declared one.
 */
function checkDeclared(request: Request, limit: number): boolean {
  const declared = request.headers.get('content-length');
  // Both headers: workerd reads such a body as chunked, whatever length it declares (Node,
  // Bun and Deno refuse the request). Refused here too: it smells of request smuggling.
  if (declared !== null && request.headers.has('transfer-encoding')) {
    throw gatewayError(
      'BAD_REQUEST',
      'Content-Length and Transfer-Encoding together are refused.',
      {
        http: { status: 400 },
      },
    );
  }
  if (declared === null) return false;
  // One non-negative integer; anything else (a list, a sign) smells of request smuggling.
  if (!DECIMAL.test(declared)) {
    throw gatewayError('BAD_REQUEST', 'Content-Length header is invalid.', {
      http: { status: 400 },
    });
  }
  if (Number(declared) > limit) throw tooLarge();
  return true;
}

/**
 * The body limit for a handler that reads `request` itself, outside Yoga's request parsing
 * (graphql-sse's single connection mode): throws as `useBodyLimit` does on a declared length,
 * and answers the request to read, its body counted when it declared none.
 */
export function limitBody(request: Request, limit: number, fetchAPI: FetchAPI): Request {
  if (checkDeclared(request, limit) || request.body === null) return request;
  return counted(request, limit, fetchAPI);
}

// biome-ignore lint/suspicious/noExplicitAny: a plugin for a Yoga of any context
export function useBodyLimit(limit: number): Plugin<any> {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (checkDeclared(request, limit)) return;
      if (requestParser === undefined || request.body === null) return;
      setRequestParser((req) => requestParser(counted(req, limit, fetchAPI)));
    },
  };
}
