/**
 * Smoke test of the BUILT package (dist/) on Node, Bun and Deno: each runs
 * test/fixtures/smoke.mjs, which places the quickstart call against a stub fetch and prints
 * JSON. Bun and Deno come from the npm packages `bun` and `deno` (devDependencies); no runtime
 * touches the network, and Deno runs with no permissions at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBun, findDeno } from './support/runtimes.ts';
import { expectQuickstartCall, parseSmoke } from './support/smoke.ts';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const script = join('test', 'fixtures', 'smoke.mjs');
const TIMEOUT = 30_000;

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: TIMEOUT,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  const ms = Math.round(performance.now() - started);
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} exited ${result.status ?? result.signal}:\n${result.stderr}`);
  }
  return { stdout: result.stdout, ms };
}

beforeAll(() => {
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
    throw new Error('dist/index.js is missing: run the build first (turbo does, before test)');
  }
});

describe('the built package places the quickstart call', () => {
  it('on Node', () => {
    const { stdout } = run(process.execPath, [script]);
    expectQuickstartCall(parseSmoke(stdout), 'node');
  });

  const bun = findBun();
  it.skipIf(bun.path === undefined)(
    `on Bun ${bun.version ?? `(skipped: no Bun binary for ${process.platform}-${process.arch}: ${bun.tried.join('; ')})`}`,
    () => {
      // --no-install: never auto-install a missing package from the registry.
      const { stdout } = run(bun.path as string, ['--no-install', script], {
        DO_NOT_TRACK: '1',
        BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
      });
      expectQuickstartCall(parseSmoke(stdout), 'bun');
    },
    TIMEOUT,
  );

  const deno = findDeno();
  let denoDir: string | undefined;
  afterAll(() => {
    if (denoDir) rmSync(denoDir, { recursive: true, force: true });
  });
  it.skipIf(deno.path === undefined)(
    `on Deno ${deno.version ?? `(skipped: no Deno binary for ${process.platform}-${process.arch}: ${deno.tried.join('; ')})`}`,
    () => {
      denoDir = mkdtempSync(join(tmpdir(), 'voipbin-core-deno-'));
      // No --allow-* flag: the script needs no permission (a real network call would fail).
      // The bare `ofetch`/`valibot` imports of dist resolve through package.json and the
      // existing node_modules (manual mode); nothing remote is fetched or cached.
      const { stdout } = run(
        deno.path as string,
        ['run', '--no-prompt', '--node-modules-dir=manual', '--no-remote', '--cached-only', script],
        { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
      );
      expectQuickstartCall(parseSmoke(stdout), 'deno');
    },
    TIMEOUT,
  );

  // Both ship linux-x64 glibc binaries, which the lockfile installs: CI must not skip silently.
  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    'finds the Bun and Deno binaries on linux-x64, where CI runs',
    () => {
      expect(bun.path, bun.tried.join('; ')).toBeDefined();
      expect(deno.path, deno.tried.join('; ')).toBeDefined();
    },
  );
});
