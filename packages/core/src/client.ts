import { type FetchOptions, ofetch } from 'ofetch';
import * as v from 'valibot';
import type { ACTION_SCHEMAS } from './actions/all.ts';
import { type ActionSchemaLike, byType } from './actions/define.ts';
import { type Call, CallSchema } from './call.ts';
import {
  CALL_CONTROLS,
  type CallControlMethod,
  type CallControlName,
  type CallControlVerb,
} from './call-control.ts';
import { type CreateCallRequestWith, createCallRequestSchema } from './create-call-request.ts';
import { ERROR_STATUS_CODES, ErrorResponseSchema, type ErrorStatus } from './error-response.ts';
import {
  type RequestInfo,
  VoipbinApiError,
  VoipbinNetworkError,
  VoipbinResponseError,
  VoipbinTimeoutError,
  VoipbinValidationError,
} from './errors.ts';
import {
  type CreateFlowRequestWith,
  createFlowRequestSchema,
  type Flow,
  FlowSchema,
} from './flow.ts';
import { type Groupcall, GroupcallSchema } from './groupcall.ts';
import { loose, UuidSchema } from './primitives.ts';
import { redactError, redactor } from './redact.ts';
import { isSafeRequestId, newRequestId } from './request-id.ts';
import { check } from './validate.ts';

export const DEFAULT_BASE_URL = 'https://api.voipbin.net/v1.0';

export interface ClientOptions<TActions extends readonly ActionSchemaLike[] = readonly []> {
  /**
   * The schemas of the actions `calls.create` and `flows.create` may send, each checked before
   * sending: `[TalkActionSchema, PlayActionSchema]`, or `ACTION_SCHEMAS` for all 40. An action of
   * another type is refused (nothing is sent). Default none: only calls that run a `flow_id`.
   * Listing them keeps the others out of a browser bundle; `CallActionSchema` is the exception,
   * as a `call` action runs a flow of any actions and so checks them with all 40.
   * (Options kept in a variable: type it `ClientOptions<typeof ACTION_SCHEMAS>` and so on.)
   */
  actions?: TActions;
  /** VoIPBIN's API root. Default `https://api.voipbin.net/v1.0`. */
  baseURL?: string;
  /** An access key; sent as `?accesskey=`, where VoIPBIN reads it. */
  accessKey?: string;
  /** A JWT; sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The `fetch` to use (a stub in tests, an emulator's handler, a tuned agent). Default: the global one. */
  fetch?: typeof globalThis.fetch;
  /**
   * Send an `X-Request-Id` with every request, so a log line of yours and VoIPBIN's name the
   * same request. Default on, except in a browser: VoIPBIN's CORS policy (am main.go) allows no
   * such header, and the preflight would fail. A `requestId` passed to a request is always sent.
   */
  requestIds?: boolean;
  /** Milliseconds to wait for an answer. Default 10 000. */
  timeout?: number;
  /** Retries of a GET or DELETE after a network error, a timeout or a 502/503/504. Default 2. POSTs are never retried. */
  retry?: number;
  /** Milliseconds before retry `attempt` (0-based). Default: exponential from 300 ms, capped at 3 s, with jitter. */
  retryDelay?: number | ((attempt: number) => number);
}

export interface RequestOptions {
  /** Aborts the request; its reason is thrown. */
  signal?: AbortSignal;
  /**
   * The request's id, sent as `X-Request-Id` (1 to 64 characters of `A-Z a-z 0-9 _ -`, which
   * VoIPBIN keeps as its own `request_id`). Default: a fresh `req_...` id. Retries send the same.
   */
  requestId?: string;
}

export interface ListParams {
  page_size?: number;
  page_token?: string;
}

/** One page of a list; `next_page_token` is `null` on the last page. */
export interface Page<T> {
  result: T[];
  next_page_token: string | null;
}

/** What `POST /calls` answers: `tel` destinations give calls, extensions and agents group calls. */
export interface CreateCallResult {
  calls: Call[];
  groupcalls: Groupcall[];
}

type Lists = { calls?: unknown; groupcalls?: unknown } | null;

const CreateCallResultSchema = v.pipe(
  v.unknown(),
  // The 2023 quickstart answers a bare array of calls.
  v.transform((data) => (Array.isArray(data) ? { calls: data } : data)),
  // Either shape names its lists: an answer with neither (`{}`, `{ "result": [...] }`, both
  // null) is not "no calls placed" but an answer this client cannot read, whose call may be up.
  v.check(
    (data) => Array.isArray((data as Lists)?.calls) || Array.isArray((data as Lists)?.groupcalls),
    'Expected calls or groupcalls',
  ),
  v.object({
    calls: loose(v.array(CallSchema), (calls) => calls ?? []),
    groupcalls: loose(v.array(GroupcallSchema), (groupcalls) => groupcalls ?? []),
  }),
);

