import { type DocumentNode, type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.ts';
import { log, safeOperationName } from './log.ts';
import { REQUEST_ID_HEADER, requestIdOf } from './request-ids.ts';
import { idempotencyScope } from './security/index.ts';

type Result = ExecutionResult & { stringify?: (result: ExecutionResult) => string };

/** The first error's code, or `OK`. */
const codeOf = (errors: readonly GraphQLError[] | undefined): string => {
  const code = errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : errors?.length ? 'INTERNAL_SERVER_ERROR' : 'OK';
};

/**
 * `result` with `extensions.requestId` on each of its errors: copies (an error may be shared
 * between requests, as a replayed answer's is), the result itself when it has none.
 */
function withId(result: Result, requestId: string): Result {
  if (!result.errors?.length) return result;
  const errors = result.errors.map(
    (error) =>
      new GraphQLError(error.message, {
        ...(error.nodes ? { nodes: error.nodes } : {}),
        ...(error.source ? { source: error.source } : {}),
        ...(error.positions ? { positions: error.positions } : {}),
        ...(error.path ? { path: error.path } : {}),
        ...(error.originalError ? { originalError: error.originalError } : {}),
        extensions: { ...error.extensions, requestId },
      }),
  );
  // Without a shared frame's `stringify` (src/shared-subscriptions.ts): it would send the
  // errors as they were.
  const { stringify: _, ...rest } = result;
  return { ...rest, errors };
}

/**
 * The request id of each error answered, for the line Yoga writes when it masks one (an
 * unexpected error): Yoga logs the error alone, after every plugin of ours has seen it.
 */
const errorIds = new WeakMap<object, string>();

/** The id of the request that answered `error` (or the error it wraps), if one did. */
export function requestIdOfError(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const original = (error as { originalError?: unknown }).originalError;
  return (
    errorIds.get(error) ??
    (typeof original === 'object' && original !== null ? errorIds.get(original) : undefined)
  );
}

/** Notes `requestId` as the id of each of `result`'s errors (Yoga masks them after this). */
function noteErrors(result: Result, requestId: string): void {
  for (const error of result.errors ?? []) {
    errorIds.set(error, requestId);
    if (error.originalError) errorIds.set(error.originalError, requestId);
  }
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<Result> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * A short hash of who called, for a log line: an HMAC under a key this process draws once, so
 * it is stable within the process and cannot be reversed from a guessed caller (an e-mail as a
 * JWT's `sub`); the caller's key itself stays out.
 */
let hashKey: Promise<CryptoKey> | undefined;
async function callerHash(ctx: Context): Promise<string> {
  hashKey ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const bytes = new TextEncoder().encode(idempotencyScope(ctx.principal));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hashKey, bytes));
  return Array.from(mac.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join('');
}

interface Seen {
  started: number;
  operation?: string;
  code?: string;
  caller?: Promise<string>;
}

/**
 * One request id end to end: answered in `X-Request-Id` on every response and in every
 * error's `extensions.requestId`; with the JSON log format, one line per request when it is
 * answered (operation, caller hash, duration, status, code).
 */
export function useRequestId(): Plugin<Record<string, unknown>> {
  const seen = new WeakMap<Request, Seen>();
  /** The request's operation and caller, for its line: the first of a batch names it. */
  const noteOperation = (ctx: Context, document: DocumentNode) => {
    const entry = ctx.request ? seen.get(ctx.request) : undefined;
    if (!entry || entry.operation !== undefined) return;
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
    if (operation?.kind === 'OperationDefinition')
      entry.operation = safeOperationName(operation.name?.value) ?? operation.operation;
    entry.caller = callerHash(ctx);
  };
  return {
    onRequest({ request }) {
      requestIdOf(request);
      if (log.format === 'json') seen.set(request, { started: performance.now() });
    },
    onExecute({ args }) {
      const ctx = args.contextValue as unknown as Context;
      noteOperation(ctx, args.document as DocumentNode);
      return {
        onExecuteDone: ({ result }) => {
          if (!isAsyncIterable(result) && (result as Result).errors?.length)
            noteErrors(result as Result, ctx.requestId);
        },
      };
    },
    onSubscribe({ args }) {
      const ctx = args.contextValue as unknown as Context;
      noteOperation(ctx, args.document as DocumentNode);
      return {
        // A stream's events with errors (one that ends it: the credential expired, the
        // subscriber fell behind) get the id too; the others, the fan-out's hot path, go as
        // they are: no copy, one property read.
        onSubscribeResult: ({ result }) =>
          isAsyncIterable(result)
            ? {
                onNext: ({ result: next, setResult }) => {
                  if (!(next as Result).errors?.length) return;
                  noteErrors(next as Result, ctx.requestId);
                  setResult(withId(next as Result, ctx.requestId));
                },
              }
            : undefined,
      };
    },
    onResultProcess({ request, result, setResult }) {
      const id = requestIdOf(request);
      const entry = seen.get(request);
      // A stream's events get the id in `onSubscribe` above, those with errors only. An error
      // that ends a subscription when it starts (NOT_FOUND, TOO_MANY_SUBSCRIPTIONS) is a
      // single result, and has it here.
      if (isAsyncIterable(result)) {
        if (entry) entry.code = 'OK';
        return;
      }
      if (Array.isArray(result)) setResult(result.map((one) => withId(one as Result, id)));
      else setResult(withId(result as Result, id));
      const first = (Array.isArray(result) ? result[0] : result) as Result | undefined;
      if (entry) entry.code = codeOf(first?.errors);
    },
    onResponse({ request, response }) {
      const requestId = requestIdOf(request);
      try {
        response.headers.set(REQUEST_ID_HEADER, requestId);
      } catch {
        // An answer whose headers cannot change (none the gateway makes): it goes as it is.
      }
      const entry = seen.get(request);
      if (!entry) return;
      const durationMs = Math.round((performance.now() - entry.started) * 10) / 10;
      const write = (caller?: string) =>
        log.line(response.status >= 500 ? 'error' : 'info', 'request', {
          requestId,
          ...(entry.operation ? { operation: entry.operation } : {}),
          ...(caller ? { caller } : {}),
          durationMs,
          status: response.status,
          code: entry.code ?? (response.status < 400 ? 'OK' : `HTTP_${response.status}`),
        });
      if (entry.caller) void entry.caller.then(write, () => write());
      else write();
    },
  };
}

export { REQUEST_ID_HEADER, requestIdOf } from './request-ids.ts';
