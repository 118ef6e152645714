/**
 * The Bun entry (src/runtime/bun.ts) in real Bun, run as `pnpm start:bun` does: the TypeScript
 * source as it is, the workspace packages from their built dist. Bun comes from the npm package
 * `bun` (a devDependency); `--no-install` keeps it from fetching anything.
 */
import {
  commandLine,
  descendantsOf,
  listProcesses,
  READY_TIMEOUT_MS,
  runProcess,
  survivors,
  waitUntil,
} from '@voipbin-kit/process';
import { expect, it } from 'vitest';
import { expectCountersMove, METRICS_SCENARIO_ENV } from '../support/metrics.ts';
import { findBun } from '../support/runtimes.ts';
import { APP, bunEntry, describeRuntime, freePort, startGateway } from './support.ts';

const bun = findBun();

describeRuntime('Bun', bun, (binary) => bunEntry(binary));

// `pnpm start:bun` goes through this launcher, since pnpm leaves node_modules/.bin/bun a stub.
it.skipIf(bun.path === undefined)(
  'scripts/bun.mjs runs the same Bun binary',
  async () => {
    const result = await runProcess({
      command: process.execPath,
      args: ['scripts/bun.mjs', '--version'],
      cwd: APP,
      timeoutMs: READY_TIMEOUT_MS,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(bun.version);
  },
  READY_TIMEOUT_MS + 10_000,
);

/** `pnpm start:bun` (scripts/bun.mjs src/runtime/bun.ts), ready; the launcher's Bun processes. */
async function startLauncher() {
  const launcher = await startGateway({
    command: process.execPath,
    args: ['scripts/bun.mjs', 'src/runtime/bun.ts'],
    env: { DO_NOT_TRACK: '1', BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0' },
  });
  const pid = launcher.child.pid as number;
  const exited = new Promise<number | string | null>((resolve) =>
    launcher.child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  // All but the launcher's watchdog, which ends after it.
  const buns = descendantsOf(pid).filter(
    (child) => !commandLine(child).startsWith('/bin/sh -c trap'),
  );
  // In a group of their own: not ended with the launcher's group by this test's helper, only
  // by the launcher (and a terminal's Ctrl-C reaches them through it alone).
  const groups = new Map(listProcesses().map((p) => [p.pid, p.pgid]));
  expect(buns.map((child) => groups.get(child))).not.toContain(groups.get(pid));
  return { launcher, pid, exited, buns };
}

/** Waits (bounded) until none of `pids` is alive. */
async function expectGone(pids: number[]) {
  await waitUntil(() => survivors({ pids }).length === 0, {
    what: 'Bun',
    waitingFor: 'its end',
    timeoutMs: 30_000,
  }).catch(() => {});
  expect(survivors({ pids })).toEqual([]);
}

// SIGINT as a terminal's Ctrl-C sends it, to the launcher's whole process group (Bun, in a group
// of its own, gets it once, from the launcher); SIGTERM as a supervisor sends it, to the pid.
for (const [signal, to] of [
  ['SIGINT', 'its process group'],
  ['SIGTERM', 'its pid'],
] as const) {
  it.skipIf(bun.path === undefined)(
    `scripts/bun.mjs sent ${signal} (to ${to}) passes it on to Bun, exits as Bun does (0), and leaves no Bun running`,
    async () => {
      const { launcher, pid, exited, buns } = await startLauncher();
      try {
        expect(buns.length).toBeGreaterThan(0);
        process.kill(signal === 'SIGINT' ? -pid : pid, signal);
        // Bun's entry stops its server and exits 0; the launcher exits with it.
        expect(await exited, launcher.output()).toBe(0);
        await expectGone(buns);
      } finally {
        await launcher.stop(1_000);
      }
    },
    READY_TIMEOUT_MS + 60_000,
  );
}

it.skipIf(bun.path === undefined)(
  'scripts/bun.mjs killed with SIGKILL leaves no Bun running either (its watchdog ends it)',
  async () => {
    const { launcher, pid, exited, buns } = await startLauncher();
    try {
      process.kill(pid, 'SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await expectGone(buns);
    } finally {
      await launcher.stop(1_000);
    }
  },
  READY_TIMEOUT_MS + 60_000,
);

it.skipIf(bun.path === undefined)(
  'with GATEWAY_METRICS=true, serves /metrics on its own port, each counter moved',
  async () => {
    const metricsPort = await freePort();
    const gateway = await startGateway(
      bunEntry(bun.path as string, {
        ...METRICS_SCENARIO_ENV,
        GATEWAY_METRICS: 'true',
        GATEWAY_METRICS_PORT: String(metricsPort),
      }),
    );
    try {
      expect(gateway.output()).toContain(`metrics on http://localhost:${metricsPort}/metrics`);
      expect((await fetch(`${gateway.base}/metrics`)).status).toBe(404);
      await expectCountersMove(gateway.base, `http://127.0.0.1:${metricsPort}/metrics`);
    } finally {
      await gateway.stop(3_000);
    }
  },
  READY_TIMEOUT_MS + 60_000,
);
