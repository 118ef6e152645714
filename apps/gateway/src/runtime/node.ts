import { createServer } from 'node:http';
import { readEnv } from '../env.ts';
import { createGateway } from '../gateway.ts';

const env = readEnv(process.env);
const gateway = createGateway(env);
const server = createServer(gateway);

server.listen(env.port, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  console.log(
    `voipbin-kit gateway on http://localhost:${port}/graphql${env.production ? '' : ' (GraphiQL)'}`,
  );
  console.log(`upstream: ${gateway.upstreamDescription}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