const page = <T extends v.GenericSchema>(item: T) =>
  v.object({
    result: loose(v.array(item), (result) => result ?? []),
    next_page_token: loose(v.string(), (token) => token || null),
  });

const ListParamsSchema = v.strictObject({
  page_size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1, 'Expected at least 1'))),
  page_token: v.optional(v.string()),
});

const RETRY_STATUS = new Set([502, 503, 504]);
const defaultDelay = (attempt: number) =>
  Math.min(300 * 2 ** attempt, 3000) * (0.5 + Math.random() / 2);

/**
 * Creates a VoIPBIN client. Every request is checked before it is sent (an invalid one throws
 * `VoipbinValidationError` and sends nothing); every answer is read tolerantly and normalised.
 *
 * ```ts
 * const voipbin = createClient({ accessKey: '...', actions: [TalkActionSchema] });
 * const { calls } = await voipbin.calls.create({ source, destinations, actions: [talk({ text: 'Hi' })] });
 * ```
 */
export function createClient<const TActions extends readonly ActionSchemaLike[] = []>(
  options: ClientOptions<TActions> = {},
) {
  const { accessKey, token, timeout = 10_000, retry = 2, retryDelay = defaultDelay } = options;
  const requestIds = options.requestIds ?? !inBrowser();
  const action = checkActions(options.actions ?? []) as unknown as TActions[number];
  const callRequestSchema = createCallRequestSchema(action);
  const flowRequestSchema = createFlowRequestSchema(action);
  const redact = redactor([accessKey ?? '', token ?? '']);
  const $fetch = ofetch.create(
    {
      baseURL: (options.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      retry: false,
      ignoreResponseError: true,
      responseType: 'text',
    },
    options.fetch ? { fetch: options.fetch } : {},
  );

  async function send<T extends v.GenericSchema>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    schema: T,
    init: {
      body?: unknown;
      query?: Record<string, unknown>;
      signal?: AbortSignal | undefined;
      requestId?: string | undefined;
    } = {},
  ): Promise<v.InferOutput<T>> {
    const request: RequestInfo = { method, path, requestId: requestIdOf(init.requestId) };
    const retries = method === 'POST' ? 0 : retry;
    for (let attempt = 0; ; attempt++) {
      try {
        return await sendOnce(request, schema, init);
      } catch (thrown) {
        if (init.signal?.aborted && thrown === init.signal.reason) throw thrown;
        const error = redactError(thrown, redact);
        const retryable =
          error instanceof VoipbinNetworkError ||
          error instanceof VoipbinTimeoutError ||
          (error instanceof VoipbinApiError && RETRY_STATUS.has(error.httpStatus));
        if (!retryable || attempt >= retries || init.signal?.aborted) throw error;
      }
      await wait(delayBefore(attempt), init.signal);
    }
  }

  function delayBefore(attempt: number): number {
    if (typeof retryDelay === 'number') return retryDelay;
    try {
      return retryDelay(attempt);
    } catch (thrown) {
      // A user's function may quote anything: its error is redacted like ours.
      throw redactError(thrown, redact);
    }
  }

  async function sendOnce<T extends v.GenericSchema>(
    request: RequestInfo,
    schema: T,
    init: { body?: unknown; query?: Record<string, unknown>; signal?: AbortSignal | undefined },
  ): Promise<v.InferOutput<T>> {
    const fetchOptions: FetchOptions<'text'> = {
      method: request.method,
      ...(request.requestId ? { headers: { 'x-request-id': request.requestId } } : {}),
      query: accessKey ? { ...init.query, accesskey: accessKey } : init.query,
      body: init.body as FetchOptions['body'],
      responseType: 'text',
    };
    // One deadline for the whole exchange, body included (ofetch's `timeout` stops at the
    // headers). A timer we clear ourselves: an `AbortSignal.timeout()` nothing references can be
    // garbage-collected mid-request in Node, and then never fires.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no answer within ${timeout} ms`, 'TimeoutError')),
      timeout,
    );
    // The caller's signal aborts the same controller, with its reason. Linked by hand, not with
    // `AbortSignal.any` (missing in Node 20.0-20.2 and older Safari, where the deadline was
    // lost); the listener goes when the exchange ends, so a long-lived signal collects none.
    const { signal } = init;
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort);
    fetchOptions.signal = controller.signal;

    let response: Awaited<ReturnType<typeof $fetch.raw<string, 'text'>>>;
    try {
      response = await $fetch.raw(request.path, fetchOptions);
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      const cause = unwrap(error);
      if (isTimeout(error)) throw new VoipbinTimeoutError(request, timeout, { cause });
      throw new VoipbinNetworkError(request, { cause });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }

    const text = response._data ?? '';
    let data: unknown;
    let readable = true;
    try {
      data = text === '' ? undefined : JSON.parse(text);
    } catch {
      readable = false;
    }

    if (!response.ok) {
      const echoed = response.headers.get('x-request-id');
      throw apiError(request, response.status, readable ? data : undefined, echoed);
    }
    if (!readable) {
      throw new VoipbinResponseError(request, response.status, [
        { path: '', message: 'Expected a JSON body' },
      ]);
    }
    const parsed = check(schema, data);
    if (!parsed.success) throw new VoipbinResponseError(request, response.status, parsed.issues);
    return parsed.output;
  }

  function validate<T extends v.GenericSchema>(
    schema: T,
    input: unknown,
    what: string,
  ): v.InferOutput<T> {
    const result = check(schema, input);
    if (!result.success) throw redactError(new VoipbinValidationError(what, result.issues), redact);
    return result.output;
  }

  /** The caller's request id, checked (nothing is sent with a bad one), or a fresh one. */
  const requestIdOf = (given: string | undefined) => {
    if (given === undefined) return requestIds ? newRequestId() : null;
    if (isSafeRequestId(given)) return given;
    throw redactError(
      new VoipbinValidationError('request options', [
        { path: 'requestId', message: 'Expected 1 to 64 characters of A-Z a-z 0-9 _ -' },
      ]),
      redact,
    );
  };

  const id = (value: string, what: string) =>
    encodeURIComponent(validate(v.object({ id: UuidSchema }), { id: value }, what).id);

  function resource<T extends v.GenericSchema>(path: string, schema: T, name: string) {
    const pageSchema = page(schema);
    const list = async (params: ListParams = {}, opts: RequestOptions = {}) =>
      send('GET', path, pageSchema, {
        query: validate(ListParamsSchema, params, 'list parameters'),
        signal: opts.signal,
        requestId: opts.requestId,
      }) as Promise<Page<v.InferOutput<T>>>;
    return {
      /** Fetches one by id. */
      get: async (value: string, opts: RequestOptions = {}) =>
        send('GET', `${path}/${id(value, `${name} id`)}`, schema, opts),
      /** Deletes one by id and returns it as it was. */
      delete: async (value: string, opts: RequestOptions = {}) =>
        send('DELETE', `${path}/${id(value, `${name} id`)}`, schema, opts),
      /** Fetches one page; pass `next_page_token` back as `page_token` for the next. */
      list,
      /** Walks every page: `for await (const item of client.calls.iterate()) ...`. */
      async *iterate(params: ListParams = {}, opts: RequestOptions = {}) {
        const seen = new Set<string>();
        let pageToken = params.page_token;
        while (true) {
          const { result, next_page_token } = await list(
            { ...params, page_token: pageToken },
            opts,
          );
          yield* result;
          // Stop on the last page, and on a token seen before rather than loop forever.
          if (next_page_token === null || result.length === 0 || seen.has(next_page_token)) return;
          seen.add(next_page_token);
          pageToken = next_page_token;
        }
      },
    };
  }

  const calls = resource('/calls', CallSchema, 'call');

  /**
   * The in-call control methods, one per row of `CALL_CONTROLS`: `method /calls/{id}/<path>`,
   * the body checked by the row's schema, the answer read as a call or taken as nothing.
   */
  const nothing = v.unknown();
  const controls = {} as { [K in CallControlName]: CallControlMethod<K, RequestOptions> };
  for (const [name, verb] of Object.entries(CALL_CONTROLS) as [
    CallControlName,
    CallControlVerb,
  ][]) {
    const schema = verb.answers === 'call' ? CallSchema : nothing;
    const what = `${name} request`;
    const sendVerb = async (value: string, body: unknown, opts: RequestOptions = {}) => {
      const answer = await send(
        verb.method,
        `/calls/${id(value, 'call id')}/${verb.path}`,
        schema,
        {
          body: verb.body ? validate(verb.body, body ?? {}, what) : undefined,
          signal: opts.signal,
          requestId: opts.requestId,
        },
      );
      return verb.answers === 'call' ? answer : undefined;
    };
    (controls as Record<string, unknown>)[name] = verb.body
      ? (value: string, body?: unknown, opts?: RequestOptions) => sendVerb(value, body, opts)
      : (value: string, opts?: RequestOptions) => sendVerb(value, undefined, opts);
  }
  const flows = resource('/flows', FlowSchema, 'flow');

  return {
    calls: {
      ...calls,
      /**
       * Places a call (`POST /calls`). Validated first; never retried, because a second POST
       * would ring the phone again. A timeout throws `VoipbinTimeoutError` with `outcomeUnknown`.
       */
      create: async (
        request: CreateCallRequestWith<TActions[number]>,
        opts: RequestOptions = {},
      ): Promise<CreateCallResult> =>
        send('POST', '/calls', CreateCallResultSchema, {
          body: validate(callRequestSchema, request, 'call request'),
          signal: opts.signal,
          requestId: opts.requestId,
        }),
      ...controls,
    },
    flows: {
      ...flows,
      /** Creates a flow (`POST /flows`). */
      create: async (
        request: CreateFlowRequestWith<TActions[number]>,
        opts: RequestOptions = {},
      ): Promise<Flow> =>
        send('POST', '/flows', FlowSchema, {
          body: validate(flowRequestSchema, request, 'flow request'),
          signal: opts.signal,
          requestId: opts.requestId,
        }),
    },
  };
}

