/**
 * Load, not timed: 2,000 createCall mutations with 50 in flight against a manual-clock emulator
 * (the rate limit off). Zero errors, exactly 2,000 calls placed, and the gateway's heap back
 * near where it started once the emulator has let its calls go. The figures are printed.
 *
 * `global.gc` comes from `--expose-gc` (vitest.config.ts `execArgv`); without it the heap is
 * let settle and the bound is looser.
 */
import { describe, expect, it } from 'vitest';
import { settleRecords } from '../support/canary.ts';
import { emulatedGateway, type GraphQLResult, QUICKSTART } from '../support/graphql.ts';

const TOTAL = 2_000;
const IN_FLIGHT = 50;
const WARM_UP = 200;
const MB = 1024 * 1024;

const CREATE = /* GraphQL */ `mutation Place($input: CreateCallInput!) {
  createCall(input: $input) { calls { id status } }
}`;

const gc = (globalThis as { gc?: () => void }).gc;

/** The heap once garbage is collected (or, without `gc`, once allocation has settled). */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 5; i++) {
    if (gc) gc();
    else {
      // Allocate and drop, so V8 runs its collector on its own.
      let junk: unknown[] | null = Array.from({ length: 200_000 }, (_, n) => ({ n }));
      junk = null;
      void junk;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

describe('load', () => {
  it(`places ${TOTAL} calls, ${IN_FLIGHT} in flight, without an error or a leak`, async () => {
    // A manual clock: no call ends, so every one stays active and readable. Active calls are
    // capped (maxActiveCalls, default 10,000) and finished ones evicted past maxFinishedCalls
    // (default 1,000): both set with room to spare, so none is refused or forgotten.
    const { emulator, gateway } = emulatedGateway(
      { maxActiveCalls: 2 * TOTAL, maxFinishedCalls: 2 * TOTAL },
      { security: { rateLimit: { perMinute: 0 } } },
    );
    let n = 0;
    const place = async (): Promise<GraphQLResult> => {
      const i = n++;
      const response = await gateway.fetch(
        new Request('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            query: CREATE,
            variables: {
              input: {
                source: { type: 'TEL', target: QUICKSTART.source },
                destinations: [{ type: 'TEL', target: `+8210${String(i).padStart(8, '0')}` }],
                actions: [{ talk: { text: `Call ${i}` } }],
              },
            },
          }),
        }),
      );
      return (await response.json()) as GraphQLResult;
    };

    /** Runs `count` placements, `IN_FLIGHT` at a time; returns the ids and the failures. */
    async function run(count: number) {
      const ids: string[] = [];
      const failures: string[] = [];
      let left = count;
      const worker = async () => {
        while (left > 0) {
          left--;
          const answer = await place();
          const id = answer.data?.createCall?.calls?.[0]?.id;
          if (answer.errors || typeof id !== 'string') {
            failures.push(JSON.stringify(answer.errors ?? answer).slice(0, 300));
          } else ids.push(id);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      return { ids, failures };
    }

    // Warm-up: JIT, Yoga's document caches, the emulator's first allocations; then forgotten.
    const warm = await run(WARM_UP);
    expect(warm.failures).toEqual([]);
    emulator.reset();
    await settleRecords();
    const before = await settledHeap();

    const started = performance.now();
    const { ids, failures } = await run(TOTAL);
    const seconds = (performance.now() - started) / 1000;

    expect(failures).toEqual([]);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
    expect(emulator.calls()).toHaveLength(TOTAL);
    expect(emulator.stats()).toMatchObject({ active: TOTAL, finished: 0, held: TOTAL });
    expect(new Set(emulator.calls().map((call) => call.id))).toEqual(new Set(ids));

    const peak = process.memoryUsage().heapUsed;
    // The calls are the emulator's to keep; the gateway must keep nothing of them.
    emulator.reset();
    await settleRecords();
    const after = await settledHeap();

    console.log(
      `load: ${TOTAL} createCall, ${IN_FLIGHT} in flight, in ${seconds.toFixed(2)} s ` +
        `(${Math.round(TOTAL / seconds)} calls/s); heap ${(before / MB).toFixed(1)} MB before, ` +
        `${(peak / MB).toFixed(1)} MB at the end, ${(after / MB).toFixed(1)} MB after ` +
        `(${gc ? 'after gc()' : 'settled, no --expose-gc'})`,
    );
    if (gc) expect(after - before).toBeLessThan(8 * MB);
    else expect(after).toBeLessThan(2 * before + 20 * MB);
  });
});
