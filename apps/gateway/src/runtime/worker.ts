/**
 * The Cloudflare Workers entry (`wrangler dev` / `wrangler deploy`, see wrangler.toml).
 *
 * The gateway is created once per isolate, on the first request (a Worker's bindings arrive with
 * the request, and the clock does not run at global scope), and reused after. With no VoIPBIN
 * credential among the bindings, the embedded emulator lives in the isolate: its calls are
 * visible only to requests served by the same isolate.
 */
import { waitUntil } from 'cloudflare:workers';
import { fromBindings, readEnv, storeWarning } from '../env.ts';
import { createGateway, type Gateway } from '../gateway.ts';

/** The part of a Worker's `ctx` used here (no dependency on @cloudflare/workers-types). */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** A Worker's bindings: [vars] and secrets (see `fromBindings`); other bindings are ignored. */
export type WorkerEnv = Record<string, unknown>;

// Says on every response where calls go, so a client can tell it is talking to the emulator.
// (Not exported: workerd takes every export of the main module for an entrypoint.)
const UPSTREAM_HEADER = 'x-voipbin-upstream';

let gateway: Gateway | undefined;

function gatewayFor(env: WorkerEnv): Gateway {
  if (gateway) return gateway;
  const config = readEnv(fromBindings(env));
  // An isolate holds no socket between requests: call events come by polling (or webhooks,
  // which reach only the isolate that receives them).
  if (config.events.source === 'websocket') {
    throw new Error(
      'GATEWAY_EVENTS_SOURCE=websocket is not for Workers (an isolate holds no socket between requests): use poll or webhook',
    );
  }
  // `waitUntil` from cloudflare:workers is bound to whichever request is running, so a webhook
  // delivery that request triggers outlives its response (ctx would be the first request's).
  gateway = createGateway({
    ...config,
    waitUntil,
    // A poller per subscription: a Worker's timer belongs to the request that set it.
    events: { source: 'poll', ...config.events, pollShared: false },
  });
  console.log(
    `voipbin-kit gateway (Worker isolate): upstream ${gateway.upstreamDescription}` +
      (gateway.emulator ? '; its calls live in this isolate only' : '') +
      `; call events: ${gateway.events.source.kind}`,
  );
  // Only the Node entry has a Redis client: say so rather than ignore the setting.
  for (const warning of gateway.warnings) console.warn(warning);
  const warning = storeWarning(config, 'Worker');
  if (warning) console.warn(warning);
  return gateway;
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: WorkerContext): Promise<Response> {
    let current: Gateway;
    try {
      current = gatewayFor(env);
    } catch (error) {
      // Not cached: the next request tries again. The details go to the logs, not to the caller.
      console.error(error instanceof Error ? error.message : error);
      return new Response('The gateway is misconfigured; see the Worker logs.\n', { status: 500 });
    }
    // Yoga hands its own background work to `waitUntil` from the server context.
    const response = await current.fetch(request, {
      waitUntil: (p: Promise<unknown>) => ctx.waitUntil(p),
    });
    response.headers.set(UPSTREAM_HEADER, current.emulator ? 'emulator' : 'voipbin');
    return response;
  },
};
