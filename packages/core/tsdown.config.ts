import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  sourcemap: true,
  // One output module per source module: with `"sideEffects": false`, a bundler drops every
  // module an app does not import (the 39 actions it does not send, the registry of all of them).
  unbundle: true,
});
