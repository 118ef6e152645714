import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql 16 ships CJS (main) and ESM (module) builds; Yoga, loaded by Node, gets the CJS one.
  // Resolve ours to the same file, or `instanceof GraphQLError` fails across the two copies.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    // Records every console line and every response the shared helpers get, and fails a file
    // in which a canary credential came out (test/support/canary.ts).
    // And marks whatever a test file starts (test/support/…, Miniflare's workerd) as this
    // package's: the global teardown fails the run if one is still alive (@voipbin-kit/process).
    setupFiles: ['./test/support/canary-setup.ts', '@voipbin-kit/process/vitest/setup'],
    globalSetup: ['@voipbin-kit/process/vitest/global-setup'],
    // `global.gc` for test/security/load.test.ts, which measures the heap after collecting it;
    // the flag costs nothing to the other files (workers are forks, where it is allowed).
    execArgv: ['--expose-gc'],
  },
});
