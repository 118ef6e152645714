import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { WebSocketConstructor } from '@voipbin-kit/core';
import { readEnv, readMetricsEnv, storeWarning } from '../env.ts';
import { createGateway } from '../gateway.ts';
import { log } from '../log.ts';
import { singleConnection } from '../single-connection.ts';
import { localGraphiQL } from './graphiql.ts';
import { lingeringClose } from './lingering-close.ts';
import { createNodeFetch } from './node-fetch.ts';
import { combineObservers } from './observe.ts';
import { openSharedState } from './shared-state.ts';
import { pageRoutes } from './static.ts';
import { readTracingEnv } from './tracing/env.ts';

const env = readEnv(process.env);
const metricsEnv = readMetricsEnv(process.env);
/** apps/web/dist, from this file: apps/gateway/dist/runtime/node.mjs (or src/runtime/node.ts). */
const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));
// Several instances share rate-limit buckets, idempotency keys and call owners through Redis,
// and call events: one instance's source reaches every instance's subscribers.
const shared = await openSharedState(env);
const { store, fanout } = shared;
// VoIPBIN's event socket: Node 22 has a WebSocket of its own, Node 20 takes undici's.
const WebSocket =
  env.upstream.kind === 'voipbin'
    ? ((globalThis.WebSocket as WebSocketConstructor | undefined) ??
      ((await import('undici')).WebSocket as unknown as WebSocketConstructor))
    : undefined;
// Calls to VoIPBIN go through undici's request on a keep-alive pool, not the global fetch.
const upstreamFetch = env.upstream.kind === 'voipbin' ? createNodeFetch() : undefined;
// Prometheus metrics on a port of their own; prom-client is loaded only when they are on.
const metrics = metricsEnv ? (await import('./metrics.ts')).createMetrics() : undefined;
// OpenTelemetry traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; else not loaded.
const tracingEnv = readTracingEnv(process.env);
// Exports go through undici's request on a pool of their own, as calls to VoIPBIN do: Node's
// global fetch costs a traced createCall a tenth more CPU (docs/decisions/2026-12-07-tracing.md).
const exportFetch = tracingEnv ? createNodeFetch() : undefined;
const tracing = tracingEnv
  ? (await import('./tracing/start.ts')).startTracing(tracingEnv, { fetch: exportFetch })
  : undefined;
const observer = combineObservers(
  ...[metrics?.observer, tracing?.observer].filter((one) => one !== undefined),
);
// The example frontend (apps/web), built beside this bundle in the repository, at `/`.
const page = env.webDir === '' ? { routes: [] } : await pageRoutes(env.webDir ?? WEB_DIST);
const gateway = createGateway({
  ...env,
  ...(upstreamFetch ? { client: { fetch: upstreamFetch } } : {}),
  security: { ...env.security, ...(store ? { store } : {}) },
  graphiql: localGraphiQL,
  // graphql-sse's single connection mode: a stream lives in this process (sticky sessions
  // behind several instances).
  singleConnection: singleConnection(),
  routes: page.routes,
  events: { ...env.events, ...(fanout ? { fanout } : {}), ...(WebSocket ? { WebSocket } : {}) },
  ...(observer ? { observer } : {}),
});
await gateway.ready();
const metricsServer =
  metrics &&
  createServer(async (request, response) => {
    const url = `http://metrics.local${request.url ?? '/'}`;
    try {
      const answer = await metrics.fetch(new Request(url, { method: request.method ?? 'GET' }));
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    } catch (error) {
      log.line('error', `metrics not collected: ${(error as Error).name}`);
      response.writeHead(500).end();
    }
  });
// Listening before the API: whoever waits for the gateway's lines may scrape at once.
if (metricsServer && metricsEnv) {
  const port = metricsEnv.port;
  await new Promise<void>((resolve, reject) => {
    metricsServer.once('error', reject).listen(port, () => resolve());
  });
  const address = metricsServer.address();
  log.say(
    'info',
    `metrics on http://localhost:${typeof address === 'object' && address ? address.port : port}/metrics`,
  );
}

// A 413 for a body too large is answered at once; the rest of the body is then read and thrown
// away (5 s, 64 MiB at most) so that a client still sending reads the answer, not a reset.
const server = createServer(lingeringClose(gateway.yoga));

server.listen(env.port, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  log.say(
    'info',
    `voipbin-kit gateway on http://localhost:${port}/graphql${env.production ? '' : ' (GraphiQL)'}`,
  );
  if (page.routes.length > 0) log.say('info', `the example page on http://localhost:${port}/`);
  else if ('missing' in page) log.say('info', `no example page at /: ${page.missing}`);
  if (tracing) log.say('info', `traces to ${tracing.description}`);
  log.say('info', `upstream: ${gateway.upstreamDescription}${shared.notes.store}`);
  log.say('info', `call events: ${gateway.events.source.kind}${shared.notes.events}`);
  for (const warning of gateway.warnings) log.say('warn', warning);
  const warning = storeWarning(env, 'Node');
  if (warning) log.say('warn', warning);
});

// `kill -USR2 <pid>`: one line of what the bounded caches hold, as counts (a leak check, the
// bench's memory case). Never a key, an id or a number.
process.on('SIGUSR2', () =>
  log.say('info', `[gateway] caches ${JSON.stringify(gateway.caches())}`),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () =>
    server.close(async () => {
      metricsServer?.close();
      await gateway.close();
      await tracing?.shutdown();
      await exportFetch?.close();
      await shared.close();
      await upstreamFetch?.close();
      process.exit(0);
    }),
  );
}
