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
 * What it does:
 * - CSRF prevention (Yoga's plugin): a request a browser would send without a CORS preflight
 *   (a GET, or a POST with a form or text/plain body) must carry one of `CSRF_HEADERS`
 *   (`x-graphql-yoga-csrf`, `graphql-require-preflight`, `apollo-require-preflight`,
 *   `x-api-key`); a POST with `content-type: application/json` needs nothing more.
 *   Refused with 403 `CSRF_HEADER_REQUIRED`.
 * - CORS: only the `corsOrigins` allowlist gets `access-control-allow-origin` (the one origin
 *   that asked, never `*` or `null`), without credentials (the gateway reads headers, not
 *   cookies). `[]` sends no CORS header at all: same-origin only. `'*'` in the list allows any.
 *   PUT, DELETE and `x-graphql-event-stream-token` are allowed for graphql-sse's single
 *   connection mode, which answers before Yoga parses and so takes `earlyChecks` instead of
 *   the plugins below (src/single-connection.ts).
 * - Limits, each refused as a validation error with its own code: depth (graphql-armor,
 *   `DEPTH_LIMIT_EXCEEDED`), aliases (`ALIAS_LIMIT_EXCEEDED`), directives
 *   (`DIRECTIVE_LIMIT_EXCEEDED`), cost (`COST_LIMIT_EXCEEDED`), and tokens and comments
 *   (graphql's own parser limits, `TOKEN_LIMIT_EXCEEDED`), the request body size (413, on
 *   Content-Length, or counted for a chunked body: `useBodyLimit`)
 *   and batching (Yoga, `batching: { limit }`, 413 over it).
 * - Mutations only over POST: Yoga itself answers a mutation sent with GET 405 (`Allow: POST`).
 * - Requests Yoga would misread or answer blind are refused before anything runs: a body with a
 *   `Content-Encoding` (Yoga would read gzip bytes as they are, and a body only claimed to be
 *   gzip as plain JSON), 415 `UNSUPPORTED_CONTENT_ENCODING`; an `Accept` header that allows none
 *   of the media types Yoga answers in (Yoga would run the operation, a mutation too, and then
 *   answer an empty 406), 406 `NOT_ACCEPTABLE` with a JSON body that says so.
 * - Production: no GraphiQL, no introspection (`__schema`, `__type`), and no "Did you mean"
 *   suggestions that would leak the schema field by field.
 * - Trusted documents (optional): only the registered documents run, asked for by hash
 *   (`extensions.persistedQuery.sha256Hash`, as Apollo's persisted queries send it, or a
 *   `documentId` in the body or the URL); any other document is refused.
 *
 * Web-standard APIs only: runs on Node, Bun, Deno and Workers.
 */
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import {
  type DocumentNode,
  GraphQLError,
  type ParseOptions,
  parse,
  type Source,
  type ValidationContext,
} from 'graphql';
import type { FetchAPI, Plugin, YogaServerOptions } from 'graphql-yoga';
import { errorBody, type GatewayErrorCode, gatewayError } from '../error-codes.ts';
import { limitBody, useBodyLimit } from './body-limit.ts';

export interface HygieneLimits {
  /** Deepest field nesting (introspection's `__schema` excluded). Default 10. */
  depth?: number;
  /** Aliases per operation (`__typename` excluded). Default 15. */
  aliases?: number;
  /** Lexical tokens per document (and comments, the same number). Default 1000. */
  tokens?: number;
  /** Directives per operation. Default 10. */
  directives?: number;
  /** graphql-armor's cost (objects 2, scalars 1, x1.5 a level, x`first:`). Default 10,000. */
  cost?: number;
  /** Operations per batched request; 1 turns batching off. Default 5. */
  batch?: number;
  /** Request body size in bytes. Default 1 MiB. */
  bodyBytes?: number;
}

export interface HygieneConfig {
  /** Turns GraphiQL, introspection and field suggestions off. */
  production: boolean;
  /** Origins allowed to call from a browser (`https://app.example.com`); `[]` = same-origin only; `'*'` = any. */
  corsOrigins: string[];
  /** Trusted documents mode: only these run (hash or id -> document). */
  trustedDocuments?: Record<string, string> | null;
  limits?: HygieneLimits;
}

type YogaOptions = YogaServerOptions<Record<string, unknown>, Record<string, unknown>>;
// biome-ignore lint/suspicious/noExplicitAny: plugins for a Yoga of any context
type AnyPlugin = Plugin<any>;

/** What `hygiene()` answers: options of `createYoga`, to spread into it. */
export interface HygieneOptions {
  /** The protections as Yoga plugins; put them before the gateway's own. */
  plugins: AnyPlugin[];
  /** Yoga's `cors`: a per-request answer from the allowlist, or `false` (no CORS headers). */
  cors: NonNullable<YogaOptions['cors']>;
  /** `false` in production; absent otherwise, so the gateway's GraphiQL options apply. */
  graphiql?: false;
  /** Yoga's batching: `{ limit }`, or `false` when batching is off. */
  batching: { limit: number } | false;
  /** Off: `useBodyLimit` (among the plugins) enforces `limits.bodyBytes` more cheaply. */
  maxRequestBodySize: false;
}

/** The defaults, sized for this schema (see the tests for what they admit and refuse). */
export const DEFAULT_LIMITS: Required<HygieneLimits> = {
  depth: 10,
  aliases: 15,
  tokens: 1000,
  directives: 10,
  cost: 10_000,
  batch: 5,
  bodyBytes: 1024 * 1024,
};

/** Any one of these headers shows that a browser request went through a CORS preflight. */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'graphql-require-preflight',
  'apollo-require-preflight',
  'x-api-key',
];

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
  ...CSRF_HEADERS,
];

