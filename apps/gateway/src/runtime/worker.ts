/**
 * The Cloudflare Workers entry (`wrangler dev` / `wrangler deploy`, see wrangler.toml): the
 * gateway as src/runtime/worker-app.ts makes it, once per isolate. Without traces: a Worker
 * pays for every byte at each cold start, and the OpenTelemetry SDK adds 18 KB gzip to this
 * bundle. `wrangler deploy src/runtime/worker-traced.ts` deploys the same Worker with
 * them (docs/decisions/2026-12-07-tracing.md).
 */
import { workerApp } from './worker-app.ts';

// The Durable Object classes wrangler.toml binds: a Worker's main module exports them.
export { CallEvents } from '../durable/events-object.ts';
export { GatewayStore } from '../durable/store-object.ts';

export default workerApp({
  notes: (env) =>
    env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? 'OTEL_EXPORTER_OTLP_ENDPOINT ignored: traces need src/runtime/worker-traced.ts'
      : undefined,
});
