import { defineConfig } from 'tsdown';

const common = { format: 'esm', target: 'es2022', dts: true, sourcemap: true } as const;

export default defineConfig([
  // The emulator itself runs anywhere fetch does.
  { ...common, entry: ['src/index.ts'], platform: 'neutral' },
  // The HTTP adapter and the command line are for Node.
  { ...common, entry: ['src/node.ts', 'src/bin.ts'], platform: 'node', clean: false },
]);
