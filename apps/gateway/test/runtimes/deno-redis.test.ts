/**
 * Two Deno entries (src/runtime/deno.ts, run offline as deno.test.ts runs it) on one Redis:
 * call owners, idempotency keys, the rate limit and live call status shared between them
 * (shared-state.ts holds the cases, run for Bun too).
 */
import { findDeno } from '../support/runtimes.ts';
import { describeSharedState } from './shared-state.ts';
import { denoEntry } from './support.ts';

describeSharedState('Deno', findDeno(), denoEntry());
