#!/usr/bin/env node
// Runs Are The Types Wrong on the tarball pnpm would publish (not `attw --pack`, which packs
// with npm and so leaves `catalog:` versions in package.json). Arguments go to attw.
//
//   node scripts/attw.mjs --profile esm-only
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packWithPnpm } from './pack.mjs';

const require = createRequire(import.meta.url);
const attw = join(dirname(require.resolve('@arethetypeswrong/cli/package.json')), 'dist/index.js');

const destination = mkdtempSync(join(tmpdir(), 'voipbin-core-attw-'));
try {
  const tarball = packWithPnpm(destination);
  const result = spawnSync(process.execPath, [attw, tarball, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (result.error) throw result.error;
  process.exitCode = result.status ?? 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  rmSync(destination, { recursive: true, force: true });
}