/** An error with a code, for a refusal outside validation. */
const refusal = (message: string, code: GatewayErrorCode, status: number) =>
  gatewayError(code, message, { http: { status } });

/** graphql-armor's callback: its message without the misleading "Syntax Error: ", with a code. */
function reportAs(code: GatewayErrorCode) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const clear = gatewayError(code, error.message.replace(/^Syntax Error: /, ''));
    if (!context) throw clear;
    context.reportError(clear);
  };
}

/** graphql's parser, with its token and comment limits, and a clear error past them. */
function limitedParse(tokens: number) {
  return (source: string | Source, options?: ParseOptions): DocumentNode => {
    try {
      return parse(source, { ...options, maxLexicalTokens: tokens, maxComments: tokens });
    } catch (error) {
      if (
        error instanceof GraphQLError &&
        /more th(?:an|at) \d+ (?:tokens|comments)/.test(error.message)
      ) {
        const what = error.message.includes('comments') ? 'comments' : 'tokens';
        throw refusal(
          `The document has more than ${tokens} ${what} (the limit); send large inputs as variables.`,
          'TOKEN_LIMIT_EXCEEDED',
          400,
        );
      }
      throw error;
    }
  };
}

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

function corsOption(origins: string[]): HygieneOptions['cors'] {
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
      credentials: false,
      maxAge: 600,
    };
  };
}

/** Ids of a trusted document: `extensions.persistedQuery.sha256Hash` (version 1) or `documentId`. */
function extractDocumentId(params: Record<string, unknown>, request: Request): string | null {
  const persisted = (
    params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } }
  )?.persistedQuery;
  if (persisted?.version === 1 && typeof persisted.sha256Hash === 'string')
    return persisted.sha256Hash;
  if (typeof params.documentId === 'string') return params.documentId;
  if (request.method === 'GET') return new URL(request.url).searchParams.get('documentId');
  return null;
}

function trustedDocumentsPlugin(documents: Record<string, string>): AnyPlugin {
  // Parsed once, here: a registered document that does not parse is a configuration error.
  const parsed = new Map<string, DocumentNode>();
  for (const [id, document] of Object.entries(documents)) {
    try {
      parsed.set(id, parse(document));
    } catch (error) {
      throw new Error(`Trusted document ${id} does not parse: ${(error as Error).message}`);
    }
  }
  return usePersistedOperations({
    allowArbitraryOperations: false,
    extractPersistedOperationId: (params, request) =>
      extractDocumentId(params as unknown as Record<string, unknown>, request),
    // A Map lookup: `__proto__` or `constructor` is no document.
    getPersistedOperation: (id) => parsed.get(id) ?? null,
    customErrors: {
      persistedQueryOnly: {
        message:
          'This gateway only runs trusted documents: send the hash of a registered document as extensions.persistedQuery.sha256Hash (or documentId), not a query.',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
      },
      keyNotFound: {
        message:
          'This gateway only runs trusted documents: send the hash of a registered document as extensions.persistedQuery.sha256Hash (or documentId).',
        extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } },
      },
      notFound: {
        message: 'No trusted document is registered under this hash.',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
      },
    },
  });
}

/** Yoga's CSRF prevention, refusing with a message that says what to send. */
function csrfPlugin(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  return {
    onRequestParse(payload) {
      try {
        return csrf.onRequestParse?.(payload);
      } catch {
        throw refusal(
          `This request could come from any web page (cross-site request forgery): send it as a POST with content-type: application/json, or add one of these headers: ${CSRF_HEADERS.join(', ')}.`,
          'CSRF_HEADER_REQUIRED',
          403,
        );
      }
    },
  };
}

