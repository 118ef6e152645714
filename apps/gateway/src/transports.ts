/**
 * How subscriptions reach `/graphql`, and clear answers for the transports it does not serve.
 *
 * - Server-Sent Events, Yoga's own ("distinct connections"): `POST /graphql` with
 *   `Accept: text/event-stream`, as graphql-sse's client (default mode), urql's SSE exchange
 *   and GraphiQL send it. Always on.
 * - WebSocket: never; an upgrade answers `WEBSOCKET_NOT_SUPPORTED` (400) saying what to use.
 *
 * Web-standard APIs only: runs on Node, Bun, Deno and Workers.
 */
import type { Plugin } from 'graphql-yoga';

/** How to subscribe here, for the answers that refuse another way. */
export const SSE_HOW_TO =
  'subscriptions are served over Server-Sent Events: POST /graphql with content-type: application/json and accept: text/event-stream (GraphQL over SSE, as graphql-sse and urql send it)';

/** A GraphQL-style error answer, outside Yoga's result processing. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
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
 * Refuses, on `endpoint`, a WebSocket upgrade (400 `WEBSOCKET_NOT_SUPPORTED`), with a body that
 * says how to subscribe instead. 400, not 426: a 426 must name a protocol to upgrade to, and SSE
 * is plain HTTP.
 */
export function refuseOtherTransports(endpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== endpoint) return;
      if (isWebSocketUpgrade(request)) {
        endResponse(
          errorResponse(
            400,
            'WEBSOCKET_NOT_SUPPORTED',
            `GraphQL over WebSocket (graphql-ws, subscriptions-transport-ws) is not served here: ${SSE_HOW_TO}.`,
          ),
        );
      }
    },
  };
}
