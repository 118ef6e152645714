/**
 * The Node and Bun entries' Prometheus metrics (GATEWAY_METRICS=true), served on a port of
 * their own: Yoga's Prometheus plugin for the GraphQL operations, prom-client counters for
 * the rest, in one registry. Imported only by those entries, and only when on: prom-client
 * never reaches a Worker or a browser. docs/decisions/2026-12-07-metrics.md says why.
 *
 * Every label is bounded: codes from a fixed list, upstream path templates, HTTP statuses,
 * source kinds, store operations, and an operation's root fields (the schema's names).
 */
import {
  createCounter,
  createHistogram,
  type FillLabelsFnParams,
  usePrometheus,
} from '@graphql-yoga/plugin-prometheus';
import { getOperationAST } from 'graphql';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { GATEWAY_ERROR_CODES } from '../error-codes.ts';
import type { GatewayObserver } from '../observer.ts';
import { type ObserverHooks, observer } from './observe.ts';

/** Every `extensions.code` the gateway answers (src/error-codes.ts); another is counted as `OTHER`. */
export const REFUSAL_CODES: ReadonlySet<string> = new Set(GATEWAY_ERROR_CODES);

/** Root fields named in one label at most; more are `+more`. */
const MAX_ROOT_FIELDS = 3;

/**
 * An operation as a label: its root fields' names, sorted (`createCall`, `call,calls`). Not
 * the operation's name: the caller chooses that, and could make it anything, of any number.
 */
function operationOf(params: FillLabelsFnParams): string {
  if (!params.document) return 'unknown';
  // Envelop names an unnamed operation `Anonymous`: then the document's only operation.
  const operation =
    getOperationAST(params.document, params.operationName) ?? getOperationAST(params.document);
  const names = new Set<string>();
  for (const selection of operation?.selectionSet.selections ?? []) {
    names.add(selection.kind === 'Field' ? selection.name.value : '(fragment)');
  }
  const sorted = [...names].sort();
  if (sorted.length === 0) return 'unknown';
  const shown = sorted.slice(0, MAX_ROOT_FIELDS).join(',');
  return sorted.length > MAX_ROOT_FIELDS ? `${shown},+more` : shown;
}

const operationLabels = (params: FillLabelsFnParams) => ({
  operationType: params.operationType ?? 'unknown',
  operation: operationOf(params),
});

export interface Metrics {
  /** What `createGateway` takes as `observer`. */
  observer: GatewayObserver;
  /** Answers `GET /metrics` with the Prometheus text; anything else 404, a method other than GET or HEAD 405. */
  fetch(request: Request): Promise<Response>;
  registry: Registry;
}

/** The gateway's metrics, in a registry of their own (process metrics included). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });

  const plugin = usePrometheus({
    registry,
    // Served on the metrics port by `fetch` below, never beside the API.
    endpoint: false,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_request',
          help: 'GraphQL operations executed, by type and root fields',
          labelNames: ['operationType', 'operation'],
        },
        fillLabelsFn: operationLabels,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Seconds from parse to the end of execution (a subscription: to its stream), by type and root fields',
          labelNames: ['operationType', 'operation'],
        },
        fillLabelsFn: operationLabels,
      }),
      // Off: the caller's operation names, error paths (aliases) and the URL (a query string)
      // are labels there, without bound.
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_error_result: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
      graphql_yoga_http_duration: false,
    },
  });

  const callsPlaced = counter('voipbin_gateway_calls_placed_total', 'Calls placed upstream');
  const refusals = counter(
    'voipbin_gateway_refusals_total',
    'GraphQL errors answered, by extensions.code',
    ['code'],
  );
  const rateLimited = counter(
    'voipbin_gateway_rate_limited_total',
    'createCall and call-control mutations refused by the rate limit',
  );
  const replays = counter(
    'voipbin_gateway_idempotency_replays_total',
    'createCall mutations answered from their idempotency key (nothing placed)',
  );
  const upstream = counter(
    'voipbin_gateway_upstream_requests_total',
    'Requests to VoIPBIN (or the embedded emulator), by method, path template and status',
    ['method', 'path', 'status'],
  );
  const upstreamSeconds = new Histogram({
    name: 'voipbin_gateway_upstream_request_duration_seconds',
    help: 'Seconds until VoIPBIN answered (its headers), by method and path template',
    labelNames: ['method', 'path'],
    registers,
  });
  const subscriptions = new Gauge({
    name: 'voipbin_gateway_subscriptions_open',
    help: 'Subscriptions open on this instance',
    registers,
  });
  const frames = counter(
    'voipbin_gateway_subscription_frames_total',
    'Subscription frames delivered, one per subscriber',
  );
  const events = counter(
    'voipbin_gateway_events_received_total',
    'Call states received from an event source, by source',
    ['source'],
  );
  const storeErrors = counter(
    'voipbin_gateway_store_errors_total',
    'Store operations that failed, by operation',
    ['operation'],
  );

  const hooks: ObserverHooks = {
    // Each call: the tel destinations' and each group call's legs.
    placed: ({ calls, groupcalls }) =>
      callsPlaced.inc(calls.length + groupcalls.reduce((n, g) => n + g.call_ids.length, 0)),
    refused: (code) => refusals.inc({ code: REFUSAL_CODES.has(code) ? code : 'OTHER' }),
    rateLimited: () => rateLimited.inc(),
    idempotencyReplayed: () => replays.inc(),
    upstream: (method, path, status, seconds) => {
      upstream.inc({ method, path, status: String(status) });
      upstreamSeconds.observe({ method, path }, seconds);
    },
    subscriptionOpened: () => subscriptions.inc(),
    subscriptionClosed: () => subscriptions.dec(),
    framesDelivered: (count) => frames.inc(count),
    eventReceived: (source) => events.inc({ source }),
    storeError: (operation) => storeErrors.inc({ operation }),
  };

  return {
    observer: observer(hooks, [plugin]),
    registry,
    async fetch(request) {
      if (new URL(request.url).pathname !== '/metrics') {
        return new Response('Not found: the metrics are at /metrics\n', { status: 404 });
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
      }
      const text = await registry.metrics();
      return new Response(request.method === 'HEAD' ? null : text, {
        headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
      });
    },
  };
}
