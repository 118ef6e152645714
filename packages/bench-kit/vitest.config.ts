import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A hang guard, not a bound on speed: loading wrangler's config reader the first time took
    // over 5 s (vitest's default) from a fresh clone with a core kept busy; workerd starts too.
    testTimeout: 120_000,
    // What a test starts (workerd) carries this package's mark, which the global teardown looks for.
    setupFiles: ['@voipbin-kit/process/vitest/setup'],
    globalSetup: ['@voipbin-kit/process/vitest/global-setup'],
  },
});
