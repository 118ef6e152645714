import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    // The type tests (a misspelt field must not compile) run with `tsc` in `typecheck`.
    typecheck: { enabled: false },
    // Hang guards above the waits inside: the browser test's longest test waits twice for the
    // page (UI_WAIT_MS, 60 s each, test/e2e/harness.ts); its hooks set their own.
    testTimeout: 150_000,
    // One file at a time: each browser test file starts Chromium and a gateway, and two at
    // once on a 2-core machine only make each slower (the unit files take seconds).
    fileParallelism: false,
    hookTimeout: 60_000,
    // What a test starts (the gateway, Chromium) carries this package's mark; the global
    // teardown fails the run if one is still alive (@voipbin-kit/process).
    setupFiles: ['@voipbin-kit/process/vitest/setup'],
    globalSetup: ['@voipbin-kit/process/vitest/global-setup'],
  },
});
