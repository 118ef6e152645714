// Case E for bench/run.mjs: live call status over Server-Sent Events. A gateway (its sources,
// bundled from bench/events/server.ts, one fresh process per size) on a node:http server on
// 127.0.0.1, fed by the default WebSocket source from its embedded manual-clock emulator; N
// subscribers in this process, all on `subscription { callEvents { id status updatedAt } }`, each
// on its own connection.
//
// The run: quickstart calls are placed one every 137 ms of the emulator's clock (`calls` of them
// at the largest N, proportionally more at a smaller one: as many frames at every N), and the
// clock is moved 1 ms at a time until the next event goes out; the next step only once every
// subscriber has every frame so far (closed loop: no event waits behind another, so a latency is
// one event's fan-out to N subscribers). Measured:
//
//   frames/s   SSE frames received in all / wall time from the first emission to the last frame
//   p50, p99   per frame: parsed by the subscriber − emitted by the emulator (matched by call id
//              and updatedAt), both on the monotonic clock, which every process shares
//   CPU        the gateway process's (from /proc, as the other cases) and this process's (the
//              subscribers' reading and parsing), per frame
//
// Every subscriber must receive every event, once, in the order emitted; otherwise the run fails.
// A warm-up of a few calls, not counted, goes first.
//
// After each size, its floor: the same subscribers, calls and measure on node:http alone
// (bench/servers/events-floor.mjs, no GraphQL), as F is B's floor. The gateway's figures over
// the floor's are what the gateway adds; the floor's are this machine's sockets and subscribers.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlingOnly, percentile } from '@voipbin-kit/bench-kit';
import { startProcess } from '@voipbin-kit/process';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
/** Case E's floor: node:http handing each subscriber the frame, nothing else (its own file). */
const FLOOR = join(root, 'bench/servers/events-floor.mjs');
const QUERY = 'subscription { callEvents { id status updatedAt } }';
/** Clock ms between two calls placed: a prime, so that two calls' events rarely share a ms. */
const PLACE_EVERY_MS = 137;
/** How long a step may wait for every subscriber to have every frame. */
const STEP_TIMEOUT_MS = 30_000;

const now = () => Number(process.hrtime.bigint());
/** Call id and updatedAt: a state's identity, whatever the timestamp's notation. */
const keyOf = (id, updatedAt) => `${id} ${String(updatedAt).replace(/\D/g, '')}`;

/** Bundles the server (the gateway from its exports, its TypeScript sources), its npm imports left to apps/gateway. */
async function bundle() {
  const dir = await mkdtemp(join(root, 'apps/gateway/node_modules/.bench-events-'));
  const file = join(dir, 'server.mjs');
  await build({
    entryPoints: [join(root, 'bench/events/server.ts')],
    bundle: true,
    // The gateway from its sources (by its package exports); npm packages resolve at run time.
    plugins: [bundlingOnly(['@voipbin-kit/gateway'])],
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    outfile: file,
    logLevel: 'warning',
  });
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts the server for `subscribers` (its own process group); `call(message)` asks it over IPC. */
async function startServer(file, subscribers) {
  const server = await startProcess({
    command: process.execPath,
    // As `fork` would: this process's Node flags too.
    args: [...process.execArgv, file, String(subscribers)],
    env: { ...process.env, NODE_ENV: 'production' },
    what: 'events server',
    ipc: true,
    ready: /^events server on 127\.0\.0\.1:\d+$/m,
    outputLimit: 4_000,
  });
  const port = /^events server on 127\.0\.0\.1:(\d+)$/m.exec(server.output())?.[1];
  const pending = new Map();
  let seq = 0;
  server.child.on('message', (message) => {
    const waiter = pending.get(message.seq);
    pending.delete(message.seq);
    if (message.error) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  // A server that dies answers nothing more: what it was asked fails, saying why.
  void server.exited.then(({ code, signal }) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`events server exited (${code ?? signal}):\n${server.output()}`));
    pending.clear();
  });
  return {
    pid: server.pid,
    url: `http://127.0.0.1:${port}/graphql`,
    call: (message) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        server.child.send({ ...message, seq: id });
      }),
    async stop() {
      await server.stop(3_000);
    },
  };
}

