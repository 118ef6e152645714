import type { YogaServerOptions } from 'graphql-yoga';
import { CSRF_HEADERS } from './use-csrf.ts';

/** graphql-sse's header for a single connection stream's token (its `TOKEN_HEADER_KEY`). */
export const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';

/** Headers a browser may send cross-origin (answered to preflights). */
const CORS_ALLOWED_HEADERS = [
  'content-type',
  'accept',
  'authorization',
  // A caller's own VoIPBIN token in pass-through mode (security/index.ts).
  'x-voipbin-token',
  // graphql-sse's single connection mode: its stream's token (src/single-connection.ts).
  STREAM_TOKEN_HEADER,
  // The caller's own request id (src/request-ids.ts).
  'x-request-id',
  ...CSRF_HEADERS,
];

/** Yoga's `cors` option. */
export type CorsOption = NonNullable<
  YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors']
>;

function checkOrigin(origin: string): string {
  if (origin === '*') return origin;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {}
  if (
    !url ||
    !/^https?:$/.test(url.protocol) ||
    url.pathname !== '/' ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new Error(
      `CORS origin "${origin}" is not an origin such as https://app.example.com (scheme, host and port only)`,
    );
  }
  return url.origin;
}

/**
 * Yoga's `cors` for an allowlist: only a listed origin gets `access-control-allow-origin` (the
 * one that asked, never `*` or `null`), without credentials; `[]` is `false` (no CORS header:
 * same-origin only); `'*'` in the list allows any. Throws on an entry that is not an origin.
 */
export function corsOption(origins: string[]): CorsOption {
  const allowed = new Set(origins.map(checkOrigin));
  if (allowed.size === 0) return false;
  const any = allowed.has('*');
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !(any || allowed.has(origin))) return false;
    return {
      // Only the origin that asked, echoed: never `*`, never the whole list.
      origin: [origin],
      // PUT and DELETE: graphql-sse's single connection mode reserves and ends streams with them.
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      // A page on another origin may read the answer's request id.
      exposedHeaders: ['x-request-id'],
      credentials: false,
      maxAge: 600,
    };
  };
}
