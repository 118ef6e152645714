/**
 * OpenTelemetry traces of the gateway (OTEL_EXPORTER_OTLP_ENDPOINT, see ./env.ts), as a
 * `GatewayObserver`: one SERVER span per GraphQL request (named by its operation,
 * `mutation createCall`), a CLIENT span per VoIPBIN request under it (method, path template,
 * status, VoIPBIN's request id), one per operation of a shared store (Redis, Deno KV, Durable
 * Objects), and one per call state an event
 * source publishes. Spans are made with the OpenTelemetry API and SDK; they are batched and
 * sent over OTLP/HTTP by ./exporter.ts. Not in the gateway's shared code: without an
 * endpoint no entry imports this, and a request pays nothing.
 *
 * Never in a span: a credential, a query string, a phone number, a talk text. The attributes
 * are codes, methods, path templates, statuses, ids, operation names and sources; an error is
 * told by its code or class name, never its message.
 *
 * Parent and child: where the runtime has AsyncLocalStorage (Node, Bun, Deno), the entry
 * registers OpenTelemetry's context manager and the operation's span is active while it
 * executes, so every span its resolvers start is its child. Without it (a Worker), a VoIPBIN
 * request finds its operation by the request id it carries (`X-Request-Id`); a store
 * operation then has no span.
 */