/**
 * Opens one SSE subscription; every `next` frame is parsed and stamped on arrival. Resolves
 * once the answer's headers are in (200, text/event-stream), rejects otherwise.
 */
function subscribe(url, agent, onFrame) {
  const sub = { keys: [], at: [], ended: false, error: undefined, request: undefined };
  const body = JSON.stringify({ query: QUERY });
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        accept: 'text/event-stream',
      },
    });
    sub.request = req;
    req.on('error', (error) => {
      sub.error ??= error;
      sub.ended = true;
      reject(error);
    });
    req.on('response', (response) => {
      if (
        response.statusCode !== 200 ||
        !response.headers['content-type']?.includes('text/event-stream')
      ) {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () =>
          reject(new Error(`${response.statusCode}: ${text.slice(0, 300)}`)),
        );
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.startsWith('event: next')) {
            if (frame.startsWith('event: complete')) sub.ended = true;
            continue; // a `:` heartbeat
          }
          const data = frame.slice(frame.indexOf('\ndata: ') + 7);
          const result = JSON.parse(data);
          const call = result.data?.callEvents;
          if (!call || result.errors) {
            sub.error ??= new Error(`an error frame: ${data.slice(0, 300)}`);
            continue;
          }
          sub.keys.push(keyOf(call.id, call.updatedAt));
          sub.at.push(now());
          onFrame(sub, true);
        }
      });
      response.on('close', () => {
        sub.ended = true;
        onFrame(sub, false);
      });
      resolve(sub);
    });
    req.end(body);
  });
}

/**
 * One size: a fresh gateway, `subscribers` streams, `warmup` calls not counted, then `calls`.
 * @returns the figures, and `failed`: how many subscribers missed, repeated or reordered a frame
 */
