#!/usr/bin/env node
// `pnpm bench`: every case in one run, on loopback, in alternating rounds (A F B B2 BT C D W, A ...),
// at 10 connections and at 1; one table of req/s, p50, p99, the CPU time per request of each
// server process (from /proc/<pid>/stat, so the OS's count, not the server's) and its RSS.
//
//   A   POST /v1.0/calls straight to the emulator over HTTP: the no-gateway limit
//   F   node:http + one undici request to the emulator, no GraphQL: a Node gateway's I/O floor
//   B   the quickstart's createCall through the gateway (Node entry, production mode, API-key
//       auth, the toll-fraud policy, armor limits; only the rate limit off) to that emulator
//   B2  the same selecting only `id status`
//   BT  B with OpenTelemetry traces on (OTEL_EXPORTER_OTLP_ENDPOINT), exported to a local
//       receiver (bench/servers/otlp-sink.mjs, its own process): what tracing costs a createCall
//   C   Yoga with a trivial `{ hello }` schema and Yoga's defaults: GraphQL's floor
//   D   a gateway generated from voipbin-calls-openapi.yaml by GraphQL Mesh / Hive Gateway
//   W   B on workerd (the Worker bundle `wrangler deploy` would upload)
//
// Then the memory check: a fresh gateway, its RSS, live heap and caches after 10,000 createCalls,
// after half of --mutations and after all of them: once the bounded caches are full, a plateau.
// Then case E, live call status (bench/events.mjs): N subscribers on `callEvents` over SSE, at
// each N of --subscribers, while the emulator plays --event-calls calls (at the largest N; more at
// a smaller one, for as many frames); frames/s, the latency
// from the emulator's event to the subscriber's frame (p50, p99), CPU per frame. Right after
// each size, E.floor: the same subscribers and frames from node:http alone
// (bench/servers/events-floor.mjs), what this machine's sockets cost a fan-out.
//
//   node bench/run.mjs [--duration 5] [--rounds 3] [--warmup 2] [--cases A,F,B,B2,BT,C,D,W,E]
//                      [--connections 10,1] [--mutations 200000] [--no-memory] [--out file.md]
//                      [--subscribers 100,1000] [--event-calls 20]
//                      [--gateway path/to/dist/runtime/node.mjs]   (another build of the gateway for B)
//                      [--compare label=path/to/dist/runtime/node.mjs,...]
//
// --compare adds a case B.<label> per build, run in the same alternating rounds as B: the
// quickstart's createCall through that build's Node entry, set up as B. The report then has a
// table of each build's CPU per createCall beside the next one's (oldest first, B last): what
// each feature between two builds costs a request. With BT among the cases it adds BT.<label>
// too, and a table of each build's BT/B: what a change to the tracing saves, in one run.
//
// Linux only (/proc). Nothing leaves 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  budgets,
  findWorkerd,
  percentile,
  readWranglerConfig,
  workerdConfig,
} from '@voipbin-kit/bench-kit';
import { measureColdStart, measureWorkerBundle } from '@voipbin-kit/gateway/budgets';
import { freePort, httpOk, startProcess, waitUntil } from '@voipbin-kit/process';
import autocannon from 'autocannon';
import { benchEvents } from './events.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Issue 24's goals, each printed as met or not (none is a timed test): budgets.json's. */
const { benchGoals: GOALS, workerBundle, workerColdStart } = budgets;

