/**
 * The Bun entry: `bun src/runtime/bun.ts` (Bun runs the TypeScript as it is; the workspace
 * packages resolve to their built dist). Same settings and output as the Node entry.
 */
import { readEnv, storeWarning } from '../env.ts';
import { createGateway } from '../gateway.ts';
import { singleConnection } from '../single-connection.ts';
import { localGraphiQL } from './graphiql.ts';

/** The little of Bun's API used here, so the project needs no Bun types. */
declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: { port: number; fetch: (request: Request) => Response | Promise<Response> }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

const env = readEnv(Bun.env);
const gateway = createGateway({
  ...env,
  graphiql: localGraphiQL,
  singleConnection: singleConnection(),
});
const server = Bun.serve({ port: env.port, fetch: (request) => gateway.fetch(request) });

// Only the Node entry has a Redis client: say so rather than ignore the setting.
for (const warning of gateway.warnings) console.warn(warning);
const warning = storeWarning(env, 'Bun');
if (warning) console.warn(warning);

// Before the URL line: whoever waits for it may send a signal at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.stop(true).finally(() => process.exit(0));
  });
}

console.log(
  `voipbin-kit gateway on http://localhost:${server.port}/graphql${env.production ? '' : ' (GraphiQL)'}`,
);
console.log(`upstream: ${gateway.upstreamDescription}; call events: ${gateway.events.source.kind}`);
