/**
 * The Cloudflare Workers entry with OpenTelemetry traces: `npx wrangler deploy
 * src/runtime/worker-traced.ts` (same wrangler.toml, bindings and Durable Objects as
 * src/runtime/worker.ts). With OTEL_EXPORTER_OTLP_ENDPOINT among the Worker's vars (and
 * OTEL_EXPORTER_OTLP_HEADERS as a secret, if the collector wants a key), each request's spans
 * are sent over OTLP/HTTP after its answer, with `waitUntil`. An isolate has no
 * AsyncLocalStorage here: a VoIPBIN request finds its operation's span by its request id, and
 * a store operation (a Durable Object call) has no span.
 */
import { log } from '../log.ts';
import { createTracing, readTracingEnv } from './tracing/index.ts';
import { workerApp } from './worker-app.ts';

export { CallEvents } from '../durable/events-object.ts';
export { GatewayStore } from '../durable/store-object.ts';

export default workerApp({
  tracing: (env) => {
    const config = readTracingEnv(env);
    if (!config) return undefined;
    // Batched within a request; flushed after each answer (a timer may not outlive it).
    const tracing = createTracing(config, { scheduledDelayMs: 60_000 });
    log.say('info', `traces to ${tracing.description}`);
    return tracing;
  },
});
