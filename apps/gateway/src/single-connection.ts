/**
 * graphql-sse's single connection mode on `/graphql`, by graphql-sse's own fetch handler:
 * `createClient({ singleConnection: true, url })` reserves a stream (`PUT`, answered 201 with
 * its token), opens it (`GET`, `Accept: text/event-stream`) and sends each operation (`POST`)
 * or ends it (`DELETE`) with the token in `x-graphql-event-stream-token`; every result comes on
 * the one stream, so a page with many subscriptions holds one connection (HTTP/1.1 allows six
 * per origin).
 *
 * Each operation runs through Yoga's envelop (`yoga.getEnveloped`), as Yoga's graphql-sse plugin
 * (`@graphql-yoga/plugin-graphql-sse`) runs it, but with a refused document answered as a
 * GraphQL result: the plugin hands graphql-sse `{ errors }`, which graphql-sse does not take for
 * a result (it needs `data`), so a validation error answers 400 "Unable to detect operation
 * AST", and a syntax error is thrown (500). The handler answers in Yoga's `onRequest`, before
 * Yoga's own request checks; what the gateway adds around it:
 * - A stream belongs to the caller who reserved it (`StreamHost.caller`: the JWT's or API key's
 *   principal, or the pass-through VoIPBIN account): another caller's token answers 404
 *   `STREAM_NOT_FOUND`, as an unknown one does. Each operation runs as the caller who posts it
 *   (Yoga's context authenticates it), so the rules of "Who sees what" hold per operation.
 * - Tokens are `crypto.randomUUID()`; graphql-sse's own default uses `Math.random`.
 * - A reserved stream not opened within `connectTimeoutMs` is dropped (graphql-sse would keep
 *   it for good); streams per caller and in all are bounded (429 `TOO_MANY_STREAMS`).
 * - The checks Yoga's pipeline would make (no Content-Encoding, the body limit), by
 *   `earlyChecks`. CSRF: every request of the mode is one a browser preflights (see
 *   `isSingleConnection`). Parsing, validation (limits, production's rules), the context and
 *   error masking run through Yoga's envelop as for any request.
 *
 * A stream lives in one process: behind several instances, the reservation, the stream and
 * the operations must reach the same one (sticky sessions), or use distinct connections. The
 * Worker does not serve it (an isolate per request, and the bundle budget).
 *
 * Web-standard APIs only: runs on Node, Bun and Deno (and would on Workers).
 */
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLErrorExtensions,
  getOperationAST,
} from 'graphql';
import type { RequestParams } from 'graphql-sse';
import { createHandler } from 'graphql-sse/lib/use/fetch';
import type { FetchAPI, Plugin, YogaServer } from 'graphql-yoga';
import { sameRequestId } from './request-ids.ts';
import { earlyChecks } from './security/hygiene.ts';
import {
  errorResponse,
  isSingleConnection,
  type SingleConnectionFactory,
  STREAM_TOKEN_HEADER,
  type StreamHost,
} from './transports.ts';

export interface SingleConnectionOptions {
  /** Streams reserved or open at once, in all. Default 1,000. */
  maxStreams?: number;
  /** ...and per caller (without gateway auth every caller is `anonymous`). Default 10. */
  maxStreamsPerCaller?: number;
  /** How long a reserved stream waits to be opened before it is dropped. Default 30 s. */
  connectTimeoutMs?: number;
}

