/**
 * GraphQL hygiene: the Yoga options and plugins that keep hostile documents and browsers out,
 * whatever the resolvers do. Spread the result into `createYoga`:
 *
 * ```ts
 * const h = hygiene({ production, corsOrigins, trustedDocuments, limits });
 * createYoga({
 *   schema,
 *   ...h,                                  // cors, batching, maxRequestBodySize, graphiql (false in production)
 *   graphiql: h.graphiql ?? { title: '...' },
 *   plugins: [...h.plugins, ...others],
 * });
 * ```
 *
 * What it does, one plugin (or option) of `./hygiene/` each:
 * - CSRF prevention (`useCsrf`, Yoga's plugin): a request a browser would send without a CORS
 *   preflight (a GET, or a POST with a form or text/plain body) must carry one of
 *   `CSRF_HEADERS` (`x-graphql-yoga-csrf`, `graphql-require-preflight`,
 *   `apollo-require-preflight`, `x-api-key`); a POST with `content-type: application/json`
 *   needs nothing more. Refused with 403 `CSRF_HEADER_REQUIRED`.
 * - CORS (`corsOption`, and `useVaryOrigin`): only the `corsOrigins` allowlist gets
 *   `access-control-allow-origin` (the one origin that asked, never `*` or `null`), without
 *   credentials (the gateway reads headers, not cookies). `[]` sends no CORS header at all:
 *   same-origin only. `'*'` in the list allows any. PUT, DELETE and
 *   `x-graphql-event-stream-token` are allowed for graphql-sse's single connection mode, which
 *   answers before Yoga parses and so takes `earlyChecks` instead of the plugins below
 *   (src/single-connection.ts).
 * - Limits (`useDocumentLimits`, `useTokenLimit`, `useBodyLimit`), each refused with its own
 *   code: depth (graphql-armor, `DEPTH_LIMIT_EXCEEDED`), aliases (`ALIAS_LIMIT_EXCEEDED`),
 *   directives (`DIRECTIVE_LIMIT_EXCEEDED`), cost (`COST_LIMIT_EXCEEDED`), tokens and comments
 *   (graphql's own parser limits, `TOKEN_LIMIT_EXCEEDED`), the request body size (413, on
 *   Content-Length, or counted for a chunked body: ../body-limit.ts) and batching (Yoga,
 *   `batching: { limit }`, 413 over it).
 * - Mutations only over POST: Yoga itself answers a mutation sent with GET 405 (`Allow: POST`).
 * - Requests Yoga would misread or answer blind are refused before anything runs
 *   (`useRequestFormat`): a body with a `Content-Encoding` (Yoga would read gzip bytes as they
 *   are, and a body only claimed to be gzip as plain JSON), 415 `UNSUPPORTED_CONTENT_ENCODING`;
 *   an `Accept` header that allows none of the media types Yoga answers in (Yoga would run the
 *   operation, a mutation too, and then answer an empty 406), 406 `NOT_ACCEPTABLE` with a JSON
 *   body that says so.
 * - Production (`useProduction`): no GraphiQL, no introspection (`__schema`, `__type`), and no
 *   "Did you mean" suggestions that would leak the schema field by field.
 * - Trusted documents (`useTrustedDocuments`, optional): only the registered documents run,
 *   asked for by hash (`extensions.persistedQuery.sha256Hash`, as Apollo's persisted queries
 *   send it, or a `documentId` in the body or the URL); any other document is refused.
 *
 * Web-standard APIs only: runs on Node, Bun, Deno and Workers.
 */
