/**
 * Every `extensions.code` the gateway answers, in one place: the gateway's own, those it maps
 * from core's errors (src/errors.ts), and Yoga's that reach a caller unchanged. `gatewayError`
 * takes only these, and the augmentation of graphql's `GraphQLErrorExtensions` below types
 * `extensions.code` as one of them, so a misspelt code fails `tsc`. The README's error table
 * lists exactly these (test/error-codes.test.ts).
 *
 * Imports nothing of the gateway's: security, calls, events and errors.ts all stand on it.
 */
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

/** What a code means, and the HTTP status of the answers that carry it, where it has one. */
export interface ErrorCodeMeaning {
  when: string;
  /**
   * Absent where it varies: a field error answers 200; a request error of GraphQL over HTTP
   * (parse, validation, limits) 400, or 200 for `application/json`; one code may come from both.
   */
  status?: number;
}

/**
 * Every code, what it means and its status (the README's table says the same). Nothing at run
 * time reads it: a bundle (the Worker's, budgeted) drops it and its words, as long as that holds.
 */
export const ERROR_CODES = {
  // The request, refused before anything runs.
  BAD_REQUEST: {
    when: 'Yoga cannot read the request (body, params, a batch past its limit, a method other than GET or POST, a mutation over GET), a malformed Content-Length, or VoIPBIN refused a request with a status this gateway does not map',
  },
  GRAPHQL_PARSE_FAILED: { when: 'The document does not parse' },
  GRAPHQL_VALIDATION_FAILED: {
    when: 'The document does not validate against the schema (introspection, in production)',
  },
  OPERATION_RESOLUTION_FAILURE: {
    when: 'Yoga cannot tell which operation of the document to run (operationName)',
    status: 400,
  },
  REQUEST_ENTITY_TOO_LARGE: { when: 'The request body is over `limits.bodyBytes`', status: 413 },
  UNSUPPORTED_CONTENT_ENCODING: {
    when: 'The body carries a Content-Encoding (gzip, br...)',
    status: 415,
  },
  NOT_ACCEPTABLE: {
    when: 'The Accept header allows no media type the gateway answers in',
    status: 406,
  },
  CSRF_HEADER_REQUIRED: {
    when: 'A request a browser sends without a preflight carries none of the CSRF headers',
    status: 403,
  },
  PERSISTED_QUERY_ONLY: { when: 'Trusted documents mode: a query was sent', status: 400 },
  PERSISTED_QUERY_ID_REQUIRED: {
    when: 'Trusted documents mode: neither a hash nor a documentId was sent',
    status: 400,
  },
  PERSISTED_QUERY_NOT_FOUND: {
    when: 'Trusted documents mode: no document is registered under the hash',
    status: 400,
  },
  TOKEN_LIMIT_EXCEEDED: { when: 'The document has more tokens or comments than the limit' },
  DEPTH_LIMIT_EXCEEDED: { when: 'The document nests fields deeper than the limit' },
  ALIAS_LIMIT_EXCEEDED: { when: 'The document has more aliases than the limit' },
  DIRECTIVE_LIMIT_EXCEEDED: { when: 'The document has more directives than the limit' },
  COST_LIMIT_EXCEEDED: { when: "The document's cost is over the limit" },
  // Who asks, and what they may do.
  UNAUTHENTICATED: {
    when: "No valid credential (401), a subscription's credential expired, or VoIPBIN refused the gateway's",
  },
  FORBIDDEN: {
    when: "The credential lacks a scope (403), the gateway's policy refuses an input (`issues`), or VoIPBIN refuses",
  },
  BAD_USER_INPUT: { when: 'An input is invalid (`issues` says where and why)' },
  NOT_FOUND: { when: "No such call, or one that is not the caller's, or VoIPBIN answered 404" },
  RATE_LIMITED: {
    when: "The caller's createCall limit (`retryAfterMs`), or VoIPBIN's rate limit",
  },
  IDEMPOTENCY_KEY_REUSED: { when: 'An idempotencyKey sent again with another input' },
  IDEMPOTENCY_IN_PROGRESS: {
    when: 'The first request of this idempotencyKey has not finished (`retryAfterMs`)',
  },
  IDEMPOTENCY_UNAVAILABLE: {
    when: 'The store holds as many idempotency keys as it may: nothing was sent',
  },
  // VoIPBIN's answers, mapped (src/errors.ts).
  PAYMENT_REQUIRED: { when: 'VoIPBIN: the account cannot pay for it' },
  CONFLICT: { when: 'VoIPBIN: it exists already, or the resource is not in a state for it' },
  UPSTREAM_UNAVAILABLE: {
    when: 'VoIPBIN failed, could not be reached, or answered a body the gateway cannot read (`outcomeUnknown`)',
  },
  UPSTREAM_TIMEOUT: { when: 'VoIPBIN did not answer in time (`outcomeUnknown`)' },
  // Subscriptions and their transports.
  TOO_MANY_SUBSCRIPTIONS: {
    when: 'The caller, or the gateway, holds as many subscriptions as it takes',
    status: 429,
  },
  SUBSCRIPTION_OVERFLOW: { when: 'A subscriber read so slowly that it fell 1,000 states behind' },
  WEBSOCKET_NOT_SUPPORTED: {
    when: 'A WebSocket upgrade on /graphql (SSE serves subscriptions)',
    status: 400,
  },
  SINGLE_CONNECTION_UNSUPPORTED: {
    when: "graphql-sse's single connection mode on an entry that does not serve it (Workers)",
    status: 501,
  },
  STREAM_NOT_FOUND: {
    when: 'No single connection stream of this caller has the token',
    status: 404,
  },
  TOO_MANY_STREAMS: {
    when: 'The caller, or the gateway, holds as many single connection streams as it takes',
    status: 429,
  },
  // Anything else.
  INTERNAL_SERVER_ERROR: { when: 'An unexpected error, masked: no message or stack of it is sent' },
} as const satisfies Record<string, ErrorCodeMeaning>;