/** A client made by `createClient`, sending the actions of `TActions` (all of them by default). */
export type VoipbinClient<TActions extends readonly ActionSchemaLike[] = typeof ACTION_SCHEMAS> =
  ReturnType<typeof createClient<TActions>>;

/** Checks an action against the one of `schemas` its `type` names; any other type is refused. */
function checkActions(schemas: readonly ActionSchemaLike[]) {
  const isSchema = (schema: ActionSchemaLike | undefined) =>
    typeof schema?.entries?.type?.literal === 'string';
  if (!Array.isArray(schemas) || !schemas.every(isSchema)) {
    throw new TypeError(
      'createClient: `actions` takes a list of action schemas, e.g. [TalkActionSchema] or ACTION_SCHEMAS',
    );
  }
  const types = schemas.map((schema) => schema.entries.type.literal).join(', ');
  const how =
    "createClient's `actions` lists the schemas of the actions it sends; ACTION_SCHEMAS has all 40";
  return byType(
    v.variant('type', schemas, (issue) => {
      // No `type` key in the path: the action is not an object at all.
      if (issue.path?.at(-1)?.key !== 'type') return 'Expected an action: an object with a `type`';
      if (issue.received === 'undefined') return 'Required';
      return types === ''
        ? `Action type ${issue.received} cannot be sent: this client sends no actions (${how})`
        : `Unknown action type ${issue.received} for this client; expected one of ${types} (${how})`;
    }),
  );
}

