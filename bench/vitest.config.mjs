import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    // What a test starts carries this package's mark, which the global teardown looks for.
    setupFiles: ['@voipbin-kit/process/vitest/setup'],
    globalSetup: ['@voipbin-kit/process/vitest/global-setup'],
  },
});
