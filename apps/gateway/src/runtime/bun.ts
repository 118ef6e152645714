/**
 * The Bun entry: `bun src/runtime/bun.ts` (Bun runs the TypeScript as it is; the workspace
 * packages resolve to their built dist). Same settings as the Node entry, GATEWAY_REDIS_URL
 * included (shared-state.ts: the store and the event fanout in Redis).
 */
import { readEnv, storeWarning } from '../env.ts';
import { createGateway } from '../gateway.ts';
import { log } from '../log.ts';
import { singleConnection } from '../single-connection.ts';
import { localGraphiQL } from './graphiql.ts';
import { openSharedState } from './shared-state.ts';

/** The little of Bun's API used here, so the project needs no Bun types. */
declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: { port: number; fetch: (request: Request) => Response | Promise<Response> }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

const env = readEnv(Bun.env);
// Connected before the gateway serves anything: a Redis that does not answer fails the start.
const shared = await openSharedState(env);
const gateway = createGateway({
  ...env,
  security: { ...env.security, ...(shared.store ? { store: shared.store } : {}) },
  graphiql: localGraphiQL,
  singleConnection: singleConnection(),
  events: { ...env.events, ...(shared.fanout ? { fanout: shared.fanout } : {}) },
});
// Subscribed to the fanout: states from other instances arrive from the first request on.
await gateway.ready();
const server = Bun.serve({ port: env.port, fetch: (request) => gateway.fetch(request) });

for (const warning of gateway.warnings) log.say('warn', warning);
const warning = storeWarning(env, 'Bun');
if (warning) log.say('warn', warning);

// Before the URL line: whoever waits for it may send a signal at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server
      .stop(true)
      .then(() => gateway.close())
      .then(() => shared.close())
      .finally(() => process.exit(0));
  });
}

log.say(
  'info',
  `voipbin-kit gateway on http://localhost:${server.port}/graphql${env.production ? '' : ' (GraphiQL)'}`,
);
log.say(
  'info',
  `upstream: ${gateway.upstreamDescription}${shared.notes.store}; call events: ${gateway.events.source.kind}${shared.notes.events}`,
);
