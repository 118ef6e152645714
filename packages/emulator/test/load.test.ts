import { expect, test } from 'vitest';
import { createEmulator, type EmulatorEvent } from '../src/index.ts';
import { conforming } from './support/conforming.ts';

/**
 * Ten thousand calls through the handler, run to the end on the manual clock, with memory held
 * to `maxFinishedCalls`. Not a timed test: it prints its rates for a person to read.
 */

const CALLS = 10_000;
const PER_REQUEST = 10;
const MAX_FINISHED = 1_000;

test(`${CALLS} calls are placed, all run to hangup, and memory stays within maxFinishedCalls`, async () => {
  const emulator = conforming(createEmulator({ maxFinishedCalls: MAX_FINISHED }));
  const seededFlows = emulator.stats().flows;
  const hangups = new Map<string, number>();
  let events = 0;
  emulator.subscribe((event: EmulatorEvent) => {
    events++;
    if (event.type === 'call_hangup') {
      const reason = String(event.data.hangup_reason);
      hangups.set(reason, (hangups.get(reason) ?? 0) + 1);
    }
  });

  // ---- placing them -------------------------------------------------------------------
  const placed = new Set<string>();
  const startCreate = performance.now();
  for (let r = 0; r < CALLS / PER_REQUEST; r++) {
    const destinations = Array.from({ length: PER_REQUEST }, (_, d) => ({
      type: 'tel',
      target: `+8210${String(r * PER_REQUEST + d).padStart(8, '0')}`,
    }));
    const response = await emulator.fetch(
      new Request('http://emulator.test/v1.0/calls', {
        method: 'POST',
        headers: { authorization: 'Bearer load-test-token', 'content-type': 'application/json' },
        body: JSON.stringify({
          source: { type: 'tel', target: '+821028286521' },
          destinations,
          actions: [
            { type: 'talk', option: { text: `Hello caller ${r}`, language: 'en-US' } },
            { type: 'sleep', option: { duration: 1_000 + (r % 7) * 500 } },
          ],
        }),
      }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { calls: { id: string }[] };
    for (const call of body.calls) placed.add(call.id);
  }
  const createMs = performance.now() - startCreate;
  expect(placed.size).toBe(CALLS);
  expect(emulator.stats()).toMatchObject({ active: CALLS, finished: 0, held: CALLS });

  // ---- running them to the end ----------------------------------------------------------
  const startRun = performance.now();
  // A second at a time, as a ticking clock would; every call is over well within 60 s.
  for (let second = 0; second < 120 && emulator.stats().active > 0; second++) {
    emulator.advance(1_000);
  }
  const runMs = performance.now() - startRun;

  const rate = (ms: number) => Math.round(CALLS / (ms / 1_000));
  console.log(
    `load: ${CALLS} calls placed in ${Math.round(createMs)} ms (${rate(createMs)} calls/s), ` +
      `run to hangup in ${Math.round(runMs)} ms (${rate(runMs)} calls/s), ${events} events`,
  );

  // Every call hung up, the way a normal call does.
  expect(hangups).toEqual(new Map([['normal', CALLS]]));
  expect(events).toBe(CALLS * 7);

  // Memory: only the newest finished calls are held, and the temporary flows of the
  // forgotten ones went with them.
  const stats = emulator.stats();
  expect(stats.active).toBe(0);
  expect(stats.finished).toBeLessThanOrEqual(MAX_FINISHED);
  expect(stats.held).toBeLessThanOrEqual(MAX_FINISHED);
  const held = emulator.calls();
  expect(held).toHaveLength(stats.held);
  for (const call of held) expect(call.status).toBe('hangup');
  // Exactly the temporary flows of the calls still held remain (of 1 000 made).
  const flows = emulator.flows();
  expect(flows).toHaveLength(stats.flows);
  const temporary = flows.slice(seededFlows).map((flow) => flow.id);
  expect(new Set(temporary)).toEqual(new Set(held.map((call) => call.flow_id)));
  expect(temporary.length).toBeLessThanOrEqual(MAX_FINISHED);
  console.log(
    `load: held ${stats.held} finished calls and ${temporary.length} temporary flows of ${CALLS / PER_REQUEST}`,
  );
});
