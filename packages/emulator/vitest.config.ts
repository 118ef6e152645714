import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    // What a test starts carries this package's mark; the global teardown fails the run if one
    // is still alive (@voipbin-kit/process).
    setupFiles: ['@voipbin-kit/process/vitest/setup'],
    globalSetup: ['@voipbin-kit/process/vitest/global-setup'],
  },
});
