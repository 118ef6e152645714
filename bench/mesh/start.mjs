#!/usr/bin/env node
// Case D of the benchmark: Hive Gateway serving the supergraph that GraphQL Mesh composes from
// VoIPBIN's OpenAPI spec (mesh.config.ts), to the emulator (or any VoIPBIN-compatible base URL).
//
//   PORT=4100 UPSTREAM=http://127.0.0.1:9000/v1.0 node bench/mesh/start.mjs
//
// env:
//   PORT              where the gateway listens, on 127.0.0.1 (default 4100)
//   UPSTREAM          VoIPBIN base URL (default http://127.0.0.1:9000/v1.0)
//   VOIPBIN_TOKEN     the credential the gateway sends upstream as `Authorization: Bearer`
//                     (default "bench"; the emulator takes any non-empty one)
//   MESH_OPENAPI_SPEC the spec (default <repo>/reference/voipbin-calls-openapi.yaml)
//
// 1. Composes the supergraph with `mesh-compose` (a child process, ~1 s; in a process group of
//    its own, ended with this one) unless .mesh/ already holds one for the same spec,
//    mesh.config.ts and UPSTREAM.
// 2. Runs the `hive-gateway supergraph` CLI in THIS process (one worker, no fork), so the pid the
//    harness spawned is the gateway's pid (CPU time and RSS from /proc/<pid> are the gateway's).
// 3. Polls the gateway's own GET /readiness (200 once the supergraph is loaded; at most
//    VOIPBIN_KIT_READY_TIMEOUT_MS, 3 minutes by default) and then prints one line to stdout:
//    `mesh gateway ready on http://127.0.0.1:<PORT>/graphql`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { httpOk, READY_TIMEOUT_MS, runProcess, waitUntil } from '@voipbin-kit/process';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const port = process.env.PORT || '4100';
const upstream = process.env.UPSTREAM || 'http://127.0.0.1:9000/v1.0';
const spec = resolve(
  process.env.MESH_OPENAPI_SPEC || join(here, '../../reference/voipbin-calls-openapi.yaml'),
);
process.env.VOIPBIN_TOKEN ||= 'bench';
process.env.NODE_ENV ||= 'production';
process.env.LOG_LEVEL ||= 'error'; // the CLI's own start-up lines; gateway.config.ts sets 'error' too

if (!existsSync(spec)) {
  console.error(`mesh: OpenAPI spec not found at ${spec} (set MESH_OPENAPI_SPEC)`);
  process.exit(1);
}

// --- 1. compose (cached by spec, config and upstream) -------------------------------------------
const meshConfig = join(here, 'mesh.config.ts');
const key = createHash('sha256')
  .update(readFileSync(spec))
  .update(readFileSync(meshConfig))
  .update(upstream)
  .digest('hex')
  .slice(0, 16);
const outDir = join(here, '.mesh');
const supergraph = join(outDir, `supergraph-${key}.graphql`);
if (!existsSync(supergraph)) {
  mkdirSync(outDir, { recursive: true });
  const composePkg = require.resolve('@graphql-mesh/compose-cli/package.json');
  const composeBin = join(dirname(composePkg), require(composePkg).bin['mesh-compose']);
  // In a group of its own, bounded, and ended with this process if it is stopped meanwhile.
  const composed = await runProcess({
    command: process.execPath,
    args: [composeBin, '-o', supergraph],
    cwd: here,
    env: { ...process.env, UPSTREAM: upstream, MESH_OPENAPI_SPEC: spec },
    what: 'mesh-compose',
    timeoutMs: READY_TIMEOUT_MS,
  }).catch((error) => ({ code: 1, output: error.message }));
  if (composed.code !== 0) {
    console.error(`mesh: composition failed\n${composed.output}`);
    process.exit(1);
  }
}

// A port already taken would let step 3 see another server's /readiness: fail before serving.
await new Promise((resolveFree) => {
  const probe = createServer()
    .once('error', (error) => {
      console.error(`mesh: cannot listen on 127.0.0.1:${port} (${error.code})`);
      process.exit(1);
    })
    .listen(Number(port), '127.0.0.1', () => probe.close(resolveFree));
});

// --- 2. serve: the hive-gateway CLI, in-process ----------------------------------------------------
const gatewayPkg = require.resolve('@graphql-hive/gateway/package.json');
const gatewayBin = join(dirname(gatewayPkg), require(gatewayPkg).bin['hive-gateway']);
process.argv = [
  process.argv[0],
  gatewayBin,
  'supergraph',
  supergraph,
  '--config-path',
  join(here, 'gateway.config.ts'),
  '--host',
  '127.0.0.1',
  '--port',
  port,
  '--fork',
  '1',
];
await import(pathToFileURL(gatewayBin).href);

// --- 3. readiness ----------------------------------------------------------------------------------
const readiness = `http://127.0.0.1:${port}/readiness`;
try {
  await waitUntil(httpOk(readiness), {
    what: 'mesh: the gateway',
    waitingFor: `GET ${readiness} answering 200`,
  });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
console.log(`mesh gateway ready on http://127.0.0.1:${port}/graphql`);
