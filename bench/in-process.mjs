#!/usr/bin/env node
// `pnpm bench:js`: the gateway's own JavaScript per request, without the HTTP server in front:
// the quickstart's createCall through `gateway.fetch` (built as the Node entry builds it, with
// case B's settings), one request after another, CPU µs per request from process.cpuUsage().
// One fresh process per upstream:
//
//   canned   the emulator's answer recorded once, returned at once: the gateway's JS alone
//   undici   the Node entry's fetch (src/runtime/node-fetch.ts) to the emulator on 127.0.0.1
//   whatwg   @whatwg-node/fetch's fetch (Yoga's on Node) to that emulator
//   global   Node's global fetch to that emulator
//
//   node bench/in-process.mjs [--upstreams canned,undici,whatwg,global] [--requests 20000]
//                             [--query createCall|typename]
//   BENCH_JS_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p' node bench/in-process.mjs   (a profile)
//
// The harness (bench/in-process/harness.ts) imports the gateway by its package exports, which
// are its TypeScript sources: it is bundled with esbuild first, its npm imports left to resolve
// from apps/gateway.
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundlingOnly } from '@voipbin-kit/bench-kit';
import { runProcess } from '@voipbin-kit/process';
import { build } from 'esbuild';
import { startEmulator } from './run.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: opts } = parseArgs({
  options: {
    upstreams: { type: 'string', default: 'canned,undici,whatwg,global' },
    requests: { type: 'string', default: '20000' },
    query: { type: 'string', default: 'createCall' },
  },
});

const UPSTREAMS = ['canned', 'undici', 'whatwg', 'global'];
const upstreams = opts.upstreams.split(',').filter(Boolean);
const unknown = upstreams.filter((name) => !UPSTREAMS.includes(name));
if (unknown.length > 0) {
  console.error(`unknown upstream ${unknown.join(', ')}: use ${UPSTREAMS.join(', ')}`);
  process.exit(2);
}

// Inside apps/gateway, so that `graphql-yoga`, `undici`... resolve as the gateway's own.
const dir = await mkdtemp(join(root, 'apps/gateway/node_modules/.bench-in-process-'));
const harness = join(dir, 'harness.mjs');
const nodeArgs = process.env.BENCH_JS_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const emulator = await startEmulator();
// Interrupted, it still removes its bundle (@voipbin-kit/process ends the emulator and the harness).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, async () => {
    await rm(dir, { recursive: true, force: true });
    process.exit(code);
  });
}
try {
  await build({
    entryPoints: [join(root, 'bench/in-process/harness.ts')],
    bundle: true,
    // The gateway from its sources (by its package exports); npm packages resolve at run time.
    plugins: [bundlingOnly(['@voipbin-kit/gateway'])],
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    outfile: harness,
    logLevel: 'warning',
  });
  console.log(
    `${opts.query}, ${opts.requests} requests in a row after 3,000 to warm up; Node ${process.version}\n`,
  );
  console.log(
    '| upstream | CPU µs/request | wall µs/request |\n| -------- | -------------: | --------------: |',
  );
  for (const upstream of upstreams) {
    // Not execFileSync: a signal meanwhile must reach this process's handlers (and the run).
    const run = await runProcess({
      command: process.execPath,
      args: [...nodeArgs, harness, upstream, emulator.url, opts.requests, opts.query],
      env: { ...process.env, NODE_ENV: 'production' },
      what: `the ${upstream} harness`,
    });
    if (run.code !== 0)
      throw new Error(`the ${upstream} harness failed (${run.code ?? run.signal}):\n${run.output}`);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1));
    console.log(
      `| ${upstream} | ${result.cpuMicros.toFixed(1)} | ${result.wallMicros.toFixed(1)} |`,
    );
  }
} finally {
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
}