// ---- processes ---------------------------------------------------------------------------

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) a process has used, in ms, as the kernel counts it. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Resident set size in MB. */
function rssMb(pid) {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/**
 * Starts a server in a process group of its own (ended with this process, however it ends) and
 * waits until its ready signal, `ready`: a RegExp for a line it prints, or a URL whose GET must
 * answer 200; at most READY_TIMEOUT_MS (minutes: a loaded machine starts slowly).
 * @returns {Promise<{ pid: number, heaps: number[], stop(): Promise<void> }>}
 */
async function start(label, command, args, { env = {}, ready, cwd = root }) {
  // The heap probe's answers (bench/servers/heap-probe.mjs), counted as they arrive: the kept
  // output is only the last 4,000 characters.
  const heaps = [];
  // And the Node entry's own answer to that signal: its caches, as counts.
  const caches = [];
  const lines = () => {
    let pending = '';
    return (chunk) => {
      const all = (pending + chunk).split('\n');
      pending = all.pop() ?? '';
      for (const line of all) {
        const heap = /^heap-used (\d+)$/.exec(line.trim());
        if (heap) heaps.push(Number(heap[1]));
        const counts = /^\[gateway\] caches (\{.*\})$/.exec(line.trim());
        if (counts) caches.push(JSON.parse(counts[1]));
      }
    };
  };
  const streams = { stdout: lines(), stderr: lines() };
  const server = await startProcess({
    command,
    args,
    cwd,
    env: { ...process.env, ...env },
    what: label,
    ready: typeof ready === 'string' ? httpOk(ready) : ready,
    outputLimit: 4_000,
    onOutput: (text, stream) => streams[stream](text),
  });
  return {
    pid: server.pid,
    /** The live heaps, in bytes, the process has reported so far. */
    heaps,
    /** What its caches held (`gateway.caches()`), each time it was asked. */
    caches,
    async stop() {
      await server.stop(3_000);
    },
  };
}

// ---- what is sent ------------------------------------------------------------------------

const API_KEY = 'bench-api-key';
const ACCESS_KEY = 'bench-access-key';
const TALK =
  'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.';

/** The quickstart's body, verbatim but for the numbers. */
const QUICKSTART = {
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [{ type: 'talk', option: { text: TALK, gender: 'female', language: 'en-US' } }],
};

const createCall = (selection) =>
  JSON.stringify({
    query: `mutation {
  createCall(input: {
    source: { type: TEL, target: "+821028286521" }
    destinations: [{ type: TEL, target: "+821021656521" }]
    actions: [{ talk: { text: "${TALK}", gender: FEMALE, language: "en-US" } }]
  }) { ${selection} }
}`,
  });

const REALISTIC =
  'calls { id status direction source { type target } destination { type target } action { type } createdAt } groupcalls { id }';

const graphqlOk = (body) => body.includes('"data"') && !body.includes('"errors"');

// ---- the cases ---------------------------------------------------------------------------

/** Everything the cases share: one emulator, started once (bench/in-process.mjs uses it too). */
export async function startEmulator() {
  const port = await freePort();
  const server = await start(
    'emulator',
    process.execPath,
    // Calls end within milliseconds: the emulator's cap on calls in progress (10,000) is never hit.
    [join(root, 'packages/emulator/dist/bin.mjs'), '--port', String(port), '--speed', '1000'],
    { ready: `http://127.0.0.1:${port}/v1.0/calls?accesskey=${ACCESS_KEY}&page_size=1` },
  );
  return { ...server, url: `http://127.0.0.1:${port}/v1.0` };
}

function gatewayEnv(emulatorUrl, port) {
  return {
    PORT: String(port),
    NODE_ENV: 'production',
    VOIPBIN_BASE_URL: emulatorUrl,
    VOIPBIN_ACCESS_KEY: ACCESS_KEY,
    GATEWAY_API_KEY_HASHES: createHash('sha256').update(API_KEY).digest('hex'),
    GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
  };
}

const GATEWAY_ENTRY = join(root, 'apps/gateway/dist/runtime/node.mjs');

async function startGateway(emulatorUrl, nodeArgs = [], entry = GATEWAY_ENTRY, env = {}) {
  const port = await freePort();
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first`);
  const server = await start('gateway', process.execPath, [...nodeArgs, entry], {
    env: { ...gatewayEnv(emulatorUrl, port), ...env },
    ready: `http://127.0.0.1:${port}/health`,
  });
  return { ...server, url: `http://127.0.0.1:${port}/graphql` };
}

/** Serves `code`, the Worker bundle (`measureWorkerBundle`), on workerd. */
async function startWorkerd(emulatorUrl, code) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-workerd-'));
  const port = await freePort();
  const { PORT: _, ...env } = gatewayEnv(emulatorUrl, port);
  const wrangler = await readWranglerConfig(join(root, 'apps/gateway/wrangler.toml'));
  await writeFile(join(dir, 'worker.js'), code);
  // As B runs: the gateway's state in its own memory (here the isolate's, which the Worker
  // allows only when told), so B/W compares the runtimes, not a store. A deployed Worker keeps
  // it in Durable Objects, whose every write is a round trip to another machine: workerd's
  // local SQLite would measure this disk instead (6-13 ms a request here), neither of the two.
  // The Worker reaches the emulator on loopback.
  await writeFile(
    join(dir, 'config.capnp'),
    workerdConfig({
      port,
      compatibilityDate: wrangler.compatibility_date,
      bindings: { ...env, GATEWAY_ALLOW_ISOLATE_STATE: 'true' },
      outbound: true,
    }),
  );
  const server = await start('workerd', findWorkerd(), ['serve', join(dir, 'config.capnp')], {
    ready: `http://127.0.0.1:${port}/health`,
  });
  return {
    ...server,
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startYogaHello() {
  const port = await freePort();
  const server = await start(
    'yoga-hello',
    process.execPath,
    [join(root, 'bench/servers/yoga-hello.mjs')],
    {
      env: { PORT: String(port) },
      ready: `http://127.0.0.1:${port}/graphql?query=%7Bhello%7D`,
    },
  );
  return { ...server, url: `http://127.0.0.1:${port}/graphql` };
}

async function startFloor(emulatorUrl) {
  const port = await freePort();
  const server = await start('floor', process.execPath, [join(root, 'bench/servers/floor.mjs')], {
    env: gatewayEnv(emulatorUrl, port),
    ready: `http://127.0.0.1:${port}/health`,
  });
  return { ...server, url: `http://127.0.0.1:${port}/graphql` };
}

async function startMesh(emulatorUrl) {
  const mesh = await import(join(root, 'bench/mesh/case.mjs'));
  return mesh.start({ emulatorUrl, freePort, start });
}

const gatewayRequest = (body) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
  body,
  verify: graphqlOk,
});