async function measure(file, { subscribers, calls, warmup, cpuMs, rssMb }) {
  const server = await startServer(file, subscribers);
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const subs = [];
  try {
    // Wakes the step loop once every subscriber has `expected` frames (or one has ended): each
    // frame counts the subscribers it brings to `expected`, so a frame costs O(1) here.
    let expected = 0;
    let reached = 0;
    let wake;
    const onFrame = (sub, frame) => {
      if (frame && sub.keys.length === expected) reached++;
      if (wake && (reached === subscribers || sub.ended || sub.error)) wake();
    };
    for (let i = 0; i < subscribers; i += 50) {
      const batch = Math.min(50, subscribers - i);
      subs.push(
        ...(await Promise.all(
          Array.from({ length: batch }, () => subscribe(server.url, agent, onFrame)),
        )),
      );
    }
    await server.call({ kind: 'wait', subscriptions: subscribers });

    /** Places `n` calls and steps the clock until all have hung up, in a closed loop. */
    const run = async (n) => {
      let placed = 0;
      for (;;) {
        const step = await server.call({
          kind: 'step',
          place: n - placed,
          placeEveryMs: PLACE_EVERY_MS,
          maxMs: 60_000,
        });
        placed += step.placed;
        expected += step.events;
        reached = subs.filter((sub) => sub.keys.length >= expected).length;
        await new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            wake = undefined;
            const short = subs.filter((s) => s.keys.length < expected).length;
            reject(
              new Error(
                `${short} of ${subscribers} subscribers short of ${expected} frames after ${STEP_TIMEOUT_MS / 1000} s`,
              ),
            );
          }, STEP_TIMEOUT_MS);
          wake = () => {
            wake = undefined;
            clearTimeout(timer);
            resolve();
          };
          if (reached === subscribers || subs.some((sub) => sub.ended || sub.error)) wake();
        });
        const broken = subs.find((sub) => sub.ended || sub.error);
        if (broken) throw new Error(`a stream ended early: ${broken.error ?? 'closed'}`);
        if (placed === n && step.active === 0) return;
      }
    };

    await run(warmup);
    await server.call({ kind: 'take' });
    for (const sub of subs) {
      sub.keys = [];
      sub.at = [];
    }
    expected = 0;

    const cpuBefore = { gateway: cpuMs(server.pid), here: process.cpuUsage() };
    await run(calls);
    const gatewayCpu = cpuMs(server.pid) - cpuBefore.gateway;
    const hereUsage = process.cpuUsage(cpuBefore.here);
    const hereCpu = (hereUsage.user + hereUsage.system) / 1000;
    const rss = rssMb(server.pid);
    const emitted = await server.call({ kind: 'take' });

    // Every subscriber: every event, once, in the order emitted; each frame's latency.
    const emittedAt = new Map(emitted.map(([id, updatedAt, at]) => [keyOf(id, updatedAt), +at]));
    const order = emitted.map(([id, updatedAt]) => keyOf(id, updatedAt));
    if (emittedAt.size !== order.length) throw new Error('two events with the same id and time');
    const latencies = new Float64Array(subscribers * order.length);
    let n = 0;
    let failed = 0;
    let firstFailure;
    let last = 0;
    for (const [i, sub] of subs.entries()) {
      const same = sub.keys.length === order.length && sub.keys.every((k, j) => k === order[j]);
      if (!same) {
        failed++;
        firstFailure ??= `subscriber ${i}: ${sub.keys.length} frames of ${order.length}, first difference at ${sub.keys.findIndex((k, j) => k !== order[j])}`;
        continue;
      }
      for (let j = 0; j < sub.keys.length; j++) {
        latencies[n++] = (sub.at[j] - emittedAt.get(sub.keys[j])) / 1e6;
        if (sub.at[j] > last) last = sub.at[j];
      }
    }
    if (firstFailure) console.error(`  case E@${subscribers}: ${failed} failed: ${firstFailure}`);
    const sorted = latencies.subarray(0, n).sort();
    const seconds = (last - +emitted[0][2]) / 1e9;
    return {
      subscribers,
      calls,
      warmup,
      events: order.length,
      frames: n,
      seconds,
      fps: n / seconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[n - 1],
      gatewayCpuPerFrame: (gatewayCpu * 1000) / n,
      subscriberCpuPerFrame: (hereCpu * 1000) / n,
      gatewayCpuShare: gatewayCpu / 1000 / seconds,
      subscriberCpuShare: hereCpu / 1000 / seconds,
      rss,
      failed,
    };
  } finally {
    for (const sub of subs) sub.request?.destroy();
    agent.destroy();
    await server.stop();
  }
}

/**
 * Case E at each size in `subscribers`, one after the other: `calls` at the largest size, and
 * proportionally more at a smaller one, so that each size delivers about as many frames.
 * @param {{ subscribers?: number[], calls?: number, warmup?: number, cpuMs: (pid: number) => number, rssMb: (pid: number) => number, log?: (line: string) => void }} options
 */
export async function benchEvents({
  subscribers = [100, 1000],
  calls = 20,
  warmup = 3,
  cpuMs,
  rssMb,
  log = () => {},
}) {
  const { file, remove } = await bundle();
  try {
    const results = new Map();
    const largest = Math.max(...subscribers);
    const said = (name, size, r) =>
      log(
        `${name} ${size} subscribers: ${r.events} events, ${r.fps.toFixed(0)} frames/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.gatewayCpuPerFrame.toFixed(1)} µs/frame`,
      );
    for (const size of subscribers) {
      // As many frames at every size: a smaller one plays proportionally more calls.
      const played = Math.max(1, Math.round((calls * largest) / size));
      const settings = { subscribers: size, calls: played, warmup, cpuMs, rssMb };
      const result = await measure(file, settings);
      said('E', size, result);
      // The same subscribers and frames on node:http alone, right after: the machine's floor.
      result.floor = await measure(FLOOR, settings);
      said('E.floor', size, result.floor);
      results.set(size, result);
    }
    return results;
  } finally {
    await remove();
  }
}