import {
  type Context,
  context,
  createContextKey,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { Call } from '@voipbin-kit/core';
import { type DocumentNode, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { log, safeOperationName } from '../../log.ts';
import type { EventOrigin, GatewayObserver } from '../../observer.ts';
import { REQUEST_ID_HEADER, requestIdOf } from '../../request-ids.ts';
import type { Store } from '../../security/store.ts';
import { exchangeOf, pathTemplate, wrapStoreOperations } from '../observe.ts';
import { describeTracing, type TracingConfig } from './env.ts';
import { OtlpFetchExporter } from './exporter.ts';

export { describeTracing, readTracingEnv, type TracingConfig } from './env.ts';

/** The instrumentation scope of every span. */
const SCOPE = 'voipbin-kit-gateway';

export interface Tracing {
  observer: GatewayObserver;
  /** Sends every span ended so far; a Worker hands it to `waitUntil` after each answer. */
  flush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
  /** Where spans go, for a startup line (no credential, no query). */
  description: string;
}

export interface TracingOptions {
  /** The fetch exports use (the global one by default). */
  fetch?: typeof globalThis.fetch;
  /** The GraphQL endpoint's path: only its requests get an operation span. */
  graphqlEndpoint?: string;
  /** How long spans wait to be sent together (default 1 s; a Worker flushes after each answer). */
  scheduledDelayMs?: number;
}

function samplerOf(config: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.ratio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/** Codes that say the gateway or VoIPBIN failed, not the caller: the span's status is ERROR. */
const SERVER_FAULTS = new Set([
  'INTERNAL_SERVER_ERROR',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'IDEMPOTENCY_UNAVAILABLE',
]);

const failed = (span: Span, type: string) => {
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR });
};

/** What the three parts share: the operations under way. */
interface Operations {
  /** The context of each GraphQL request under way, by its request id (Workers: no ALS). */
  byRequestId: Map<string, Context>;
}

interface Operation {
  span: Span;
  context: Context;
  requestId: string;
  named: boolean;
  /**
   * Its span has ended. Work the operation started that outlives it (a subscription's poller,
   * its socket: AsyncLocalStorage carries the context into their timers) must not become a
   * child of a span that has ended: it starts a trace of its own, or none.
   */
  ended: boolean;
  code?: string;
}

/** The operation an operation's context (and every context made from it) belongs to. */
const OPERATION = createContextKey('voipbin-kit operation');

/** The context work runs in, unless it is none or that of an operation already answered. */
function liveParent(): Context | undefined {
  const active = context.active();
  const operation = active.getValue(OPERATION) as Operation | undefined;
  return operation && !operation.ended ? active : undefined;
}

/** The SERVER span of each GraphQL request, and the context its work runs in. */
function operationSpans(tracer: Tracer, endpoint: string, ops: Operations): Plugin {
  const { byRequestId } = ops;
  const propagator = new W3CTraceContextPropagator();
  const operations = new WeakMap<Request, Operation>();
  const ofContext = (ctx: unknown) => {
    const request = (ctx as { request?: Request } | undefined)?.request;
    return request ? operations.get(request) : undefined;
  };
  /** Runs `run` with the operation's span active (when a context manager is registered). */
  const within = <A extends { contextValue?: unknown }, R>(run: (args: A) => R) => {
    return (args: A): R => {
      const operation = ofContext(args.contextValue);
      return operation ? context.with(operation.context, run, undefined, args) : run(args);
    };
  };
  return {
    onRequest({ request, url }) {
      if (url.pathname !== endpoint) return;
      // A caller's `traceparent` makes this span a child of the caller's (its sampler says so).
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
      const requestId = requestIdOf(request);
      const span = tracer.startSpan(
        `${request.method} ${endpoint}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': request.method,
            'http.route': endpoint,
            'voipbin_kit.request_id': requestId,
          },
        },
        parent,
      );
      const operation: Operation = { span, context: parent, requestId, named: false, ended: false };
      const active = trace.setSpan(parent, span).setValue(OPERATION, operation);
      operation.context = active;
      operations.set(request, operation);
      // The id is the caller's when it sent a safe one: two requests in flight with the same id
      // would take each other's VoIPBIN spans, so the first keeps it.
      if (!byRequestId.has(requestId)) byRequestId.set(requestId, active);
    },
    onParse({ context: ctx }) {
      return ({ result }) => {
        const operation = ofContext(ctx);
        if (!operation || operation.named || !result || !('kind' in result)) return;
        const name = (ctx as { params?: { operationName?: string } }).params?.operationName;
        const ast = getOperationAST(result as DocumentNode, name);
        if (!ast) return;
        // The first operation of a batch names the span (as it does the request's log line).
        operation.named = true;
        const operationName = safeOperationName(ast.name?.value);
        operation.span.updateName(
          operationName ? `${ast.operation} ${operationName}` : ast.operation,
        );
        operation.span.setAttributes({
          'graphql.operation.type': ast.operation,
          'graphql.operation.name': operationName,
        });
      };
    },
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(within(executeFn));
    },
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(within(subscribeFn));
    },
    onResultProcess({ request, result }) {
      const operation = operations.get(request);
      if (!operation || isAsyncIterable(result)) return;
      // The first error's code; a batch's server fault, in any of its results, wins.
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of one?.errors ?? []) {
          const code = error.extensions?.code;
          const named = typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
          if (SERVER_FAULTS.has(named)) {
            operation.code = named;
            return;
          }
          operation.code ??= named;
        }
      }
    },
    onResponse({ request, response }) {
      const operation = operations.get(request);
      if (!operation) return;
      operations.delete(request);
      if (byRequestId.get(operation.requestId) === operation.context)
        byRequestId.delete(operation.requestId);
      const { span, code } = operation;
      operation.ended = true;
      span.setAttribute('http.response.status_code', response.status);
      if (code) {
        span.setAttribute('graphql.error.code', code);
        if (SERVER_FAULTS.has(code)) failed(span, code);
      }
      if (response.status >= 500 && !code) failed(span, String(response.status));
      span.end();
    },
  };
}

/** `fetch`, each VoIPBIN exchange a CLIENT span: method, path template, status, request id. */
function tracedFetch(
  tracer: Tracer,
  fetch: typeof globalThis.fetch,
  baseURL: string,
  ops: Operations,
): typeof globalThis.fetch {
  const base = new URL(baseURL);
  const basePath = base.pathname.replace(/\/+$/, '');
  const address = base.hostname;
  const port = base.port ? Number(base.port) : undefined;
  return async (input, init) => {
    const { request, url, method } = exchangeOf(input, init);
    // Read where it is: ofetch hands over a `Headers`, and copying it to read one value was the
    // tracing plugin's largest cost (`pnpm bench:profile --case BT --by-caller --area OpenTelemetry`).
    const headers = init?.headers ?? request?.headers;
    const sentId =
      (headers instanceof Headers ? headers : new Headers(headers)).get(REQUEST_ID_HEADER) ??
      undefined;
    const parent =
      liveParent() ?? (sentId ? ops.byRequestId.get(sentId) : undefined) ?? ROOT_CONTEXT;
    const template = pathTemplate(url, basePath);
    const span = tracer.startSpan(
      `${method} ${template}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'url.template': template,
          'server.address': address,
          'server.port': port,
          'voipbin.request_id': sentId,
        },
      },
      parent,
    );
    try {
      const response = await fetch(input, init);
      span.setAttribute('http.response.status_code', response.status);
      // VoIPBIN's own id, where it answers one other than the id sent.
      const echoed = response.headers.get(REQUEST_ID_HEADER);
      if (echoed && echoed !== sentId) span.setAttribute('voipbin.request_id', echoed);
      if (response.status >= 500) failed(span, String(response.status));
      return response;
    } catch (error) {
      failed(span, (error as Error)?.name ?? 'Error');
      throw error;
    } finally {
      span.end();
    }
  };
}

