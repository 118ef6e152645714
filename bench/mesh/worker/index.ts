// Hive Gateway on Cloudflare Workers, as its docs show it (deployment/serverless/cloudflare-workers):
// the runtime package, the supergraph imported as code, the REST transport given statically.
// Used to measure the Worker bundle (build.mjs); one runtime per isolate rather than per request.
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import rest from '@graphql-mesh/transport-rest';
// Written by build.mjs (mesh-compose's output as a string module).
import supergraph from '../.mesh/worker/supergraph.js';

const gateway = createGatewayRuntime({
  supergraph,
  transports: { rest },
  graphiql: false,
  landingPage: false,
  logging: 'error',
});

export default {
  fetch(request: Request, env: Record<string, unknown>, ctx: unknown) {
    return gateway(request, env, ctx);
  },
};
