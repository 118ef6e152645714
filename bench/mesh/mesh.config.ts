// Case D of the benchmark: the GraphQL API a user would generate from VoIPBIN's own OpenAPI
// spec with GraphQL Mesh (compose) + Hive Gateway (serve), the current recommended setup.
//
// `mesh-compose -o supergraph.graphql` reads this file and writes the supergraph; `start.mjs`
// runs it when the supergraph is missing or was composed for another upstream.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

// start.mjs passes an absolute path; the fallback is relative to bench/mesh (the cwd of mesh-compose).
const spec = process.env.MESH_OPENAPI_SPEC ?? '../../reference/voipbin-calls-openapi.yaml';
const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:9000/v1.0';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('VoIPBIN', {
        source: spec,
        // The spec's servers entry is https://api.voipbin.net/v1.0; point it at the emulator.
        endpoint: upstream,
        // VoIPBIN takes the token as ?token=... (the quickstart) or a Bearer header; the emulator
        // accepts both. Interpolated at request time by the gateway.
        operationHeaders: {
          Authorization: 'Bearer {env.VOIPBIN_TOKEN}',
        },
      }),
    },
  ],
});
