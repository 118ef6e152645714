/**
 * The Bun entry (src/runtime/bun.ts) in real Bun, run as `pnpm start:bun` does: the TypeScript
 * source as it is, the workspace packages from their built dist. Bun comes from the npm package
 * `bun` (a devDependency); `--no-install` keeps it from fetching anything.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { findBun } from '../support/runtimes.ts';
import { APP, describeRuntime } from './support.ts';

const bun = findBun();

describeRuntime('Bun', bun, (binary) => ({
  command: binary,
  args: ['--no-install', 'src/runtime/bun.ts'],
  env: { DO_NOT_TRACK: '1', BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0' },
}));

// `pnpm start:bun` goes through this launcher, since pnpm leaves node_modules/.bin/bun a stub.
it.skipIf(bun.path === undefined)('scripts/bun.mjs runs the same Bun binary', () => {
  const result = spawnSync(process.execPath, ['scripts/bun.mjs', '--version'], {
    cwd: APP,
    encoding: 'utf8',
    timeout: 15_000,
  });
  expect(result.stderr).toBe('');
  expect(result.stdout.trim()).toBe(bun.version);
});
