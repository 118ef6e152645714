import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/runtime/node.ts'],
  format: 'esm',
  platform: 'node',
  target: 'es2022',
  outDir: 'dist/runtime',
  sourcemap: true,
  // Bundle the workspace packages; keep the npm ones external.
  deps: { alwaysBundle: [/^@voipbin-kit\//] },
});
