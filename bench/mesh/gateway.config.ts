// Hive Gateway settings for the benchmark: production-ish, nothing that a benchmark should not pay
// for (no Laboratory/GraphiQL page, no landing page, errors-only logging).
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  graphiql: false,
  landingPage: false,
  logging: 'error',
});