/** BT's receiver of spans, in a process of its own. */
async function startOtlpSink() {
  const port = await freePort();
  const server = await start(
    'otlp-sink',
    process.execPath,
    [join(root, 'bench/servers/otlp-sink.mjs')],
    {
      env: { PORT: String(port) },
      ready: `http://127.0.0.1:${port}/stats`,
    },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    ...server,
    endpoint,
    /** The exports received so far. */
    exports: async () => (await (await fetch(`${endpoint}/stats`)).json()).exports,
  };
}

/** B and B2: one gateway (started by whichever runs first), two selections. */
async function sharedGatewayCase(shared, selection) {
  shared.gateway ??= await startGateway(
    shared.emulator.url,
    shared.gatewayArgs,
    shared.gatewayEntry,
  );
  return {
    server: shared.gateway,
    url: shared.gateway.url,
    ...gatewayRequest(createCall(selection)),
  };
}

/** B.<label> of --compare: B through another build's Node entry, on a gateway of its own. */
function comparedCase(label, entry) {
  return {
    title: `gateway ${label} (Node), createCall`,
    async setup(shared) {
      const server = await startGateway(shared.emulator.url, [], entry);
      return { server, own: true, url: server.url, ...gatewayRequest(createCall(REALISTIC)) };
    },
  };
}

/**
 * BT, and BT.<label> of --compare: B through `entry` with traces on, to a receiver of spans in a
 * process of its own.
 */
