/**
 * Subscribers that share a document share its execution: each event of a subscription is
 * executed once per (document, operation, variables, audience), and its result, the same
 * object, goes to every such subscriber as one SSE frame, encoded once (`sseFrames`). The
 * audience is what decides what a subscriber may see (`audienceOf`: its account, owner and
 * scopes), so a shared result is the one each of them would have got on its own.
 *
 * Only the work per event is shared. Each subscriber still opens its own source stream (the
 * field's `subscribe`: its scopes, its ownership check, its subscription limits, its
 * credential's expiry, its first state), and an event shared is one whose object the streams
 * hand out alike (`events/follow.ts` hands one object per state to every stream of it); an
 * event of one stream alone (an error that ends it) is executed for it alone.
 * docs/decisions/2026-12-07-shared-subscriptions.md says why.
 */
import { buildExecutionContext, execute } from '@graphql-tools/executor';
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  print,
} from 'graphql';
import {
  type FetchAPI,
  isAsyncIterable,
  mapAsyncIterator,
  type Plugin,
  processRegularResult,
} from 'graphql-yoga';

/** What answers a request with its result (graphql-yoga does not export the type). */
type ResultProcessor = Parameters<
  Parameters<NonNullable<Plugin['onResultProcess']>>[0]['setResultProcessor']
>[0];

export interface SharedSubscriptionsOptions<Context> {
  /** What decides what a subscriber may see, as a key; null shares nothing of its subscription. */
  audience(context: Context): string | null;
}

/** Each document's text, printed once per document object: two parses of one text share. */
const texts = new WeakMap<DocumentNode, string>();
function textOf(document: DocumentNode): string {
  let text = texts.get(document);
  if (text === undefined) {
    text = print(document);
    texts.set(document, text);
  }
  return text;
}

/** `then` for a value that may be a promise: the value itself is used at once. */
const mapMaybe = <T, U>(value: T | Promise<T>, use: (value: T) => U): U | Promise<U> =>
  value instanceof Promise ? value.then(use) : use(value);

/** Yoga's SSE comment that keeps a connection open (and flushes the headers first). */
const PING = new TextEncoder().encode(':\n\n');
const COMPLETE = new TextEncoder().encode('event: complete\ndata:\n\n');

/**
 * Each result's `next` frame, encoded once per result object: a result shared by many
 * subscribers (see above) is one buffer written to each. A result with errors or HTTP
 * extensions is serialised by Yoga's own processor, which leaves their internals out.
 */
const frames = new WeakMap<object, Uint8Array | Promise<Uint8Array>>();
const encoder = new TextEncoder();
const frame = (json: string) => encoder.encode(`event: next\ndata: ${json}\n\n`);
function frameOf(result: ExecutionResult, fetchAPI: FetchAPI): Uint8Array | Promise<Uint8Array> {
  let encoded = frames.get(result);
  if (encoded === undefined) {
    encoded =
      result.errors?.length || (result.extensions as { http?: unknown } | undefined)?.http
        ? Promise.resolve(processRegularResult(result, fetchAPI, 'application/json'))
            .then((response) => response.text())
            .then(frame)
        : frame(JSON.stringify(result));
    frames.set(result, encoded);
  }
  return encoded;
}

/**
 * Yoga's SSE processor (`getSSEProcessor`, graphql-yoga 5.24), one chunk per frame and that
 * chunk shared (`frameOf`): the same headers, first comment, pings and end. For a subscription's
 * stream only, which answers 200 (its errors come as frames).
 */
const sseFrames: ResultProcessor = (result, fetchAPI) => {
  const pingIntervalMs = globalThis.process?.env?.NODE_ENV === 'test' ? 300 : 12_000;
  const iterator = (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
  let ping: ReturnType<typeof setInterval> | undefined;
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(PING);
      ping = setInterval(() => {
        if (controller.desiredSize === null) clearInterval(ping);
        else if (controller.desiredSize > 0) controller.enqueue(PING);
      }, pingIntervalMs);
    },
    // No `async`: a shared frame is ready, and each subscriber's read of it costs no more jobs.
    pull(controller) {
      const fail = (error: unknown) => controller.error(error);
      const write = (encoded: Uint8Array) => controller.enqueue(encoded);
      const end = () => {
        controller.enqueue(COMPLETE);
        clearInterval(ping);
        controller.close();
      };
      return iterator.next().then((next) => {
        const sent =
          next.value == null ? undefined : mapMaybe(frameOf(next.value, fetchAPI), write);
        const ended = next.done ? mapMaybe(sent, end) : sent;
        return ended instanceof Promise ? ended.catch(fail) : undefined;
      }, fail);
    },
    async cancel() {
      clearInterval(ping);
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream',
      Connection: 'keep-alive',
      'Cache-Control': 'no-cache',
      'Content-Encoding': 'none',
    },
  });
};

/**
 * The envelop plugin: a subscription whose context has an audience runs its source stream as
 * graphql's `subscribe` does, and executes each event through a cache shared by every
 * subscription of the same key.
 */
export function sharedSubscriptions<Context>({
  audience,
}: SharedSubscriptionsOptions<Context>): Plugin<Record<string, unknown>> {
  /** Per event (a source stream's value), its result per sharing key, while the event lives. */
  const results = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();
  /** The requests whose answer is a subscription's, as Yoga's result processors tell them. */
  const subscriptions = new WeakSet<Request>();

  const resultOf = (args: ExecutionArgs, key: string, event: unknown) => {
    const run = () =>
      execute({ ...args, rootValue: event }) as ExecutionResult | Promise<ExecutionResult>;
    if (typeof event !== 'object' || event === null) return run();
    let byKey = results.get(event);
    if (!byKey) {
      byKey = new Map();
      results.set(event, byKey);
    }
    let result = byKey.get(key);
    if (!result) {
      result = run();
      byKey.set(key, result);
    }
    return result;
  };

  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const { request } = args.contextValue as { request?: Request };
      if (request) subscriptions.add(request);
      const seen = audience(args.contextValue as Context);
      if (seen === null) return;
      const key = JSON.stringify([
        textOf(args.document),
        args.operationName ?? null,
        args.variableValues ?? null,
        seen,
      ]);
      setSubscribeFn(async (args) => {
        // Arguments that cannot run (variables that do not coerce) answer as they always did:
        // nothing has run yet, so the executor's own subscribe may say it.
        if (Array.isArray(buildExecutionContext(args))) return subscribeFn(args);
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return stream;
        return mapAsyncIterator(stream, (event) => resultOf(args, key, event));
      });
    },
    // Yoga has chosen its SSE processor (the only one for a subscription's stream): frames shared.
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (resultProcessor && isAsyncIterable(result) && subscriptions.has(request)) {
        setResultProcessor(sseFrames, 'text/event-stream');
      }
    },
  };
}
