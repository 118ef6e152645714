/**
 * What both Cloudflare Workers entries are made of: src/runtime/worker.ts (wrangler.toml's
 * `main`) and src/runtime/worker-traced.ts (the same with OpenTelemetry traces).
 *
 * The gateway is created once per isolate, on the first request (a Worker's bindings arrive with
 * the request, and the clock does not run at global scope), and reused after. What must hold
 * across isolates lives in Durable Objects (src/durable/): call owners, idempotency keys and
 * rate limits in `GatewayStore` objects (binding GATEWAY_STORE), live status in `CallEvents`
 * objects (GATEWAY_EVENTS). With no VoIPBIN credential among the bindings, the embedded
 * emulator lives in the isolate: its calls are visible only to requests served by the same
 * isolate, and live status polls it there.
 */
import { waitUntil } from 'cloudflare:workers';
import { type CallEventsStub, createDurableEvents } from '../durable/events.ts';
import { createDurableStore, type GatewayStoreStub, isDurableNamespace } from '../durable/store.ts';
import { fromBindings, readEnv, storeWarning } from '../env.ts';
import { createGateway, type Gateway } from '../gateway.ts';
import { log } from '../log.ts';
import type { GatewayObserver } from '../observer.ts';

/** The part of a Worker's `ctx` used here (no dependency on @cloudflare/workers-types). */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** A Worker's bindings: [vars] and secrets (see `fromBindings`); other bindings are ignored. */
export type WorkerEnv = Record<string, unknown>;

/** What a Worker entry adds to the gateway: traces (worker-traced.ts), made once per isolate. */
export interface WorkerTracing {
  observer: GatewayObserver;
  /** Sends the spans ended so far: handed to `waitUntil` after each answer. */
  flush(): Promise<void>;
  description: string;
}

/** A Worker's `fetch` handler, with `tracing` when the entry traces (undefined: off). */
export interface WorkerOptions {
  tracing?: (env: Record<string, string>) => WorkerTracing | undefined;
  /** Said once per isolate, for a setting this entry ignores. */
  notes?: (env: Record<string, string>) => string | undefined;
}

// Says on every response where calls go, so a client can tell it is talking to the emulator.
// (Not exported: workerd takes every export of the main module for an entrypoint.)
const UPSTREAM_HEADER = 'x-voipbin-upstream';
/** The Durable Object bindings of wrangler.toml. */
const STORE_BINDING = 'GATEWAY_STORE';
const EVENTS_BINDING = 'GATEWAY_EVENTS';

interface Isolate {
  gateway: Gateway;
  tracing: WorkerTracing | undefined;
}

function isolateFor(env: WorkerEnv, options: WorkerOptions): Isolate {
  const vars = fromBindings(env);
  const config = readEnv(vars);
  const tracing = options.tracing?.(vars);
  // An isolate holds no socket between requests: call events come by polling (or webhooks,
  // which reach only the isolate that receives them).
  if (config.events.source === 'websocket') {
    throw new Error(
      'GATEWAY_EVENTS_SOURCE=websocket is not for Workers (an isolate holds no socket between requests): use poll or webhook',
    );
  }
  const storeBinding = env[STORE_BINDING];
  const store = isDurableNamespace<GatewayStoreStub>(storeBinding)
    ? createDurableStore(storeBinding)
    : undefined;
  const auth = config.security.auth;
  // Fails closed, as a server credential without auth does: a deployed Worker runs many
  // isolates, and without the objects each would keep its own call owners and keys.
  if (!store && (auth?.jwt || auth?.apiKeyHashes?.length) && !config.allowIsolateState) {
    throw new Error(
      `Refusing to start: gateway auth is configured but the Worker has no ${STORE_BINDING} binding (the GatewayStore Durable Object of wrangler.toml), so each isolate would keep its own call owners, idempotency keys and rate limits. Bind it, or set GATEWAY_ALLOW_ISOLATE_STATE=true for development.`,
    );
  }
  // Live status through Durable Objects, where VoIPBIN (or a standalone emulator) answers
  // every isolate: the embedded emulator lives in this isolate, out of the objects' reach.
  const eventsBinding = env[EVENTS_BINDING];
  const durable =
    config.upstream.kind === 'voipbin' && isDurableNamespace<CallEventsStub>(eventsBinding)
      ? createDurableEvents(eventsBinding, { polling: config.events.source !== 'webhook' })
      : undefined;
  // `waitUntil` from cloudflare:workers is bound to whichever request is running, so a webhook
  // delivery that request triggers outlives its response (ctx would be the first request's).
  const gateway = createGateway({
    ...config,
    waitUntil,
    ...(tracing ? { observer: tracing.observer } : {}),
    security: { ...config.security, ...(store ? { store } : {}) },
    events: durable
      ? { ...config.events, fanout: durable.fanout, eventSource: durable.source }
      : // A poller per subscription: a Worker's timer belongs to the request that set it.
        { source: 'poll', ...config.events, pollShared: false },
  });
  log.say(
    'info',
    `voipbin-kit gateway (Worker isolate): upstream ${gateway.upstreamDescription}` +
      (gateway.emulator ? '; its calls live in this isolate only' : '') +
      (store ? '; shared store: Durable Objects' : '') +
      `; call events: ${gateway.events.source.kind}${durable ? ', through Durable Objects' : ''}`,
  );
  for (const warning of gateway.warnings) log.say('warn', warning);
  const warning = store ? undefined : storeWarning(config, 'Worker');
  if (warning) log.say('warn', warning);
  const note = options.notes?.(vars);
  if (note) log.say('warn', note);
  return { gateway, tracing };
}

/** The Worker's default export: `fetch`, the gateway made on the first request and kept. */
export function workerApp(options: WorkerOptions = {}) {
  let isolate: Isolate | undefined;
  return {
    async fetch(request: Request, env: WorkerEnv, ctx: WorkerContext): Promise<Response> {
      try {
        isolate ??= isolateFor(env, options);
      } catch (error) {
        // Not cached: the next request tries again. The details go to the logs, not to the caller.
        log.say('error', error instanceof Error ? error.message : String(error));
        return new Response('The gateway is misconfigured; see the Worker logs.\n', {
          status: 500,
        });
      }
      const { gateway, tracing } = isolate;
      // Yoga hands its own background work to `waitUntil` from the server context.
      const response = await gateway.fetch(request, {
        waitUntil: (p: Promise<unknown>) => ctx.waitUntil(p),
      });
      response.headers.set(UPSTREAM_HEADER, gateway.emulator ? 'emulator' : 'voipbin');
      // The request's spans leave after the answer: an isolate may be frozen once it is sent.
      if (tracing) ctx.waitUntil(tracing.flush());
      return response;
    },
  };
}
