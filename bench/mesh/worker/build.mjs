#!/usr/bin/env node
// Bundles the Hive Gateway Worker (index.ts) the way `wrangler deploy` would, without deploying,
// and prints its size: raw and gzip. The supergraph is composed by mesh-compose from the same
// mesh.config.ts, with UPSTREAM (default http://127.0.0.1:9000/v1.0) as the endpoint.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const require = createRequire(import.meta.url);
const out = join(root, '.mesh', 'worker');
mkdirSync(out, { recursive: true });

const bin = (pkg, name) => {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { bin } = require(manifest);
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin[name]);
};

const spec = resolve(
  process.env.MESH_OPENAPI_SPEC || join(root, '../../reference/voipbin-calls-openapi.yaml'),
);
execFileSync(
  process.execPath,
  [bin('@graphql-mesh/compose-cli', 'mesh-compose'), '-o', join(out, 'supergraph.graphql')],
  {
    cwd: root,
    env: {
      ...process.env,
      UPSTREAM: process.env.UPSTREAM || 'http://127.0.0.1:9000/v1.0',
      MESH_OPENAPI_SPEC: spec,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
const sdl = readFileSync(join(out, 'supergraph.graphql'), 'utf8');
writeFileSync(join(out, 'supergraph.js'), `export default ${JSON.stringify(sdl)};\n`);

execFileSync(
  process.execPath,
  [
    bin('wrangler', 'wrangler'),
    'deploy',
    '--dry-run',
    '--outdir',
    join(out, 'dist'),
    '-c',
    join(here, 'wrangler.toml'),
  ],
  {
    cwd: here,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  },
);

let raw = 0;
let gzip = 0;
for (const file of readdirSync(join(out, 'dist'))) {
  if (!/\.(m?js|wasm)$/.test(file)) continue;
  const path = join(out, 'dist', file);
  raw += statSync(path).size;
  gzip += gzipSync(readFileSync(path), { level: 9 }).length;
}
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(
  `Mesh/Hive Gateway Worker bundle: ${kb(raw)} raw, ${kb(gzip)} gzip (supergraph ${kb(sdl.length)})`,
);
