// Case E's server, bundled and started by bench/events.mjs: the gateway (its TypeScript sources,
// configured as the live call status runs by default: the WebSocket source on the
// embedded emulator) on a node:http server on 127.0.0.1, with a manual-clock emulator that the
// parent drives over IPC. Every event the emulator emits is stamped here, at emission, on the
// monotonic clock (process.hrtime, CLOCK_MONOTONIC: the same clock in every process).
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulator } from '@voipbin-kit/emulator';
import { createGateway } from '@voipbin-kit/gateway';
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';

const subscribers = Number(process.argv[2] ?? '1000');
const emulator = createEmulator({ clock: 'manual' });
const gateway = createGateway({
  upstream: { kind: 'emulator', emulator },
  production: true,
  events: { source: 'websocket', maxPerPrincipal: subscribers, maxSubscriptions: subscribers },
});

/** [call id, tm_update, emitted at (ns, monotonic)] of each event since the last `take`. */
let emitted: [string, string, string][] = [];
emulator.subscribe((event) => {
  const at = process.hrtime.bigint();
  const data = event.data as { id: string; tm_update: string };
  emitted.push([data.id, data.tm_update, String(at)]);
});

const TALK =
  'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.';
const QUICKSTART = JSON.stringify({
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [{ type: 'talk', option: { text: TALK, gender: 'female', language: 'en-US' } }],
});

const CREATE_CALL = JSON.stringify({
  query: `mutation {
  createCall(input: {
    source: { type: TEL, target: "+821028286521" }
    destinations: [{ type: TEL, target: "+821021656521" }]
    actions: [{ talk: { text: "${TALK}", gender: FEMALE, language: "en-US" } }]
  }) { calls { id } }
}`,
});

/** Places one quickstart call on the emulator (not through the gateway: only events are measured). */
async function place() {
  const response = await emulator.fetch(
    new Request('http://emulator/v1.0/calls?accesskey=bench', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: QUICKSTART,
    }),
  );
  if (response.status !== 200) throw new Error(`placing a call: ${await response.text()}`);
}

// A gateway opens its event socket for the customers it has seen its account act as, which a
// createCall (or a read of a call) through it teaches: one call placed through it first, played
// to its end before anyone subscribes, and its events forgotten.
{
  const response = await gateway.fetch(
    new Request('http://gateway.local/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: CREATE_CALL,
    }),
  );
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"')) throw new Error(`createCall: ${text}`);
  while (emulator.stats().active > 0) emulator.advance(100);
  emitted = [];
}

type Message =
  | { kind: 'wait'; subscriptions: number }
  | { kind: 'step'; place: number; placeEveryMs: number; maxMs: number }
  | { kind: 'take' };

/** The clock time at which the next call may be placed. */
let nextPlaceAt = 0;

const handlers: Record<Message['kind'], (message: never) => unknown> = {
  /** Resolves once `subscriptions` are open and the event socket is up (bounded: READY_TIMEOUT_MS). */
  async wait({ subscriptions }: { subscriptions: number }) {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const stats = gateway.events.stats();
      if (
        stats.subscriptions === subscriptions &&
        stats.sockets === 1 &&
        emulator.stats().sockets === 1
      ) {
        // The socket's subscription to the topic goes out as it opens, in microtasks: a turn more.
        await new Promise((resolve) => setTimeout(resolve, 50));
        return stats;
      }
      if (Date.now() > deadline)
        throw new Error(
          `not ready after ${READY_TIMEOUT_MS / 1000} s: waited for ${subscriptions} subscriptions and one event socket; now ${JSON.stringify(stats)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  },
  /**
   * Moves the clock 1 ms at a time until an event goes out (at most `maxMs`), placing a call
   * whenever `placeEveryMs` have passed since the last one, while `place` remain to be placed.
   */
  async step({ place: toPlace, placeEveryMs, maxMs }: Extract<Message, { kind: 'step' }>) {
    const before = emitted.length;
    let placed = 0;
    for (let ms = 0; ms < maxMs; ms++) {
      if (placed < toPlace && emulator.clock.now() >= nextPlaceAt) {
        await place();
        placed++;
        nextPlaceAt = emulator.clock.now() + placeEveryMs;
      }
      if (emitted.length > before) break;
      emulator.advance(1);
      if (emitted.length > before) break;
    }
    return { events: emitted.length - before, placed, active: emulator.stats().active };
  },
  take() {
    const taken = emitted;
    emitted = [];
    return taken;
  },
};

const server = createServer(gateway.yoga);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.on('message', async (message: Message & { seq: number }) => {
  try {
    const result = await handlers[message.kind](message as never);
    process.send?.({ seq: message.seq, result });
  } catch (error) {
    process.send?.({ seq: message.seq, error: String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
// An exit of its own, so that a --cpu-prof run still writes its profile.
process.on('SIGTERM', () => process.exit(0));
// The ready signal bench/events.mjs waits for.
console.log(`events server on 127.0.0.1:${(server.address() as AddressInfo).port}`);