interface Stream {
  caller: string;
  open: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type OnRequestPayload = Parameters<NonNullable<Plugin['onRequest']>>[0];
// biome-ignore lint/suspicious/noExplicitAny: the gateway's Yoga, whatever its context
type Yoga = YogaServer<any, any>;

/** What graphql-sse is to use for a request: its stream token, and the server's context. */
interface Pass {
  token: string;
  serverContext: Record<string, unknown>;
}

/** A result with `data` present (left out of the JSON): graphql-sse takes only such an object for one. */
const refused = (errors: readonly GraphQLError[]): ExecutionResult => ({ data: undefined, errors });

/**
 * One operation through Yoga's envelop, as Yoga runs any: parse (its token limit), validate
 * (the limits, production's rules), the context (authentication), then execute or subscribe
 * (error masking); a GraphQL error on the way is the operation's result.
 */
async function operate(yoga: Yoga, request: Request, pass: Pass, params: RequestParams) {
  const enveloped = yoga.getEnveloped({ ...pass.serverContext, request, params });
  try {
    const document = enveloped.parse(params.query);
    const errors = enveloped.validate(enveloped.schema, document);
    if (errors.length > 0) return refused(errors);
    const args: ExecutionArgs = {
      schema: enveloped.schema,
      document,
      contextValue: await enveloped.contextFactory(),
      variableValues: params.variables,
      operationName: params.operationName,
    };
    const operation = getOperationAST(document, params.operationName)?.operation;
    return await (operation === 'subscription'
      ? enveloped.subscribe(args)
      : enveloped.execute(args));
  } catch (error) {
    if (error instanceof GraphQLError) return refused([error]);
    throw error;
  }
}

/** `body`, calling `end` once when it ends, fails or is cancelled (the client went away). */
function onEnd(
  body: ReadableStream<Uint8Array>,
  end: () => void,
  fetchAPI: FetchAPI,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const once = () => {
    if (ended) return;
    ended = true;
    end();
  };
  return new fetchAPI.ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          once();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        once();
        controller.error(error);
      }
    },
    async cancel(reason) {
      once();
      await reader.cancel(reason);
    },
  });
}

/** A refusal the gateway threw (a GraphQL error with a code and an HTTP status) as an answer. */
function refusalOf(error: unknown, request: Request): Response | undefined {
  const extensions = (error as { extensions?: GraphQLErrorExtensions } | null)?.extensions;
  if (extensions?.code === undefined) return undefined;
  return errorResponse(
    request,
    extensions.http?.status ?? 400,
    extensions.code,
    (error as Error).message,
    extensions.http?.headers ?? {},
  );
}

/**
 * graphql-sse's single connection mode for `createGateway({ singleConnection })` (see the
 * module's comment); the Node, Bun and Deno entries pass it.
 */
