/**
 * Two Deno entries (src/runtime/deno.ts, run offline as deno.test.ts runs it) on one Redis:
 * call owners, idempotency keys, the rate limit and live call status shared between them
 * (shared-state.ts holds the cases, run for Bun too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { findDeno } from '../support/runtimes.ts';
import { describeSharedState } from './shared-state.ts';

const denoDir = mkdtempSync(join(tmpdir(), 'voipbin-gateway-deno-'));
afterAll(() => rmSync(denoDir, { recursive: true, force: true }));

describeSharedState('Deno', findDeno(), (binary) => ({
  command: binary,
  args: ['run', '-A', '--cached-only', '--no-remote', 'src/runtime/deno.ts'],
  env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
}));