/** The media types Yoga answers a GraphQL request in (its result processors), UTF-8 only. */
const ANSWERED_MEDIA_TYPES = [
  'application/graphql-response+json',
  'application/json',
  'text/event-stream',
  'multipart/mixed',
];

/** Whether Yoga finds a result processor for `accept`, matching as Yoga does (wildcards, charset). */
function acceptable(accept: string | null): boolean {
  return (accept || '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .some((entry) => {
      const [type = '', ...params] = entry.split(';');
      const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
      if (charset !== 'charset=utf-8') return false;
      const [pre, suf] = type.split('/');
      return ANSWERED_MEDIA_TYPES.some((answered) => {
        const [answeredPre, answeredSuf] = answered.split('/');
        return (pre === '*' || pre === answeredPre) && (suf === '*' || suf === answeredSuf);
      });
    });
}

/** Refuses, before parsing, a request Yoga would misread (Content-Encoding) or answer blind (Accept). */
function requestFormatPlugin(): Plugin {
  return {
    onRequestParse({ request, endResponse, fetchAPI }) {
      if (!acceptable(request.headers.get('accept'))) {
        // Not through Yoga's result processors: none of them may answer this request.
        endResponse(
          new fetchAPI.Response(
            errorBody(
              'NOT_ACCEPTABLE',
              `The Accept header allows none of the media types this gateway answers in (${ANSWERED_MEDIA_TYPES.join(', ')}, in UTF-8); nothing was run.`,
            ),
            {
              status: 406,
              headers: {
                'content-type': 'application/json; charset=utf-8',
                accept: ANSWERED_MEDIA_TYPES.join(', '),
              },
            },
          ),
        );
        return;
      }
      refuseContentEncoding(request);
    },
  };
}

/** Refuses a body with a Content-Encoding: Yoga would read gzip bytes as they are (415). */
function refuseContentEncoding(request: Request): void {
  const encoding = request.headers.get('content-encoding');
  if (encoding !== null && !/^\s*(identity)?\s*$/i.test(encoding)) {
    throw refusal(
      'This gateway reads request bodies as they are sent: a Content-Encoding (gzip, br, deflate...) is not accepted; send the body uncompressed, without the header.',
      'UNSUPPORTED_CONTENT_ENCODING',
      415,
    );
  }
}

/** `Vary: Origin` on every answer when CORS is on: caches must not hand one origin's answer to another. */
const varyOrigin: Plugin = {
  onResponse({ response }) {
    const vary = response.headers.get('vary');
    if (
      !vary
        ?.toLowerCase()
        .split(/\s*,\s*/)
        .includes('origin')
    ) {
      response.headers.set('vary', vary ? `${vary}, Origin` : 'Origin');
    }
  },
};

/** `given` over the defaults; throws on a limit that is not a whole number >= 1. */
function limitsOf(given: HygieneLimits = {}): Required<HygieneLimits> {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(given) as [
    keyof HygieneLimits,
    number | undefined,
  ][]) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`The ${name} limit must be a whole number >= 1, not ${value}`);
    }
    limits[name] = value;
  }
  return limits;
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
 * The gateway's GraphQL hygiene as `createYoga` options (see the module's comment). Throws at
 * once on a malformed CORS origin or a trusted document that does not parse.
 */
export function hygiene(config: HygieneConfig): HygieneOptions {
  const limits = limitsOf(config.limits);
  const cors = corsOption(config.corsOrigins);
  const plugins: AnyPlugin[] = [
    // The body limit, checked on Content-Length where there is one (see body-limit.ts).
    useBodyLimit(limits.bodyBytes),
    csrfPlugin(),
    requestFormatPlugin(),
    ...(cors === false ? [] : [varyOrigin]),
    ...(config.trustedDocuments ? [trustedDocumentsPlugin(config.trustedDocuments)] : []),
    { onParse: ({ setParseFn }) => setParseFn(limitedParse(limits.tokens)) },
    maxDepthPlugin({
      n: limits.depth,
      propagateOnRejection: false,
      onReject: [reportAs('DEPTH_LIMIT_EXCEEDED')],
    }),
    maxAliasesPlugin({
      n: limits.aliases,
      propagateOnRejection: false,
      onReject: [reportAs('ALIAS_LIMIT_EXCEEDED')],
    }),
    maxDirectivesPlugin({
      n: limits.directives,
      propagateOnRejection: false,
      onReject: [reportAs('DIRECTIVE_LIMIT_EXCEEDED')],
    }),
    costLimitPlugin({
      maxCost: limits.cost,
      propagateOnRejection: false,
      onReject: [reportAs('COST_LIMIT_EXCEEDED')],
    }),
    ...(config.production
      ? [useDisableIntrospection(), blockFieldSuggestionsPlugin({ mask: '' })]
      : []),
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
