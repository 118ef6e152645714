#!/usr/bin/env node
// `pnpm bench:profile`: where the gateway's time goes. Runs case B (the quickstart's createCall
// through the Node entry, production mode, to the emulator) under `node --cpu-prof` for a few
// seconds and sums the profile's self time by area: GraphQL parse/validate/execute, Yoga and its
// server layer, the upstream client, JSON, the gateway's own code, Node's HTTP, GC.
//
//   node bench/profile.mjs [--case B|B2|BT] [--duration 10] [--connections 10] [--top 25] [--keep]
//                          [--area OpenTelemetry]   (the top functions of the areas whose name matches
//                                                    this regular expression, any case)
//                          [--by-caller]   (native code, builtins and node: internals counted for the
//                                           package frame that called them: what each area costs in all;
//                                           the JSON, writev and node:http areas then mostly go to callers)
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bench } from './run.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    top: { type: 'string', default: '25' },
    keep: { type: 'boolean', default: false },
    case: { type: 'string', default: 'B' },
    area: { type: 'string' },
    'by-caller': { type: 'boolean', default: false },
  },
});

/** Areas, first match wins: a frame's URL or function name against each pattern. */
const AREAS = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
  ['program (native, unattributed)', (f) => f.functionName === '(program)'],
  ['socket writes (the writev syscall)', (f) => f.functionName === 'writev' && f.url === ''],
  [
    'graphql parse (lexer, parser)',
    (f) => /graphql\/language\/(lexer|parser|source|blockString)/.test(f.url),
  ],
  ['graphql validate', (f) => /graphql\/(validation|utilities\/TypeInfo)/.test(f.url)],
  [
    'execute (@graphql-tools/executor, graphql values)',
    (f) =>
      /@graphql-tools\/executor|graphql\/execution|graphql\/utilities\/(coerceInputValue|valueFromAST)/.test(
        f.url,
      ),
  ],
  ['graphql other (types, printer, errors)', (f) => /node_modules\/graphql\//.test(f.url)],
  ['graphql-tools/utils', (f) => /@graphql-tools\/utils/.test(f.url)],
  [
    'Yoga, envelop, plugins',
    (f) =>
      /graphql-yoga|@envelop|@graphql-yoga|graphql-armor|@escape\.tech|lru-cache|@pothos/.test(
        f.url,
      ),
  ],
  ['@whatwg-node (Request/Response on node:http)', (f) => /@whatwg-node/.test(f.url)],
  ['upstream client (ofetch, ufo, destr)', (f) => /ofetch|ufo|destr/.test(f.url)],
  ['undici (fetch)', (f) => /undici|internal\/deps\/undici/.test(f.url)],
  ['valibot', (f) => /valibot/.test(f.url)],
  ['core (schemas, normalise, client)', (f) => /packages\/core\/|@voipbin-kit\/core/.test(f.url)],
  ['emulator (bundled, unused here)', (f) => /packages\/emulator\//.test(f.url)],
  [
    'OpenTelemetry (SDK, exporter, the tracing plugin)',
    // The package itself: a .pnpm folder name can carry `@opentelemetry+api` as a peer (@redis/client).
    (f) => /node_modules\/@opentelemetry\/|runtime\/tracing\//.test(f.url),
  ],
  ['gateway code', (f) => /apps\/gateway\//.test(f.url)],
  ['JSON (parse, stringify)', (f) => /^JSON|stringify|parse$/.test(f.functionName) && f.url === ''],
  [
    'node:http and streams',
    (f) => /node:(_http|http|net|stream|internal\/(streams|http|net|stream_base))/.test(f.url),
  ],
  ['node other', (f) => f.url.startsWith('node:')],
  ['native / builtins', (f) => f.url === ''],
  ['other', () => true],
];

/**
 * The source a frame's code came from: the gateway's dist bundles core, the emulator and ofetch,
 * so a frame in dist/runtime/node.mjs is looked up in its source map.
 */
const maps = new Map();
function located(frame) {
  if (!/\/dist\/.*\.mjs$/.test(frame.url)) return frame;
  let map = maps.get(frame.url);
  if (map === undefined) {
    try {
      const file = fileURLToPath(frame.url);
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(frame.url, map);
  }
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (!entry?.originalSource) return frame;
  return {
    ...frame,
    // Relative to the bundle: a package's own maps name `../src/...`.
    url: new URL(entry.originalSource, frame.url).href,
    lineNumber: entry.originalLine,
  };
}

/** A frame of no package: V8's builtins and native code, and Node's own JavaScript. */
const unowned = (frame) =>
  (frame.url === '' || frame.url.startsWith('node:')) && !/^\(.*\)$/.test(frame.functionName);

function summarise(profile, { byCaller = false } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  /** The frame a sample is counted for: its own, or (byCaller) its nearest package caller's. */
  const owner = (id) => {
    const own = located(nodes.get(id).callFrame);
    if (!byCaller || !unowned(own)) return own;
    for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
      const frame = located(nodes.get(at).callFrame);
      if (!unowned(frame) && frame.url !== '') return frame;
    }
    return own;
  };
  const self = new Map();
  // samples[i] happened timeDeltas[i] after the previous one; the delta is that sample's time.
  for (const [i, id] of profile.samples.entries()) {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const byArea = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const [id, micros] of self) {
    const frame = owner(id);
    const area = AREAS.find(([, test]) => test(frame))[0];
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
    const where = frame.url
      .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')
      .replace(/^file:\/\/\/work\/[^/]+\//, '');
    const key = `${frame.functionName || '(anonymous)'}  ${where}:${frame.lineNumber + 1}`;
    const counted = byFunction.get(key) ?? { area, micros: 0 };
    counted.micros += micros;
    byFunction.set(key, counted);
    if (area !== 'idle') total += micros;
  }
  return { byArea, byFunction, total };
}

// The cases whose server is the gateway's Node entry, which `gatewayArgs` start under the profiler.
const PROFILED = ['B', 'B2', 'BT'];
if (!PROFILED.includes(opts.case)) {
  console.error(
    `--case: one of ${PROFILED.join(', ')} (the gateway's Node entry), not ${opts.case}`,
  );
  process.exit(2);
}

let wanted;
try {
  wanted = opts.area === undefined ? undefined : new RegExp(opts.area, 'i');
} catch {
  console.error(`--area: not a regular expression: ${opts.area}`);
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'gateway-profile-'));
try {
  const { served } = await bench({
    cases: [opts.case],
    connections: [Number(opts.connections)],
    duration: Number(opts.duration),
    rounds: 1,
    warmup: 2,
    memory: false,
    gatewayArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
    quiet: true,
  });
  const requests = served.get(opts.case);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('the gateway wrote no profile');
  const { byArea, byFunction, total } = summarise(
    JSON.parse(readFileSync(join(dir, file), 'utf8')),
    { byCaller: opts['by-caller'] },
  );
  const pct = (micros) => `${((micros / total) * 100).toFixed(1).padStart(5)} %`;
  const perRequest = (micros) => `${(micros / 1000 / requests).toFixed(3)} ms`;
  console.log(
    `CPU profile of the gateway, case ${opts.case}, ${requests} requests measured (plus warm-up); busy time by area${opts['by-caller'] ? ' (builtins and node: internals counted for their caller)' : ''}.\n` +
      'The profiler samples wall-clock time: a sample inside a system call counts while the process\n' +
      'waits to run again, so `writev` (which wakes the reader) weighs more here than in /proc CPU.\n',
  );
  console.log('| area | share of busy time | busy ms per request |\n| ---- | ----: | ----: |');
  for (const [area, micros] of [...byArea].sort((a, b) => b[1] - a[1]))
    if (area !== 'idle') console.log(`| ${area} | ${pct(micros)} | ${perRequest(micros)} |`);
  console.log(
    `\nTop ${opts.top} functions by ${opts['by-caller'] ? 'time counted (builtins for their caller)' : 'self time'}${wanted ? ` in the areas matching /${opts.area}/i` : ''}:\n`,
  );
  for (const [name, { micros }] of [...byFunction]
    .filter(([, counted]) => !wanted || wanted.test(counted.area))
    .sort((a, b) => b[1].micros - a[1].micros)
    .slice(0, Number(opts.top)))
    console.log(`${pct(micros)}  ${perRequest(micros).padStart(9)}  ${name}`);
  if (opts.keep) console.log(`\nprofile kept: ${join(dir, file)}`);
} finally {
  if (!opts.keep) await rm(dir, { recursive: true, force: true });
}