async function tracedCase(shared, name, entry, nodeArgs = []) {
  const sink = await startOtlpSink();
  const gateway = await startGateway(shared.emulator.url, nodeArgs, entry, {
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
    OTEL_SERVICE_NAME: 'bench-gateway',
  }).catch(async (error) => {
    await sink.stop();
    throw error;
  });
  const server = {
    ...gateway,
    async stop() {
      try {
        await gateway.stop();
      } finally {
        await sink.stop();
      }
    },
  };
  const request = gatewayRequest(createCall(REALISTIC));
  try {
    // A gateway that traced nothing would cost nothing: its first answer's spans must reach
    // the receiver (batched: within the SDK's 1 s delay) before the case is measured. Whether
    // the answer is right is the first-answer check's, which every case passes before it runs.
    const first = await fetch(gateway.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    await first.arrayBuffer();
    await waitUntil(async () => (await sink.exports()) > 0, {
      what: `the receiver of case ${name}`,
      waitingFor: "the first export of the gateway's spans",
      timeoutMs: 10_000,
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, own: true, url: gateway.url, ...request };
}

/** A case whose server is its own (stopped after the rounds), sent `body` as JSON. */
const ownServerCase = (server, body, verify) => ({
  server,
  own: true,
  url: server.url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
  verify,
});

/** Each case: what serves it, and the request autocannon sends. */
const CASES = {
  A: {
    title: 'emulator, POST /v1.0/calls',
    async setup(shared) {
      return {
        server: shared.emulator,
        url: `${shared.emulator.url}/calls?accesskey=${ACCESS_KEY}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(QUICKSTART),
        verify: (body) => body.startsWith('{"calls":[{"id":'),
      };
    },
  },
  F: {
    title: 'floor: node:http + undici to the emulator, no GraphQL',
    setup: async (shared) =>
      ownServerCase(await startFloor(shared.emulator.url), createCall(REALISTIC), (body) =>
        body.startsWith('{"data":{"createCall":{"calls":[{"id":'),
      ),
  },
  B: {
    title: 'gateway (Node), createCall',
    setup: (shared) => sharedGatewayCase(shared, REALISTIC),
  },
  B2: {
    title: 'gateway (Node), createCall { id status }',
    setup: (shared) => sharedGatewayCase(shared, 'calls { id status }'),
  },
  BT: {
    title: 'gateway (Node), createCall, traces on (OTLP to a local receiver)',
    setup: (shared) => tracedCase(shared, 'BT', shared.gatewayEntry, shared.gatewayArgs),
  },
  C: {
    title: 'Yoga { hello }, defaults',
    setup: async () =>
      ownServerCase(await startYogaHello(), JSON.stringify({ query: '{ hello }' }), graphqlOk),
  },
  D: {
    title: 'Mesh / Hive Gateway from the OpenAPI spec',
    async setup(shared) {
      const mesh = await startMesh(shared.emulator.url);
      return { server: mesh, own: true, url: mesh.url, ...mesh.request, verify: mesh.verify };
    },
  },
  W: {
    title: 'gateway (workerd), createCall',
    async setup(shared) {
      // Bundled once: the Worker's goals below read the same bundle.
      shared.worker = await measureWorkerBundle();
      const server = await startWorkerd(shared.emulator.url, shared.worker.code);
      return { server, own: true, url: server.url, ...gatewayRequest(createCall(REALISTIC)) };
    },
  },
};

// ---- measuring ---------------------------------------------------------------------------

/** One autocannon run; CPU deltas of the case's server and of the emulator, read from /proc. */
async function load(target, emulatorPid, { connections, duration, amount }) {
  const pids = [target.server.pid, emulatorPid];
  const before = pids.map(cpuMs);
  const latencies = [];
  let sample;
  const run = autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections,
    ...(amount ? { amount } : { duration }),
    verifyBody: (body) => {
      const ok = target.verify(body);
      if (!ok && sample === undefined) sample = body.slice(0, 300);
      return ok;
    },
  });
  run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await run;
  const [server, emulator] = pids.map((pid, i) => cpuMs(pid) - before[i]);
  const ok = result['2xx'] - result.mismatches;
  const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
  if (failed > 0)
    console.error(
      `  ${failed} failed: ${JSON.stringify({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, mismatches: result.mismatches, statusCodes: result.statusCodeStats })}${sample ? `, e.g. ${sample}` : ''}`,
    );
  return {
    ok,
    failed,
    seconds: result.duration,
    latencies,
    serverCpu: server,
    emulatorCpu: emulator,
  };
}

function summarise(runs) {
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    ok,
    failed: runs.reduce((n, r) => n + r.failed, 0),
    rps: ok / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    serverCpuPerReq: runs.reduce((n, r) => n + r.serverCpu, 0) / ok,
    emulatorCpuPerReq: runs.reduce((n, r) => n + r.emulatorCpu, 0) / ok,
  };
}

// ---- the run -----------------------------------------------------------------------------

/**
 * Runs the benchmark. Returns the report (a Markdown table), the summaries by `case@connections`,
 * how many requests each case's server answered in all (warm-up included), and how many failed.
 */
export async function bench({
  cases = ['A', 'F', 'B', 'B2', 'C', 'D', 'W', 'E'],
  connections: connectionCounts = [10, 1],
  duration = 5,
  rounds = 3,
  warmup = 2,
  mutations = 200_000,
  memory: checkMemory = true,
  subscribers = [100, 1000],
  eventCalls = 20,
  gatewayArgs = [],
  gatewayEntry = GATEWAY_ENTRY,
  compare = [],
  quiet = false,
} = {}) {
  const began = Date.now();
  const log = quiet ? () => {} : (line) => console.error(line);
  for (const { label, entry } of compare) {
    if (!/^[\w-]+$/.test(label))
      throw new Error(`--compare: a label is letters, digits, - or _: ${label}`);
    CASES[`B.${label}`] = comparedCase(label, entry);
    cases = [...cases, `B.${label}`];
    // With BT: that build traced too, so that BT/B is compared build by build.
    if (cases.includes('BT')) {
      CASES[`BT.${label}`] = {
        title: `gateway ${label} (Node), createCall, traces on`,
        setup: (shared) => tracedCase(shared, `BT.${label}`, entry),
      };
      cases = [...cases, `BT.${label}`];
    }
  }
  for (const name of cases)
    if (!CASES[name] && name !== 'E') throw new Error(`unknown case ${name}`);

  const shared = { emulator: await startEmulator(), gatewayArgs, gatewayEntry };
  const targets = new Map();
  const skipped = new Map();
  const served = new Map();
  const count = (name, requests) => served.set(name, (served.get(name) ?? 0) + requests);
  try {
    for (const name of cases) {
      if (name === 'E') continue;
      let target;
      try {
        target = await CASES[name].setup(shared);
        // One request by hand first: a case that answers wrongly is not measured.
        const response = await fetch(target.url, {
          method: target.method,
          headers: target.headers,
          body: target.body,
        });
        const text = await response.text();
        if (response.status !== 200 || !target.verify(text))
          throw new Error(`answered ${response.status}: ${text.slice(0, 300)}`);
        targets.set(name, target);
      } catch (error) {
        // A case not measured stops the servers it started for itself (a shared one stays).
        if (target?.own) await target.server.stop().catch(() => {});
        skipped.set(name, error instanceof Error ? error.message : String(error));
        console.error(`case ${name} skipped: ${skipped.get(name)}`);
      }
    }

    log(`warm-up: ${warmup} s per case`);
    for (const [name, target] of targets) {
      const run = await load(target, shared.emulator.pid, { connections: 10, duration: warmup });
      count(name, run.ok + 1);
    }

    const runs = new Map();
    for (let round = 1; round <= rounds; round++) {
      for (const connections of connectionCounts) {
        for (const [name, target] of targets) {
          const run = await load(target, shared.emulator.pid, { connections, duration });
          const key = `${name}@${connections}`;
          runs.set(key, [...(runs.get(key) ?? []), run]);
          count(name, run.ok);
          log(
            `round ${round} c=${connections} ${name.padEnd(2)} ${(run.ok / run.seconds).toFixed(0)} req/s`,
          );
        }
      }
    }
    const rss = new Map([...targets].map(([name, t]) => [name, rssMb(t.server.pid)]));
    const results = new Map([...runs].map(([key, list]) => [key, summarise(list)]));
    for (const server of new Set([...targets.values()].map((t) => t.server)))
      if (server !== shared.emulator) await server.stop();

    const memory =
      checkMemory && targets.has('B')
        ? await memoryCheck(shared.emulator, mutations, gatewayEntry)
        : undefined;

    // Case E: its own gateways, with their own emulator; a run that cannot verify its frames fails.
    let events;
    if (cases.includes('E')) {
      try {
        events = await benchEvents({ subscribers, calls: eventCalls, cpuMs, rssMb, log });
      } catch (error) {
        skipped.set('E', error instanceof Error ? error.message : String(error));
        console.error(`case E failed: ${skipped.get('E')}`);
      }
    }
    // The Worker's goals with case W: the bundle `wrangler deploy` uploads, and its cold start.
    let worker;
    if (targets.has('W')) {
      worker = {
        bundle: shared.worker,
        cold: await measureColdStart(shared.worker.code, { runs: 3 }),
      };
    }
    const report = render({
      worker,
      compared: compare.map(({ label }) => `B.${label}`),
      names: [...targets.keys()],
      connectionCounts,
      settings: { rounds, duration, warmup },
      results,
      rounds: runs,
      rss,
      skipped,
      memory,
      events,
      began,
    });
    const failed =
      [...results.values()].reduce((n, r) => n + r.failed, 0) +
      (memory?.failed ?? 0) +
      [...(events?.values() ?? [])].reduce((n, r) => n + r.failed + (r.floor?.failed ?? 0), 0) +
      (skipped.has('E') ? 1 : 0);
    return { report, results, events, served, failed, skipped };
  } finally {
    for (const target of targets.values())
      if (target.server !== shared.emulator) await target.server.stop();
    await shared.emulator.stop();
  }
}

/**
 * The gateway's memory at this point: RSS as it is, then a full GC (asked of
 * bench/servers/heap-probe.mjs), the live heap and RSS after it, in MB; and what its caches hold
 * (the Node entry's answer to the same SIGUSR2).
 */
async function memoryNow(server) {
  const raw = rssMb(server.pid);
  const before = { heaps: server.heaps.length, caches: server.caches.length };
  process.kill(server.pid, 'SIGUSR2');
  // Its signal: a `heap-used` line, after a full GC (slow on a loaded machine).
  await waitUntil(
    () => server.heaps.length > before.heaps && server.caches.length > before.caches,
    {
      what: 'the gateway (heap probe)',
      waitingFor: 'a heap-used line and a caches line after SIGUSR2',
      pollMs: 20,
    },
  );
  return {
    raw,
    heap: (server.heaps.at(-1) ?? 0) / 1e6,
    rss: rssMb(server.pid),
    caches: server.caches.at(-1) ?? {},
  };
}

/**
 * A fresh gateway: its memory (`memoryNow`) after the first 10,000 createCalls (a tenth of
 * `total`, at most), after half of `total` and after all of it. Each point is read the same way:
 * RSS before and after a full GC, whose own effect on RSS would otherwise favour a later reading.
 */
async function memoryCheck(emulator, total, entry) {
  const probe = join(root, 'bench/servers/heap-probe.mjs');
  const gateway = await startGateway(emulator.url, ['--expose-gc', '--import', probe], entry);
  try {
    const target = { server: gateway, url: gateway.url, ...gatewayRequest(createCall(REALISTIC)) };
    const marks = [Math.min(10_000, Math.floor(total / 10)), Math.floor(total / 2), total];
    const points = [];
    let done = 0;
    let failed = 0;
    for (const mark of marks) {
      const run = await load(target, emulator.pid, { connections: 10, amount: mark - done });
      failed += run.failed;
      done = mark;
      points.push({ calls: mark, ...(await memoryNow(gateway)) });
    }
    return { points, failed };
  } finally {
    await gateway.stop();
  }
}

// ---- the report --------------------------------------------------------------------------

const f = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function render({
  worker,
  compared,
  names,
  connectionCounts,
  settings,
  results,
  rounds,
  rss,
  skipped,
  memory,
  events,
  began,
}) {
  const lines = [];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  lines.push(
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus().length} × ${cpu}`,
  );
  if (names.length > 0)
    lines.push(
      `${settings.rounds} rounds × ${settings.duration} s per case and connection count, alternating; warm-up ${settings.warmup} s; autocannon ${autocannonVersion()}.`,
      '',
      '| case | what | conns | req/s | p50 ms | p99 ms | server CPU ms/req | emulator CPU ms/req | server RSS MB | failed |',
      '| ---- | ---- | ----: | ----: | -----: | -----: | ----------------: | ------------------: | ------------: | -----: |',
    );
  for (const connections of connectionCounts) {
    for (const name of names) {
      const r = results.get(`${name}@${connections}`);
      if (!r) continue;
      const emulatorCpu = name === 'C' ? '–' : f(r.emulatorCpuPerReq, 3);
      lines.push(
        `| ${name} | ${CASES[name].title} | ${connections} | ${f(r.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.serverCpuPerReq, 3)} | ${emulatorCpu} | ${f(rss.get(name), 0)} | ${r.failed} |`,
      );
    }
  }
  for (const [name, why] of skipped) lines.push('', `Case ${name} not measured: ${why}`);

  if (names.includes('B'))
    lines.push(
      '',
      '| ratio | conns | req/s | CPU per request |',
      '| ----- | ----: | ----: | --------------: |',
    );
  for (const other of ['A', 'F', 'C', 'D', 'W']) {
    for (const connections of connectionCounts) {
      const b = results.get(`B@${connections}`);
      const o = results.get(`${other}@${connections}`);
      if (!b || !o) continue;
      lines.push(
        `| B/${other} | ${connections} | ${f(b.rps / o.rps, 2)} | ${f(b.serverCpuPerReq / o.serverCpuPerReq, 2)} |`,
      );
    }
  }

  const goals = [];
  const b10 = results.get('B@10');
  const c10 = results.get('C@10');
  const d10 = results.get('D@10');
  const a10 = results.get('A@10');
  const a1 = results.get('A@1');
  const b1 = results.get('B@1');
  const f1 = results.get('F@1');
  // Under each goal, what bounds it in the same run: the floor F, or A for throughput.
  const bound = (label, value, unit) => `  - ${label}: ${f(value, 2)}${unit}`;
  const c1 = results.get('C@1');
  for (const [b, c, conns] of [
    [b10, c10, 10],
    [b1, c1, 1],
  ]) {
    if (!b || !c) continue;
    goals.push(
      goal(
        `gateway CPU per createCall ≤ ${GOALS.cpuOverYogaHello} × Yoga { hello } (B/C, c=${conns})`,
        b.serverCpuPerReq / c.serverCpuPerReq,
        GOALS.cpuOverYogaHello,
        'x',
      ),
    );
    const floor = results.get(`F@${conns}`);
    if (floor)
      goals.push(
        bound('the floor F alone, no GraphQL', floor.serverCpuPerReq / c.serverCpuPerReq, 'x'),
      );
  }
  for (const conns of [10, 1]) {
    const b = results.get(`B@${conns}`);
    const traced = results.get(`BT@${conns}`);
    if (!b || !traced) continue;
    goals.push(
      goal(
        `traces on: CPU per createCall ≤ ${1 + GOALS.tracingCpuPercent / 100} × traces off (BT/B, c=${conns})`,
        traced.serverCpuPerReq / b.serverCpuPerReq,
        1 + GOALS.tracingCpuPercent / 100,
        'x',
      ),
    );
    // Each round's BT beside the same round's B: how far the machine moved the ratio.
    const ratios = roundRatios(rounds.get(`BT@${conns}`), rounds.get(`B@${conns}`));
    if (ratios.length > 1)
      goals.push(
        `  - each round's BT over the same round's B, lowest first: ${ratios.map((ratio) => `${f(ratio, 2)}x`).join(', ')}`,
      );
  }
  if (b10 && d10) {
    goals.push(
      goal(
        `B throughput ≥ ${GOALS.throughputOverMesh} × D (c=10)`,
        b10.rps / d10.rps,
        GOALS.throughputOverMesh,
        'x',
        true,
      ),
    );
    if (a10)
      goals.push(bound('A, the emulator alone, which B cannot pass', a10.rps / d10.rps, 'x'));
  }
  if (a1 && b1) {
    goals.push(
      goal(
        `B's p50 − A's p50 ≤ ${GOALS.p50OverEmulatorMs} ms (c=1)`,
        b1.p50 - a1.p50,
        GOALS.p50OverEmulatorMs,
        ' ms',
      ),
    );
    if (f1) goals.push(bound("the floor F's p50 − A's p50", f1.p50 - a1.p50, ' ms'));
  }
  if (memory) {
    const [first, half, all] = memory.points;
    const growth = (after, before) => (after / before - 1) * 100;
    const calls = (point) => point.calls.toLocaleString('en');
    goals.push(
      goal(
        `RSS after ${calls(all)} createCalls vs after ${calls(half)}, each after a full GC (${f(half.rss)} -> ${f(all.rss)} MB)`,
        growth(all.rss, half.rss),
        GOALS.memoryPlateauPercent,
        '%',
      ),
      goal(
        `the live heap after ${calls(all)} vs after ${calls(half)} (${f(half.heap, 1)} -> ${f(all.heap, 1)} MB)`,
        growth(all.heap, half.heap),
        GOALS.memoryPlateauPercent,
        '%',
      ),
      bound(
        `from ${calls(first)} to ${calls(half)}, while the caches fill: RSS ${f(first.rss)} -> ${f(half.rss)} MB, live heap ${f(first.heap, 1)} -> ${f(half.heap, 1)} MB`,
        growth(half.heap, first.heap),
        '% (heap)',
      ),
    );
    lines.push(
      '',
      'Memory, a fresh gateway (RSS before and after a full GC, the live heap, and what its caches hold: `gateway.caches()`):',
      '',
      `| createCalls | RSS MB | RSS after GC MB | live heap MB | ${Object.keys(all.caches).join(' | ')} |`,
      `| ----------: | -----: | --------------: | -----------: | ${Object.keys(all.caches)
        .map(() => '---:')
        .join(' | ')} |`,
      ...memory.points.map(
        (point) =>
          `| ${calls(point)} | ${f(point.raw)} | ${f(point.rss)} | ${f(point.heap, 1)} | ${Object.keys(
            all.caches,
          )
            .map((name) => point.caches[name] ?? '–')
            .join(' | ')} |`,
      ),
    );
    if (memory.failed) goals.push(`- memory run: ${memory.failed} requests failed`);
  }
  const builds = [...compared, 'B'].filter((name) => results.has(`${name}@${connectionCounts[0]}`));
  if (builds.length > 1) {
    lines.push(
      '',
      'CPU per createCall, build by build (oldest first; each row: what the changes since the row above cost a request):',
      '',
      `| build | ${connectionCounts.map((c) => `CPU ms/req c=${c} | vs above c=${c}`).join(' | ')} |`,
      `| ----- | ${connectionCounts.map(() => '----------: | ---------:').join(' | ')} |`,
    );
    builds.forEach((name, i) => {
      const cells = connectionCounts.map((c) => {
        const now = results.get(`${name}@${c}`)?.serverCpuPerReq;
        const before = i > 0 ? results.get(`${builds[i - 1]}@${c}`)?.serverCpuPerReq : undefined;
        const delta =
          before === undefined
            ? ''
            : `${now >= before ? '+' : ''}${f((now - before) * 1000, 0)} µs`;
        return `${f(now, 3)} | ${delta}`;
      });
      lines.push(`| ${name === 'B' ? 'B (this tree)' : name} | ${cells.join(' | ')} |`);
    });
  }
  const traced = builds.filter((name) =>
    results.has(`${name.replace(/^B/, 'BT')}@${connectionCounts[0]}`),
  );
  if (traced.length > 1) {
    lines.push(
      '',
      'Traces on over off, build by build (BT/B of each build, CPU per createCall):',
      '',
      `| build | ${connectionCounts.map((c) => `c=${c}`).join(' | ')} |`,
      `| ----- | ${connectionCounts.map(() => '---:').join(' | ')} |`,
    );
    for (const name of traced) {
      const cells = connectionCounts.map((c) => {
        const off = results.get(`${name}@${c}`)?.serverCpuPerReq;
        const on = results.get(`${name.replace(/^B/, 'BT')}@${c}`)?.serverCpuPerReq;
        return off && on ? `${f(on / off, 2)}x` : '–';
      });
      lines.push(`| ${name === 'B' ? 'this tree' : name.slice(2)} | ${cells.join(' | ')} |`);
    }
  }
  const at = events?.get(GOALS.fanoutSubscribers);
  if (at) {
    const n = GOALS.fanoutSubscribers.toLocaleString('en');
    goals.push(
      goal(
        `E at ${n} subscribers: p50 ≤ ${GOALS.fanoutP50Ms} ms`,
        at.p50,
        GOALS.fanoutP50Ms,
        ' ms',
      ),
    );
    // Under each, the floor: node:http handing the same frames to as many subscribers.
    if (at.floor) goals.push(bound("the floor E.floor's p50", at.floor.p50, ' ms'));
    goals.push(
      goal(
        `E at ${n} subscribers: p99 ≤ ${GOALS.fanoutP99Ms} ms`,
        at.p99,
        GOALS.fanoutP99Ms,
        ' ms',
      ),
    );
    if (at.floor) goals.push(bound("the floor E.floor's p99", at.floor.p99, ' ms'));
    goals.push(
      goal(
        `E at ${n} subscribers: gateway CPU ≤ ${GOALS.fanoutCpuPerFrameUs} µs per frame`,
        at.gatewayCpuPerFrame,
        GOALS.fanoutCpuPerFrameUs,
        ' µs',
      ),
    );
    if (at.floor)
      goals.push(bound("the floor E.floor's CPU per frame", at.floor.gatewayCpuPerFrame, ' µs'));
  }
  if (worker) {
    goals.push(
      goal(
        `Worker bundle ≤ ${workerBundle.goalKB} KB gzip`,
        worker.bundle.gzipBytes / 1024,
        workerBundle.goalKB,
        ' KB',
      ),
      goal(
        `Worker cold start: the bundle's compile + top-level eval over a trivial Worker's (median of ${worker.cold.runs} pairs) ≤ ${workerColdStart.compileGoalMs} ms`,
        worker.cold.compileMs,
        workerColdStart.compileGoalMs,
        ' ms',
      ),
      bound(
        "workerd's CPU time to the first createCall over a trivial Worker's",
        worker.cold.cpuAddedMs ?? worker.cold.elapsedAddedMs,
        ' ms',
      ),
    );
  }
  if (goals.length) lines.push('', 'Goals:', ...goals);
  if (events?.size) lines.push('', ...renderEvents(events));
  lines.push('', `Whole run: ${f((Date.now() - began) / 1000)} s.`);
  return lines.join('\n');
}

/** Case E's table: one row per number of subscribers, then how 1,000 compare with 100. */
function renderEvents(events) {
  const all = [...events.values()];
  const lines = [
    `Case E, live call status: subscribers on \`callEvents\` over SSE, one event at a time; quickstart calls (${all.map((r) => `${r.calls} at ${r.subscribers}`).join(', ')}), after ${all[0].warmup} to warm up.`,
    '',
    '| case | what | subscribers | events | frames | frames/s | p50 ms | p99 ms | gateway CPU µs/frame | subscribers CPU µs/frame | gateway RSS MB | failed |',
    '| ---- | ---- | ----------: | -----: | -----: | -------: | -----: | -----: | -------------------: | -----------------------: | -------------: | -----: |',
  ];
  const row = (name, what, r) =>
    `| ${name} | ${what} | ${r.subscribers} | ${r.events} | ${r.frames} | ${f(r.fps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.gatewayCpuPerFrame, 1)} | ${f(r.subscriberCpuPerFrame, 1)} | ${f(r.rss)} | ${r.failed} |`;
  for (const r of all) {
    lines.push(row('E', 'gateway (Node), callEvents over SSE', r));
    if (r.floor) lines.push(row('E.floor', 'node:http alone, the same frames', r.floor));
  }
  const floors = all.filter((r) => r.floor);
  if (floors.length)
    lines.push(
      '',
      `E over its floor (node:http writing each frame, nothing else; measured right after E): ${floors
        .map(
          (r) =>
            `at ${r.subscribers}, gateway CPU per frame ${times(r.gatewayCpuPerFrame / r.floor.gatewayCpuPerFrame)} (${signed(r.gatewayCpuPerFrame - r.floor.gatewayCpuPerFrame, 1)} µs), p50 ${times(r.p50 / r.floor.p50)}`,
        )
        .join('; ')}.`,
    );
  const [low, high] = [all[0], all.at(-1)];
  if (all.length > 1)
    lines.push(
      '',
      `E at ${high.subscribers} subscribers vs ${low.subscribers}: frames/s ${f(high.fps / low.fps, 2)}x, gateway CPU per frame ${f(high.gatewayCpuPerFrame / low.gatewayCpuPerFrame, 2)}x, p50 ${f(high.p50 / low.p50, 1)}x, p99 ${f(high.p99 / low.p99, 1)}x.`,
    );
  return lines;
}

/** A ratio as `1.23x`, or – when there is none (a CPU time that read 0: /proc counts in ticks). */
const times = (ratio) => (Number.isFinite(ratio) ? `${f(ratio, 2)}x` : '–');

/** `value` with its sign, + or −. */
const signed = (value, digits) => `${value < 0 ? '−' : '+'}${f(Math.abs(value), digits)}`;

/** Each round's CPU per request of `on` over the same round's of `off`, lowest first. */
function roundRatios(on = [], off = []) {
  return on
    .map((run, i) =>
      run.ok > 0 && off[i]?.ok > 0
        ? run.serverCpu / run.ok / (off[i].serverCpu / off[i].ok)
        : Number.NaN,
    )
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
}

function goal(label, value, limit, unit, atLeast = false) {
  const met = atLeast ? value >= limit : value <= limit;
  return `- ${label}: ${f(value, 2)}${unit} (${atLeast ? '≥' : '≤'} ${limit}${unit}) ${met ? 'met' : 'NOT met'}`;
}

function autocannonVersion() {
  return JSON.parse(readFileSync(join(root, 'bench/node_modules/autocannon/package.json'), 'utf8'))
    .version;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      cases: { type: 'string', default: 'A,F,B,B2,BT,C,D,W,E' },
      connections: { type: 'string', default: '10,1' },
      mutations: { type: 'string', default: '200000' },
      'no-memory': { type: 'boolean', default: false },
      subscribers: { type: 'string', default: '100,1000' },
      'event-calls': { type: 'string', default: '20' },
      gateway: { type: 'string' },
      compare: { type: 'string', default: '' },
      out: { type: 'string' },
    },
  });
  const { report, failed } = await bench({
    cases: values.cases.split(',').filter(Boolean),
    connections: values.connections.split(',').map(Number),
    duration: Number(values.duration),
    rounds: Number(values.rounds),
    warmup: Number(values.warmup),
    mutations: Number(values.mutations),
    memory: !values['no-memory'],
    subscribers: values.subscribers.split(',').map(Number),
    eventCalls: Number(values['event-calls']),
    ...(values.gateway ? { gatewayEntry: values.gateway } : {}),
    compare: values.compare
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [label, entry] = pair.split('=');
        if (!label || !entry) throw new Error(`--compare takes label=entry pairs: ${pair}`);
        return { label, entry };
      }),
  });
  console.log(report);
  if (values.out) await writeFile(values.out, `${report}\n`);
  if (failed > 0) {
    console.error(`${failed} requests failed or answered wrongly`);
    process.exitCode = 1;
  }
}
