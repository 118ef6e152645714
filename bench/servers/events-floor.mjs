// Case E's floor (bench/events.mjs): what this machine's node:http costs to hand one SSE frame
// to each of N subscribers, with nothing of GraphQL, Yoga or the gateway. It speaks case E's IPC
// (`wait`, `step`, `take`, as bench/events/server.ts does) and answers every POST with an event
// stream, as the gateway does; each step emits one call state, stamped at emission on the
// monotonic clock, encoded once, and written to every stream, 64 streams a turn of the event
// loop (as the gateway's feed hands its lanes). A call plays six states, one a step, as many as
// the quickstart's call plays on the emulator (its talk action moves `updatedAt` once more).
import { once } from 'node:events';
import { createServer } from 'node:http';

const STATES = ['DIALING', 'RINGING', 'PROGRESSING', 'PROGRESSING', 'TERMINATING', 'HANGUP'];
/** Streams written in one turn of the event loop: the gateway's lane (src/events/follow.ts). */
const LANE_SIZE = 64;
const PING = Buffer.from(':\n\n');

/** @type {import('node:http').ServerResponse[]} */
const streams = [];
/** [call id, updatedAt, emitted at (ns)] of each state since the last `take`. */
let emitted = [];
/** Calls placed and not hung up: [id, index of their next state]. */
const active = [];
let clock = Date.parse('2026-01-15T09:30:00Z');
let placedInAll = 0;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** One state of the first active call, to every stream. */
async function emit() {
  const call = active[0];
  const status = STATES[call[1]++];
  if (call[1] === STATES.length) active.shift();
  clock += 137;
  const updatedAt = new Date(clock).toISOString();
  emitted.push([call[0], updatedAt, String(process.hrtime.bigint())]);
  const frame = Buffer.from(
    `event: next\ndata: ${JSON.stringify({ data: { callEvents: { id: call[0], status, updatedAt } } })}\n\n`,
  );
  for (let i = 0; i < streams.length; i += LANE_SIZE) {
    if (i > 0) await nextTurn();
    for (const stream of streams.slice(i, i + LANE_SIZE)) stream.write(frame);
  }
}

const handlers = {
  async wait({ subscriptions }) {
    for (let i = 0; streams.length < subscriptions; i++) {
      if (i > 1_000)
        throw new Error(`${streams.length} of ${subscriptions} streams open after 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { subscriptions: streams.length };
  },
  /** Places what is asked at once, then emits one state (the parent waits for its frames). */
  async step({ place }) {
    for (let i = 0; i < place; i++) active.push([`floor-call-${++placedInAll}`, 0]);
    if (active.length === 0) return { events: 0, placed: place, active: 0 };
    await emit();
    return { events: 1, placed: place, active: active.length };
  },
  take() {
    const taken = emitted;
    emitted = [];
    return taken;
  },
};

const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    connection: 'keep-alive',
    'cache-control': 'no-cache',
  });
  response.write(PING);
  streams.push(response);
  response.on('close', () => streams.splice(streams.indexOf(response), 1));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.on('message', async (message) => {
  try {
    process.send?.({ seq: message.seq, result: await handlers[message.kind](message) });
  } catch (error) {
    process.send?.({ seq: message.seq, error: String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
console.log(`events server on 127.0.0.1:${server.address().port}`);
