/**
 * Two Deno entries (src/runtime/deno.ts, run offline as deno.test.ts runs it) on one Deno KV
 * database (GATEWAY_DENO_KV, a SQLite file: on Deno Deploy, the app's database): call owners,
 * idempotency keys and the rate limit shared between them, each following call events on its
 * own socket (shared-state.ts holds the cases, run on Redis for Bun and Deno too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { findDeno } from '../support/runtimes.ts';
import { DENO_KV, describeSharedState } from './shared-state.ts';

const denoDir = mkdtempSync(join(tmpdir(), 'voipbin-gateway-deno-'));
afterAll(() => rmSync(denoDir, { recursive: true, force: true }));

describeSharedState(
  'Deno',
  findDeno(),
  (binary) => ({
    command: binary,
    args: ['run', '-A', '--cached-only', '--no-remote', 'src/runtime/deno.ts'],
    env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
  }),
  DENO_KV,
);