export function singleConnection(options: SingleConnectionOptions = {}): SingleConnectionFactory {
  const maxStreams = options.maxStreams ?? 1_000;
  const perCaller = options.maxStreamsPerCaller ?? 10;
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  return (host: StreamHost) => {
    // What Yoga's pipeline would check (Content-Encoding, the body limit), skipped in onRequest.
    const check = earlyChecks(host.limits);
    const streams = new Map<string, Stream>();
    // What graphql-sse is to use for a request, decided (its token's owner checked) before it runs.
    const passes = new WeakMap<Request, Pass>();
    let handler: ((request: Request) => Promise<Response>) | undefined;
    let fetchAPI: FetchAPI | undefined;

    /** Runs graphql-sse's handler on `request` with `token`, answering what it answers. */
    const handle = (request: Request, token: string, serverContext: Record<string, unknown>) => {
      if (!handler) throw new Error('graphql-sse runs once Yoga is initialised');
      passes.set(request, { token, serverContext });
      return handler(request);
    };

    /** Drops a stream never opened: graphql-sse lets go of a reservation once its stream closes. */
    const drop = async (token: string) => {
      streams.delete(token);
      if (!fetchAPI) return;
      const request = new fetchAPI.Request(`http://gateway.local${host.endpoint}`, {
        headers: { accept: 'text/event-stream', [STREAM_TOKEN_HEADER]: token },
      });
      await (await handle(request, token, {})).body?.cancel();
    };

    const reserve = (token: string, caller: string) => {
      const timer = setTimeout(() => {
        if (streams.get(token)?.open === false) drop(token).catch(host.log);
      }, connectTimeoutMs);
      // A reservation waiting for its GET keeps no process alive.
      (timer as { unref?: () => void }).unref?.();
      streams.set(token, { caller, open: false, timer });
    };

    const serve = async (payload: OnRequestPayload): Promise<Response> => {
      const { request } = payload;
      let checked: Request;
      let caller: string;
      try {
        checked = check(request, payload.fetchAPI);
        caller = await host.caller(request);
        // Read here, once authenticated: past the limit it answers 413 (in graphql-sse, 400).
        if (checked.body !== null) {
          checked = new payload.fetchAPI.Request(checked.url, {
            method: checked.method,
            headers: checked.headers,
            body: await checked.text(),
            signal: checked.signal,
          });
        }
        // What graphql-sse runs for the copy (VoIPBIN's requests) carries the request's id.
        sameRequestId(checked, request);
      } catch (error) {
        const refusal = refusalOf(error, request);
        if (refusal) return refusal;
        throw error;
      }
      let token: string;
      if (request.method === 'PUT') {
        const mine = [...streams.values()].filter((stream) => stream.caller === caller).length;
        if (mine >= perCaller || streams.size >= maxStreams) {
          return errorResponse(
            request,
            429,
            'TOO_MANY_STREAMS',
            mine >= perCaller
              ? `This caller already holds ${perCaller} single connection streams (the limit): use the open one, or close one first.`
              : 'This gateway holds as many single connection streams as it takes: try again later, or subscribe over distinct connections.',
          );
        }
        token = crypto.randomUUID();
        // Reserved before graphql-sse answers, so that concurrent PUTs count it.
        reserve(token, caller);
      } else {
        token = request.headers.get(STREAM_TOKEN_HEADER) ?? '';
        // Another caller's stream reads as one that does not exist.
        if (streams.get(token)?.caller !== caller) {
          return errorResponse(
            request,
            404,
            'STREAM_NOT_FOUND',
            'No single connection stream of this caller has this token (never reserved, already closed, or not opened in time): reserve one with PUT.',
          );
        }
      }
      const response = await handle(checked, token, payload.serverContext);
      const stream = streams.get(token);
      if (request.method === 'PUT' && response.status !== 201 && stream) {
        clearTimeout(stream.timer);
        streams.delete(token);
      }
      // The stream opened: graphql-sse takes any request of its token asking for events as that.
      if (
        request.headers.get('accept') === 'text/event-stream' &&
        response.status === 200 &&
        stream &&
        !stream.open &&
        response.body &&
        fetchAPI
      ) {
        stream.open = true;
        clearTimeout(stream.timer);
        // The stream's end (the client gone, or graphql-sse done) frees its place.
        const body = onEnd(response.body, () => streams.delete(token), fetchAPI);
        return new fetchAPI.Response(body, { status: response.status, headers: response.headers });
      }
      return response;
    };

    const plugin: Plugin = {
      onYogaInit({ yoga }) {
        fetchAPI = yoga.fetchAPI;
        handler = createHandler(
          {
            // Only requests this module let through reach the handler, each with its token:
            // none is handled in the "distinct connections" mode (Yoga's pipeline serves that).
            authenticate: (req) =>
              passes.get(req.raw)?.token ?? [
                JSON.stringify({ errors: [{ message: 'Stream not found' }] }),
                {
                  status: 404,
                  statusText: 'Not Found',
                  headers: { 'content-type': 'application/json; charset=utf-8' },
                },
              ],
            onSubscribe: (req, params) =>
              operate(yoga, req.raw, passes.get(req.raw) as Pass, params),
          },
          yoga.fetchAPI,
        );
      },
      onRequest(payload) {
        if (payload.url.pathname !== host.endpoint || !isSingleConnection(payload.request)) return;
        return serve(payload).then(payload.endResponse, (error) => {
          // Never Yoga's default for an error thrown here, which answers its stack.
          host.log(error);
          payload.endResponse(
            errorResponse(payload.request, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.'),
          );
        });
      },
    };
    return {
      plugin,
      close() {
        for (const stream of streams.values()) clearTimeout(stream.timer);
        streams.clear();
      },
    };
  };
}
