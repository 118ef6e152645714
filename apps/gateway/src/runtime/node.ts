import { createServer } from 'node:http';
import { readEnv, storeWarning } from '../env.ts';
import { createGateway } from '../gateway.ts';
import { createRedisStore } from '../security/store-redis.ts';
import { renderLocalGraphiQL } from './graphiql.ts';
import { createNodeFetch } from './node-fetch.ts';

const env = readEnv(process.env);
// Several instances share rate-limit buckets and idempotency keys through Redis.
const store = env.redisUrl ? await createRedisStore({ url: env.redisUrl }) : undefined;
// Calls to VoIPBIN go through undici's request on a keep-alive pool, not the global fetch.
const upstreamFetch = env.upstream.kind === 'voipbin' ? createNodeFetch() : undefined;
const gateway = createGateway({
  ...env,
  ...(upstreamFetch ? { client: { fetch: upstreamFetch } } : {}),
  security: { ...env.security, ...(store ? { store } : {}) },
  renderGraphiQL: renderLocalGraphiQL,
});
const server = createServer(gateway.yoga);

server.listen(env.port, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  console.log(
    `voipbin-kit gateway on http://localhost:${port}/graphql${env.production ? '' : ' (GraphiQL)'}`,
  );
  console.log(`upstream: ${gateway.upstreamDescription}${store ? '; shared store: Redis' : ''}`);
  const warning = storeWarning(env, 'Node');
  if (warning) console.warn(warning);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () =>
    server.close(async () => {
      await store?.close?.();
      await upstreamFetch?.close();
      process.exit(0);
    }),
  );
}
