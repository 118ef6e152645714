/**
 * The Deno entry: `deno run -A src/runtime/deno.ts` (deno.json sets `nodeModulesDir: manual`, so
 * the npm and workspace packages come from the pnpm node_modules; nothing is downloaded). Also the
 * entrypoint for Deno Deploy. Same settings as the Node entry, GATEWAY_REDIS_URL included
 * (shared-state.ts: the store and the event fanout in Redis), and GATEWAY_DENO_KV (the store in
 * Deno KV, Deno Deploy's database).
 */
import { readEnv, storeWarning } from '../env.ts';
import { createGateway } from '../gateway.ts';
import { log } from '../log.ts';
import type { Kv } from '../security/store-deno-kv.ts';
import { singleConnection } from '../single-connection.ts';
import { localGraphiQL } from './graphiql.ts';
import { openSharedState } from './shared-state.ts';
import { readTracingEnv } from './tracing/env.ts';

/** The little of Deno's API used here, so the project needs no Deno types. */
declare const Deno: {
  env: { toObject(): Record<string, string> };
  serve(
    options: {
      port: number;
      signal?: AbortSignal;
      onListen?: (address: { hostname: string; port: number }) => void;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void> };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  exit(code?: number): never;
  /** Deno KV (deno.json: `unstable: ["kv"]`), for GATEWAY_DENO_KV. */
  openKv(path?: string): Promise<Kv>;
};

const env = readEnv(Deno.env.toObject());
// Connected before the gateway serves anything: a Redis that does not answer fails the start.
const shared = await openSharedState(env, { openKv: (path) => Deno.openKv(path) });
// OpenTelemetry traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; else not loaded.
const tracingEnv = readTracingEnv(Deno.env.toObject());
const tracing = tracingEnv
  ? (await import('./tracing/start.ts')).startTracing(tracingEnv)
  : undefined;
const gateway = createGateway({
  ...env,
  security: { ...env.security, ...(shared.store ? { store: shared.store } : {}) },
  graphiql: localGraphiQL,
  singleConnection: singleConnection(),
  events: { ...env.events, ...(shared.fanout ? { fanout: shared.fanout } : {}) },
  ...(tracing ? { observer: tracing.observer } : {}),
});
// Subscribed to the fanout: states from other instances arrive from the first request on.
await gateway.ready();
for (const warning of gateway.warnings) log.say('warn', warning);
const warning = storeWarning(env, 'Deno');
if (warning) log.say('warn', warning);
// Metrics are served by the Node and Bun entries (prom-client); said rather than ignored.
if (/^(true|1)$/i.test(Deno.env.toObject().GATEWAY_METRICS?.trim() ?? '')) {
  log.say(
    'warn',
    'GATEWAY_METRICS is ignored on Deno: the Node and Bun entries serve /metrics (see the README, Metrics)',
  );
}

// Listening before Deno.serve: onListen may print the URL line before Deno.serve returns, and
// whoever waits for that line may send a signal at once.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, () => stop.abort());
}

const server = Deno.serve(
  {
    port: env.port,
    signal: stop.signal,
    onListen: ({ port }) => {
      log.say(
        'info',
        `voipbin-kit gateway on http://localhost:${port}/graphql${env.production ? '' : ' (GraphiQL)'}`,
      );
      if (tracing) log.say('info', `traces to ${tracing.description}`);
      log.say(
        'info',
        `upstream: ${gateway.upstreamDescription}${shared.notes.store}; call events: ${gateway.events.source.kind}${shared.notes.events}`,
      );
    },
  },
  (request) => gateway.fetch(request),
);

// The emulator's timers (and Redis' connections) would keep the process alive: close what the
// gateway holds, then exit, once the server has closed.
server.finished
  .then(() => gateway.close())
  .then(() => tracing?.shutdown())
  .then(() => shared.close())
  .finally(() => Deno.exit(0));
