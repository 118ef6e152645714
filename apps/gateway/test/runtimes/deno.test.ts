/**
 * The Deno entry (src/runtime/deno.ts) in real Deno, run as `deno run -A src/runtime/deno.ts`
 * (deno.json: `nodeModulesDir: manual`, so the npm and workspace packages come from the pnpm
 * node_modules).
 * Deno comes from the npm package `deno` (a devDependency). Offline: `--cached-only` and
 * `--no-remote` make any download an error, and DENO_DIR is a fresh temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { findDeno } from '../support/runtimes.ts';
import { describeRuntime } from './support.ts';

const denoDir = mkdtempSync(join(tmpdir(), 'voipbin-gateway-deno-'));
afterAll(() => rmSync(denoDir, { recursive: true, force: true }));

describeRuntime('Deno', findDeno(), (binary) => ({
  command: binary,
  args: ['run', '-A', '--cached-only', '--no-remote', 'src/runtime/deno.ts'],
  env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
}));