function apiError(
  request: RequestInfo,
  httpStatus: number,
  data: unknown,
  echoed: string | null,
): VoipbinApiError {
  // VoIPBIN's id of the request: its error body's, else its header's (a proxy's error has neither).
  const requestId = (id: string | null | undefined) =>
    id || (isSafeRequestId(echoed) ? echoed : null);
  const body = v.safeParse(ErrorResponseSchema, data);
  if (body.success) {
    const { status, reason, message, request_id, details } = body.output.error;
    return new VoipbinApiError({
      httpStatus,
      status,
      reason,
      message,
      requestId: requestId(request_id),
      details,
      request,
    });
  }
  // Not VoIPBIN's error body (a proxy, a load balancer): name the status from the HTTP code.
  const status =
    (Object.keys(ERROR_STATUS_CODES) as ErrorStatus[]).find(
      (key) => ERROR_STATUS_CODES[key] === httpStatus,
    ) ?? (httpStatus >= 500 ? 'INTERNAL' : 'UNKNOWN');
  return new VoipbinApiError({
    httpStatus,
    status,
    reason: 'UNEXPECTED_ERROR_BODY',
    message: null,
    requestId: requestId(null),
    request,
  });
}

/** A browser page or a browser's worker, where VoIPBIN's CORS policy applies. */
function inBrowser(): boolean {
  return (
    typeof (globalThis as { document?: unknown }).document !== 'undefined' ||
    typeof (globalThis as { importScripts?: unknown }).importScripts === 'function'
  );
}

function unwrap(error: unknown): unknown {
  // ofetch wraps the fetch failure in a FetchError whose message holds the URL: keep its cause.
  return error instanceof Error && error.name === 'FetchError' && error.cause !== undefined
    ? error.cause
    : error;
}

function isTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'TimeoutError') return true;
  }
  return false;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    // A long-lived signal must not collect one listener per retry.
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