import type { FetchAPI, Plugin } from 'graphql-yoga';
import { limitBody, useBodyLimit } from './body-limit.ts';
import { type CorsOption, corsOption } from './hygiene/cors.ts';
import { type HygieneLimits, limitsOf } from './hygiene/limits.ts';
import { useCsrf } from './hygiene/use-csrf.ts';
import { useDocumentLimits } from './hygiene/use-document-limits.ts';
import { useProduction } from './hygiene/use-production.ts';
import { refuseContentEncoding, useRequestFormat } from './hygiene/use-request-format.ts';
import { useTokenLimit } from './hygiene/use-token-limit.ts';
import { useTrustedDocuments } from './hygiene/use-trusted-documents.ts';
import { useVaryOrigin } from './hygiene/use-vary-origin.ts';

export { STREAM_TOKEN_HEADER } from './hygiene/cors.ts';
export { DEFAULT_LIMITS, type HygieneLimits } from './hygiene/limits.ts';
export { CSRF_HEADERS } from './hygiene/use-csrf.ts';

export interface HygieneConfig {
  /** Turns GraphiQL, introspection and field suggestions off. */
  production: boolean;
  /** Origins allowed to call from a browser (`https://app.example.com`); `[]` = same-origin only; `'*'` = any. */
  corsOrigins: string[];
  /** Trusted documents mode: only these run (hash or id -> document). */
  trustedDocuments?: Record<string, string> | null;
  limits?: HygieneLimits;
}

// biome-ignore lint/suspicious/noExplicitAny: plugins for a Yoga of any context
type AnyPlugin = Plugin<any>;

/** What `hygiene()` answers: options of `createYoga`, to spread into it. */
export interface HygieneOptions {
  /** The protections as Yoga plugins; put them before the gateway's own. */
  plugins: AnyPlugin[];
  /** Yoga's `cors`: a per-request answer from the allowlist, or `false` (no CORS headers). */
  cors: CorsOption;
  /** `false` in production; absent otherwise, so the gateway's GraphiQL options apply. */
  graphiql?: false;
  /** Yoga's batching: `{ limit }`, or `false` when batching is off. */
  batching: { limit: number } | false;
  /** Off: `useBodyLimit` (among the plugins) enforces `limits.bodyBytes` more cheaply. */
  maxRequestBodySize: false;
}

/**
 * The checks of `hygiene`'s plugins that a handler answering in Yoga's `onRequest` skips
 * (graphql-sse's single connection mode): no Content-Encoding (415), the body limit (413).
 * Answers the request to read, its body counted when it declares no length. The rest holds
 * there too: parsing, validation (limits, production's rules) and the context run through
 * Yoga's envelop; CSRF is the caller's to rule out (see `isSingleConnection`).
 */
export function earlyChecks(given?: HygieneLimits) {
  const limits = limitsOf(given);
  return (request: Request, fetchAPI: FetchAPI): Request => {
    refuseContentEncoding(request);
    return limitBody(request, limits.bodyBytes, fetchAPI);
  };
}

/**
 * The gateway's GraphQL hygiene as `createYoga` options (see the module's comment), one plugin
 * of `./hygiene/` each. Throws at once on a malformed CORS origin or a trusted document that
 * does not parse.
 */
export function hygiene(config: HygieneConfig): HygieneOptions {
  const limits = limitsOf(config.limits);
  const cors = corsOption(config.corsOrigins);
  const plugins: AnyPlugin[] = [
    // The body limit, checked on Content-Length where there is one (see body-limit.ts).
    useBodyLimit(limits.bodyBytes),
    useCsrf(),
    useRequestFormat(),
    ...(cors === false ? [] : [useVaryOrigin()]),
    ...(config.trustedDocuments ? [useTrustedDocuments(config.trustedDocuments)] : []),
    useTokenLimit(limits.tokens),
    useDocumentLimits(limits),
    ...(config.production ? [useProduction()] : []),
  ];
  return {
    plugins,
    cors,
    ...(config.production ? { graphiql: false as const } : {}),
    batching: limits.batch > 1 ? { limit: limits.batch } : false,
    // Yoga's own limit streams every body through a TransformStream: useBodyLimit replaces it.
    maxRequestBodySize: false,
  };
}
