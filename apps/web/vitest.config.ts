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
    // page (UI_WAIT_MS, 60 s each, test/e2e/page.e2e.test.ts); its hooks set their own.
    testTimeout: 150_000,
    hookTimeout: 60_000,
    // What a test starts (the gateway, Chromium) carries this package's mark; the global
    // teardown fails the run if one is still alive (@voipbin-kit/process).
    setupFiles: ['@voipbin-kit/process/vitest/setup'],
    globalSetup: ['@voipbin-kit/process/vitest/global-setup'],
  },
});
