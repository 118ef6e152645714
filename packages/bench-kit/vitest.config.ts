import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // What a test starts (workerd) carries this package's mark, which the global teardown looks for.
    setupFiles: ['@voipbin-kit/process/vitest/setup'],
    globalSetup: ['@voipbin-kit/process/vitest/global-setup'],
  },
});
