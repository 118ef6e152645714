import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test's waits are bounded well within this (30 s at most).
    testTimeout: 60_000,
    setupFiles: ['./vitest/setup.mjs'],
    globalSetup: ['./vitest/global-setup.mjs'],
  },
});
