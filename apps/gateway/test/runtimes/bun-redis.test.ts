/**
 * Two Bun entries (src/runtime/bun.ts, run as bun.test.ts runs it) on one Redis: call owners,
 * idempotency keys, the rate limit and live call status shared between them
 * (shared-state.ts holds the cases, run for Deno too).
 */
import { findBun } from '../support/runtimes.ts';
import { describeSharedState } from './shared-state.ts';
import { bunEntry } from './support.ts';

describeSharedState('Bun', findBun(), (binary) => bunEntry(binary));
