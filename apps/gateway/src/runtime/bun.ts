/**
 * The Bun entry: `bun src/runtime/bun.ts` (Bun runs the TypeScript as it is; the workspace
 * packages resolve to their built dist). Same settings as the Node entry, GATEWAY_REDIS_URL
 * included (shared-state.ts: the store and the event fanout in Redis).
 */
import { readEnv, readMetricsEnv, storeWarning } from '../env.ts';
import { createGateway } from '../gateway.ts';
import { log } from '../log.ts';
import { singleConnection } from '../single-connection.ts';
import { localGraphiQL } from './graphiql.ts';
import { combineObservers } from './observe.ts';
import { openSharedState } from './shared-state.ts';
import { readTracingEnv } from './tracing/env.ts';

/** The little of Bun's API used here, so the project needs no Bun types. */
declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: { port: number; fetch: (request: Request) => Response | Promise<Response> }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

const env = readEnv(Bun.env);
const metricsEnv = readMetricsEnv(Bun.env);
// Connected before the gateway serves anything: a Redis that does not answer fails the start.
const shared = await openSharedState(env);
// Prometheus metrics on a port of their own; prom-client is loaded only when they are on.
const metrics = metricsEnv ? (await import('./metrics.ts')).createMetrics() : undefined;
// OpenTelemetry traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; else not loaded.
const tracingEnv = readTracingEnv(Bun.env);
const tracing = tracingEnv
  ? (await import('./tracing/start.ts')).startTracing(tracingEnv)
  : undefined;
const observer = combineObservers(
  ...[metrics?.observer, tracing?.observer].filter((one) => one !== undefined),
);
const gateway = createGateway({
  ...env,
  security: { ...env.security, ...(shared.store ? { store: shared.store } : {}) },
  graphiql: localGraphiQL,
  singleConnection: singleConnection(),
  events: { ...env.events, ...(shared.fanout ? { fanout: shared.fanout } : {}) },
  ...(observer ? { observer } : {}),
});
// Subscribed to the fanout: states from other instances arrive from the first request on.
await gateway.ready();
const server = Bun.serve({ port: env.port, fetch: (request) => gateway.fetch(request) });
const metricsServer =
  metrics && metricsEnv ? Bun.serve({ port: metricsEnv.port, fetch: metrics.fetch }) : undefined;

for (const warning of gateway.warnings) log.say('warn', warning);
const warning = storeWarning(env, 'Bun');
if (warning) log.say('warn', warning);

// Before the URL line: whoever waits for it may send a signal at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    Promise.all([server.stop(true), metricsServer?.stop(true)])
      .then(() => gateway.close())
      .then(() => tracing?.shutdown())
      .then(() => shared.close())
      .finally(() => process.exit(0));
  });
}

log.say(
  'info',
  `voipbin-kit gateway on http://localhost:${server.port}/graphql${env.production ? '' : ' (GraphiQL)'}`,
);
if (metricsServer) log.say('info', `metrics on http://localhost:${metricsServer.port}/metrics`);
if (tracing) log.say('info', `traces to ${tracing.description}`);
log.say(
  'info',
  `upstream: ${gateway.upstreamDescription}${shared.notes.store}; call events: ${gateway.events.source.kind}${shared.notes.events}`,
);
