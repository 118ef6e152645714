/**
 * How subscriptions reach `/graphql`, and clear answers for the transports it does not serve.
 *
 * - Server-Sent Events, Yoga's own ("distinct connections"): `POST /graphql` with
 *   `Accept: text/event-stream`, as graphql-sse's client (default mode), urql's SSE exchange
 *   and GraphiQL send it. Always on.
 * - graphql-sse's single connection mode (`createClient({ singleConnection: true })`): a
 *   stream reserved with `PUT /graphql`, opened with `GET`, operations sent with `POST`, each
 *   carrying the stream's token in `x-graphql-event-stream-token`. On the Node, Bun and Deno
 *   entries (src/single-connection.ts); elsewhere such a request answers
 *   `SINGLE_CONNECTION_UNSUPPORTED`.
 * - WebSocket: never; an upgrade answers `WEBSOCKET_NOT_SUPPORTED` (400) saying what to use.
 *
 * Web-standard APIs only: runs on Node, Bun, Deno and Workers.
 */
import type { Plugin } from 'graphql-yoga';
import { errorBody, type GatewayErrorCode } from './error-codes.ts';
import { requestIdOf } from './request-ids.ts';
import { type HygieneLimits, STREAM_TOKEN_HEADER } from './security/hygiene.ts';

export { STREAM_TOKEN_HEADER };

/** How to subscribe here, for the answers that refuse another way. */
export const SSE_HOW_TO =
  'subscriptions are served over Server-Sent Events: POST /graphql with content-type: application/json and accept: text/event-stream (GraphQL over SSE, as graphql-sse and urql send it)';

/** A GraphQL-style error answer, outside Yoga's result processing, with `request`'s id. */
export function errorResponse(
  request: Request,
  status: number,
  code: GatewayErrorCode,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(errorBody(code, message, requestIdOf(request)), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** Whether `request` asks to switch to WebSocket (`Upgrade: websocket`, any case, in a list too). */
export function isWebSocketUpgrade(request: Request): boolean {
  const upgrade = request.headers.get('upgrade');
  return Boolean(
    upgrade
      ?.toLowerCase()
      .split(',')
      .some((protocol) => protocol.trim().split('/')[0] === 'websocket'),
  );
}

/**
 * Whether `request` belongs to graphql-sse's single connection mode: a PUT with no body (no
 * Content-Type: reserving a stream; a PUT of a document stays Yoga's 405), or a GET, POST or
 * DELETE carrying a stream token. Every such request is one a browser preflights (PUT and
 * DELETE are not simple methods; the token header is not a simple header), so none can come
 * from another site's form or EventSource. A token sent as `?token=` is not read: that request
 * is simple, and a URL ends up in logs.
 */
export function isSingleConnection(request: Request): boolean {
  if (request.method === 'PUT') return !request.headers.has('content-type');
  return (
    ['GET', 'POST', 'DELETE'].includes(request.method) && request.headers.has(STREAM_TOKEN_HEADER)
  );
}

/** What the gateway lends graphql-sse's single connection mode. */
export interface StreamHost {
  /** The GraphQL endpoint (`/graphql`). */
  endpoint: string;
  /**
   * Who sent `request`, as a key (one caller, one key; the idempotency scope): a stream belongs
   * to whoever reserved it. Throws the gateway's UNAUTHENTICATED error for a bad credential.
   */
  caller(request: Request): Promise<string>;
  /** The gateway's request limits (the body size is checked here too: `earlyChecks`). */
  limits: HygieneLimits | undefined;
  /** Logs an unexpected error (through the gateway's redacting logger). */
  log(error: unknown): void;
}

/** graphql-sse's single connection mode as the gateway plugs it in (src/single-connection.ts). */
export interface SingleConnection {
  /** Serves the mode's requests on `/graphql` (see `isSingleConnection`); goes first. */
  plugin: Plugin;
  /** Drops the reservations and their timers. */
  close(): void;
}

/** Makes the single connection mode for a gateway: the Node, Bun and Deno entries pass one. */
export type SingleConnectionFactory = (host: StreamHost) => SingleConnection;

/**
 * Refuses, on `endpoint`, a WebSocket upgrade (400 `WEBSOCKET_NOT_SUPPORTED`), and the single
 * connection mode's requests when it is not served (501 `SINGLE_CONNECTION_UNSUPPORTED`,
 * saying `notServed`, why; null when it is served), each with a body that says how to
 * subscribe instead. 400, not 426: a 426 must name a protocol to upgrade to, and SSE is plain
 * HTTP.
 */
export function refuseOtherTransports(endpoint: string, notServed: string | null): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== endpoint) return;
      if (isWebSocketUpgrade(request)) {
        endResponse(
          errorResponse(
            request,
            400,
            'WEBSOCKET_NOT_SUPPORTED',
            `GraphQL over WebSocket (graphql-ws, subscriptions-transport-ws) is not served here: ${SSE_HOW_TO}; graphql-sse's single connection mode too, on the Node, Bun and Deno entries.`,
          ),
        );
        return;
      }
      if (notServed !== null && isSingleConnection(request)) {
        endResponse(
          errorResponse(
            request,
            501,
            'SINGLE_CONNECTION_UNSUPPORTED',
            `graphql-sse's single connection mode is not served here (${notServed}): use its distinct connections mode (createClient without singleConnection); ${SSE_HOW_TO}.`,
          ),
        );
      }
    },
  };
}
