/**
 * The Worker bundle in workerd through Miniflare, for the tests: `wrangler deploy --dry-run`
 * bundles src/runtime/worker.ts as a deploy would (nothing is downloaded, nothing is sent), and
 * each Miniflare's workerd is ended with this process, on failure too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWranglerConfig } from '@voipbin-kit/bench-kit';
import {
  adopt,
  bounded,
  commandLine,
  descendantsOf,
  READY_TIMEOUT_MS,
  runProcess,
} from '@voipbin-kit/process';
import { Miniflare, type MiniflareOptions } from 'miniflare';

const require = createRequire(import.meta.url);
export const gatewayDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Wrangler and Miniflare without the network: no telemetry, no error reports, no `Request.cf` fetch. */
export const OFFLINE_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
};

export interface WorkerBundle {
  /** The directory wrangler wrote (worker.js in it). */
  outDir: string;
  scriptPath: string;
  /** wrangler.toml's. */
  compatibilityDate: string | undefined;
  remove(): Promise<void>;
}

/**
 * `wrangler deploy --dry-run` of wrangler.toml into a temporary directory, bounded; `script`
 * an entry other than wrangler.toml's `main` (as `wrangler deploy <script>` takes it).
 */
export async function bundleWorker(
  vars: Record<string, string> = {},
  { script }: { script?: string } = {},
): Promise<WorkerBundle> {
  const outDir = await mkdtemp(join(tmpdir(), 'gateway-worker-'));
  const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  const dryRun = await runProcess({
    command: process.execPath,
    args: [
      wrangler,
      'deploy',
      ...(script ? [script] : []),
      '--dry-run',
      '--outdir',
      outDir,
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    cwd: gatewayDir,
    env: OFFLINE_ENV,
    what: 'wrangler deploy --dry-run',
    timeoutMs: READY_TIMEOUT_MS,
  });
  if (dryRun.code !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${dryRun.output}`);
  const config = await readWranglerConfig(join(gatewayDir, 'wrangler.toml'));
  return {
    outDir,
    scriptPath: join(outDir, script ? `${basename(script, '.ts')}.js` : 'worker.js'),
    compatibilityDate: config.compatibility_date,
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}

/**
 * `bundle` alone in a Miniflare on 127.0.0.1 (no `Request.cf`), with `bindings` and any other
 * `options` (its runtime's output, say), ready: bounded by `whenReady`. Returns it and its URL.
 */
export async function runBundle(
  bundle: WorkerBundle,
  bindings: Record<string, string>,
  options: Partial<MiniflareOptions> = {},
): Promise<{ mf: Miniflare; url: URL }> {
  const mf = new Miniflare({
    modules: true,
    scriptPath: bundle.scriptPath,
    modulesRoot: bundle.outDir,
    compatibilityDate: bundle.compatibilityDate,
    bindings,
    cf: false,
    host: '127.0.0.1',
    ...options,
  } as MiniflareOptions);
  return { mf, url: await whenReady(mf, mf.ready) };
}

/** What `whenReady` adopted for each Miniflare, to forget once it is disposed of. */
const adopted = new Map<Miniflare, () => void>();
const adoptedPids = new Set<number>();

/**
 * Miniflare's `ready`, bounded (READY_TIMEOUT_MS) and saying so; the workerd it spawned (a
 * child of this process, not in a group of ours) is then ended with this process too.
 */
export async function whenReady<T>(miniflare: Miniflare, ready: Promise<T>): Promise<T> {
  const value = await bounded(ready, {
    what: 'Miniflare (workerd)',
    waitingFor: 'mf.ready',
    timeoutMs: READY_TIMEOUT_MS,
  });
  const forget = descendantsOf(process.pid)
    .filter((pid) => !adoptedPids.has(pid) && /\bworkerd\b/.test(commandLine(pid)))
    .map((pid) => {
      adoptedPids.add(pid);
      const done = adopt(pid);
      return () => {
        adoptedPids.delete(pid);
        done();
      };
    });
  adopted.set(miniflare, () => {
    for (const done of forget) done();
  });
  return value;
}

/** Disposes of `miniflare` (which kills its workerd), then forgets the adopted pids. */
export async function dispose(miniflare: Miniflare | undefined) {
  if (!miniflare) return;
  await miniflare.dispose();
  adopted.get(miniflare)?.();
  adopted.delete(miniflare);
}
