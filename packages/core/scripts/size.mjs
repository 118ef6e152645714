#!/usr/bin/env node
// Measures what a browser app pays for the client: it bundles an entry that imports only
// `createClient` from the BUILT package (dist/index.js) and places a call, with esbuild
// (platform browser, ESM, minified, tree-shaken), then gzips it at level 9.
//
//   node scripts/size.mjs          prints the size; exits 1 over budget
//   node scripts/size.mjs --why    also lists what the bundle is made of
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { budgets, kib } from '@voipbin-kit/bench-kit';
import { build } from 'esbuild';

// Two apps, through dist as an app's imports would go:
// - `talk`: places calls with talk actions only, so it lists only `TalkActionSchema` (issue 14
//   asked for <= 8 KB; ofetch and valibot alone take 6.4 KB of it, see
//   docs/decisions/2026-12-05-tree-shakeable-actions.md);
// - `all`: sends any of the 44 actions (`ACTION_SCHEMAS`), as a server does.
// Their budgets are budgets.json's (@voipbin-kit/bench-kit), the one place they live.
export const ENTRIES = {
  talk: {
    label: 'core browser bundle (createClient + calls.create, talk only)',
    budgetBytes: kib(budgets.coreBrowserBundle.talkOnlyKB),
    source: `
import { createClient, TalkActionSchema } from './dist/index.js';
export async function placeCall(token, request) {
  return createClient({ token, actions: [TalkActionSchema] }).calls.create(request);
}
`,
  },
  all: {
    label: 'core browser bundle (createClient + calls.create, all 44 actions)',
    budgetBytes: kib(budgets.coreBrowserBundle.allActionsKB),
    source: `
import { ACTION_SCHEMAS, createClient } from './dist/index.js';
export async function placeCall(token, request) {
  return createClient({ token, actions: ACTION_SCHEMAS }).calls.create(request);
}
`,
  },
};
/** The headline figure, `talk`'s. */
export const BUDGET_BYTES = ENTRIES.talk.budgetBytes;
export const LABEL = ENTRIES.talk.label;

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const distEntry = join(packageDir, 'dist', 'index.js');

/**
 * Bundles and gzips one of `ENTRIES`.
 * @param {{ entry?: keyof typeof ENTRIES, external?: string[], source?: string }} [options] the app, packages to leave out of the bundle, and another app's source (importing from ./dist/index.js) to measure instead
 * @returns {Promise<{ label: string, bytes: number, gzipBytes: number, budgetBytes: number, text: string, inputs: { path: string, bytes: number }[] }>}
 */
export async function measureBrowserBundle({ entry = 'talk', external = [], source } = {}) {
  const { label, budgetBytes } = ENTRIES[entry];
  source ??= ENTRIES[entry].source;
  if (!existsSync(distEntry)) {
    throw new Error(`${relative(process.cwd(), distEntry)} is missing: run the build first`);
  }
  const result = await build({
    stdin: { contents: source, resolveDir: packageDir, sourcefile: 'size-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    treeShaking: true,
    metafile: true,
    legalComments: 'none',
    external,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no output');
  const gzipBytes = gzipSync(output.contents, { level: 9 }).length;
  const [meta] = Object.values(result.metafile.outputs);
  const inputs = Object.entries(meta?.inputs ?? {})
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return {
    label,
    bytes: output.contents.length,
    gzipBytes,
    budgetBytes,
    text: output.text,
    inputs,
  };
}

/**
 * What each dependency adds to the gzip size: the bundle's gzip size minus that of the same
 * bundle with the package left out (marked external). Gzip sizes do not add up, so this is the
 * honest per-package number.
 * @returns {Promise<[name: string, gzipBytes: number][]>}
 */
export async function gzipByPackage(
  entry = 'talk',
  names = ['ofetch', 'valibot'],
  gzipBytes = undefined,
) {
  gzipBytes ??= (await measureBrowserBundle({ entry })).gzipBytes;
  const rows = [];
  for (const name of names) {
    const without = await measureBrowserBundle({ entry, external: [name] });
    rows.push([`${name} (and what it imports)`, gzipBytes - without.gzipBytes]);
  }
  const rest = await measureBrowserBundle({ entry, external: names });
  rows.push([`the rest (@voipbin-kit/core itself, without ${names.join(', ')})`, rest.gzipBytes]);
  return rows;
}

/** Sums the inputs by package (`valibot`, `ofetch`, `@voipbin-kit/core`, ...). */
export function byPackage(inputs) {
  const totals = new Map();
  for (const { path, bytes } of inputs) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path);
    const name = match?.[1] ?? (path.includes('size-entry') ? '(entry)' : '@voipbin-kit/core');
    totals.set(name, (totals.get(name) ?? 0) + bytes);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * A line `pnpm size` prints (and the bundle-size test too).
 * @param {{ label?: string, gzipBytes: number, budgetBytes: number }} size
 */
export function sizeLine({ label = LABEL, gzipBytes, budgetBytes }) {
  return `${label}: ${kb(gzipBytes)} gzip (budget ${budgetBytes / 1024} KB)`;
}

async function main() {
  for (const entry of Object.keys(ENTRIES)) {
    const measured = await measureBrowserBundle({ entry });
    const { bytes, gzipBytes, budgetBytes, inputs } = measured;
    const over = gzipBytes > budgetBytes;
    console.log(sizeLine(measured));
    if (over || process.argv.includes('--why')) {
      console.log(`  minified: ${kb(bytes)}; minified bytes by package:`);
      for (const [name, size] of byPackage(inputs))
        console.log(`  ${kb(size).padStart(9)}  ${name}`);
      console.log('  gzip each package adds (bundle minus the bundle without it):');
      for (const [name, size] of await gzipByPackage(entry, undefined, gzipBytes))
        console.log(`  ${kb(size).padStart(9)}  ${name}`);
      console.log('  largest inputs:');
      for (const { path, bytes: size } of inputs.slice(0, 12)) {
        console.log(`  ${kb(size).padStart(9)}  ${path}`);
      }
    }
    if (over) {
      console.error(`over budget by ${kb(gzipBytes - budgetBytes)}`);
      process.exitCode = 1;
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