/** `store`, each operation made for a request a CLIENT span by its name (never a key or a value). */
function tracedStore(tracer: Tracer, store: Store): Store {
  return wrapStoreOperations(store, (operation, run) => {
    const name = `store ${operation}`;
    const attributes = { 'db.operation.name': operation };
    return (...args) => {
      // A child of the operation that asked, or no span: background work (an event's owner
      // looked up) and runtimes without a context manager (a Worker) make none.
      if (!liveParent()) return run(...args);
      return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
        try {
          return await run(...args);
        } catch (error) {
          failed(span, (error as Error)?.name ?? 'Error');
          throw error;
        } finally {
          span.end();
        }
      });
    };
  });
}

const nothing = () => {};

/** Traces as configured: spans batched and sent to `config.url` over OTLP/HTTP. */
export function createTracing(config: TracingConfig, options: TracingOptions = {}): Tracing {
  let lastFailureLog = Number.NEGATIVE_INFINITY;
  const exporter = new OtlpFetchExporter({
    url: config.url,
    protocol: config.protocol,
    headers: config.headers,
    timeoutMs: config.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onFailure: (reason) => {
      // Once a minute at most: a collector that is down would otherwise fill the log.
      const now = Date.now();
      if (now - lastFailureLog < 60_000) return;
      lastFailureLog = now;
      log.say('warn', `traces not exported: ${reason} (said once a minute at most)`);
    },
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ ...config.resource, 'service.name': config.serviceName }),
    sampler: samplerOf(config),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: options.scheduledDelayMs ?? 1000,
        exportTimeoutMillis: config.timeoutMs,
      }),
    ],
  });
  const tracer = provider.getTracer(SCOPE);
  const ops: Operations = { byRequestId: new Map() };
  const observer: GatewayObserver = {
    placed: nothing,
    refused: nothing,
    rateLimited: nothing,
    idempotencyReplayed: nothing,
    upstream: nothing,
    subscriptionOpened: nothing,
    subscriptionClosed: nothing,
    framesDelivered: nothing,
    eventReceived: nothing,
    storeError: nothing,
    plugins: [operationSpans(tracer, options.graphqlEndpoint ?? '/graphql', ops)],
    wrapFetch: (fetch, baseURL) => tracedFetch(tracer, fetch, baseURL, ops),
    // A shared store's operations are round trips worth a span; the process's own memory's
    // are not I/O (a span would cost more than the operation).
    wrapStore: (store, { shared }) => (shared ? tracedStore(tracer, store) : store),
    publishing(origin: EventOrigin, call: Call) {
      // A trace of its own: the state came from VoIPBIN, not from a request of this gateway.
      const span = tracer.startSpan(
        `call event ${origin}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'voipbin_kit.event.source': origin,
            'voipbin.call.id': call.id,
            'voipbin.call.status': call.status,
          },
        },
        ROOT_CONTEXT,
      );
      return (error?: unknown) => {
        if (error !== undefined) failed(span, (error as Error)?.name ?? 'Error');
        span.end();
      };
    },
  };
  return {
    observer,
    // A failed export is said by `onFailure` above; a flush never rejects (a Worker's
    // `waitUntil` would log it as the request's error).
    flush: () => provider.forceFlush().catch(() => {}),
    shutdown: () => provider.shutdown().catch(() => {}),
    description: describeTracing(config),
  };
}
