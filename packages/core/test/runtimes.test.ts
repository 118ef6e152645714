/**
 * Smoke test of the BUILT package (dist/) on Node, Bun and Deno: each runs
 * test/fixtures/smoke.mjs, which places the quickstart call against a stub fetch and prints
 * JSON. Bun and Deno come from the npm packages `bun` and `deno` (devDependencies); no runtime
 * touches the network, and Deno runs with no permissions at all.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { READY_TIMEOUT_MS, runProcess } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBun, findDeno } from './support/runtimes.ts';
import { expectQuickstartCall, parseSmoke } from './support/smoke.ts';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const script = join('test', 'fixtures', 'smoke.mjs');
/** A runtime's start and the script: bounded as any start on a loaded machine. */
const RUN_MS = READY_TIMEOUT_MS;
/** Each test runs one: above that bound, so an overrun fails with its own message. */
const TIMEOUT = RUN_MS + 10_000;

/** Runs `command` to its end in a process group of its own (never outliving the test). */
async function run(command: string, args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const result = await runProcess({
    command,
    args,
    cwd: packageDir,
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeoutMs: RUN_MS,
  });
  const ms = Math.round(performance.now() - started);
  if (result.code !== 0) {
    throw new Error(`${command} exited ${result.code ?? result.signal}:\n${result.stderr}`);
  }
  return { stdout: result.stdout, ms };
}

beforeAll(() => {
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
    throw new Error('dist/index.js is missing: run the build first (turbo does, before test)');
  }
});

describe('the built package places the quickstart call', () => {
  it(
    'on Node',
    async () => {
      const { stdout } = await run(process.execPath, [script]);
      expectQuickstartCall(parseSmoke(stdout), 'node');
    },
    TIMEOUT,
  );

  const bun = findBun();
  it.skipIf(bun.path === undefined)(
    `on Bun ${bun.version ?? `(skipped: no Bun binary for ${process.platform}-${process.arch}: ${bun.tried.join('; ')})`}`,
    async () => {
      // --no-install: never auto-install a missing package from the registry.
      const { stdout } = await run(bun.path as string, ['--no-install', script], {
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
    async () => {
      denoDir = mkdtempSync(join(tmpdir(), 'voipbin-core-deno-'));
      // No --allow-* flag: the script needs no permission (a real network call would fail).
      // The bare `ofetch`/`valibot` imports of dist resolve through package.json and the
      // existing node_modules (manual mode); nothing remote is fetched or cached.
      const { stdout } = await run(
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
