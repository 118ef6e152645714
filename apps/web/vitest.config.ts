import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    // The type tests (a misspelt field must not compile) run with `tsc` in `typecheck`.
    typecheck: { enabled: false },
  },
});
