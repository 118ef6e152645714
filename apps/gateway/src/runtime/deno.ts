/**
 * The Deno entry: `deno run -A src/runtime/deno.ts` (deno.json sets `nodeModulesDir: manual`, so
 * the npm and workspace packages come from the pnpm node_modules; nothing is downloaded). Also the
 * entrypoint for Deno Deploy. Same settings and output as the Node entry.
 */
import { readEnv, storeWarning } from '../env.ts';
import { createGateway } from '../gateway.ts';
import { singleConnection } from '../single-connection.ts';
import { localGraphiQL } from './graphiql.ts';

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
};

const env = readEnv(Deno.env.toObject());
const gateway = createGateway({
  ...env,
  graphiql: localGraphiQL,
  singleConnection: singleConnection(),
});
// Only the Node entry has a Redis client: say so rather than ignore the setting.
for (const warning of gateway.warnings) console.warn(warning);
const warning = storeWarning(env, 'Deno');
if (warning) console.warn(warning);

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
      console.log(
        `voipbin-kit gateway on http://localhost:${port}/graphql${env.production ? '' : ' (GraphiQL)'}`,
      );
      console.log(
        `upstream: ${gateway.upstreamDescription}; call events: ${gateway.events.source.kind}`,
      );
    },
  },
  (request) => gateway.fetch(request),
);

// The emulator's timers would keep the process alive: exit once the server has closed.
server.finished.finally(() => Deno.exit(0));
