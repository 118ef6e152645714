import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where `pnpm dev` sends `/graphql`: the gateway started with `pnpm start` (port 4000). */
const GATEWAY = process.env.GATEWAY_URL ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [react()],
  server: {
    // http-proxy streams the answer as it comes, so SSE (text/event-stream) passes through.
    proxy: { '/graphql': { target: GATEWAY, changeOrigin: true } },
  },
  preview: {
    proxy: { '/graphql': { target: GATEWAY, changeOrigin: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names under dist/assets (Vite's default), so they may be cached forever.
    assetsDir: 'assets',
  },
});