/** An `extensions.code` the gateway answers. */
export type GatewayErrorCode = keyof typeof ERROR_CODES;

/** Every code, in the order of `ERROR_CODES` (pure: tree-shaken where unused). */
export const GATEWAY_ERROR_CODES = /* @__PURE__ */ Object.keys(
  ERROR_CODES,
) as readonly GatewayErrorCode[];

/** One reason an input is refused: where (in the GraphQL input's names) and why. */
export interface InputIssue {
  path: string;
  message: string;
}

/** What VoIPBIN answered, on an error mapped from its answer (no message: it may quote input). */
export interface VoipbinErrorExtension {
  httpStatus: number;
  status: string;
  reason: string;
  requestId: string | null;
}

declare module 'graphql' {
  /** The extensions the gateway's errors carry, beside Yoga's `http`. */
  interface GraphQLErrorExtensions {
    code?: GatewayErrorCode;
    /** BAD_USER_INPUT, FORBIDDEN: each refused input. */
    issues?: InputIssue[];
    /** RATE_LIMITED, IDEMPOTENCY_IN_PROGRESS: when to try again. */
    retryAfterMs?: number;
    /** UPSTREAM_*: whether a call may have been placed all the same (look before sending again). */
    outcomeUnknown?: boolean;
    /** The first outcome of an idempotency key, answered again (nothing was sent). */
    replayed?: true;
    /** An error VoIPBIN answered: its status, reason and request id. */
    voipbin?: VoipbinErrorExtension;
    /** UPSTREAM_UNAVAILABLE for an answer that cannot be read: VoIPBIN's HTTP status. */
    httpStatus?: number;
    /** Every error: the request's id, as `X-Request-Id` answers it (src/request-id.ts). */
    requestId?: string;
  }
}

/**
 * A GraphQL error with the gateway's `code`. `extensions` adds to it (`issues`, `http`...);
 * `options` takes the rest of graphql's options (nodes, path, originalError).
 */
export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  extensions?: Omit<NonNullable<GraphQLErrorOptions['extensions']>, 'code'>,
  options?: Omit<GraphQLErrorOptions, 'extensions'>,
): GraphQLError {
  // `code` first in the answer; any `code` in `extensions` (a rewritten error's) gives way.
  const { code: _replaced, ...rest } = extensions ?? {};
  return new GraphQLError(message, { ...options, extensions: { code, ...rest } });
}

/** The JSON body of an answer outside Yoga's result processing: one error, its code (and id). */
export const errorBody = (code: GatewayErrorCode, message: string, requestId?: string): string =>
  JSON.stringify({
    errors: [{ message, extensions: { code, ...(requestId ? { requestId } : {}) } }],
  });
