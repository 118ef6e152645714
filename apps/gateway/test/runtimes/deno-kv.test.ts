/**
 * Two Deno entries (src/runtime/deno.ts, run offline as deno.test.ts runs it) on one Deno KV
 * database (GATEWAY_DENO_KV, a SQLite file: on Deno Deploy, the app's database): call owners,
 * idempotency keys and the rate limit shared between them, each following call events on its
 * own socket (shared-state.ts holds the cases, run on Redis for Bun and Deno too).
 */
import { findDeno } from '../support/runtimes.ts';
import { DENO_KV, describeSharedState } from './shared-state.ts';
import { denoEntry } from './support.ts';

describeSharedState('Deno', findDeno(), denoEntry(), DENO_KV);
