// Nothing the benchmark starts outlives it: `node bench/run.mjs` sent SIGTERM or SIGINT while it
// starts the Mesh case (compose, Hive Gateway, the emulator), or giving up on a server whose
// ready signal never comes, leaves no process of its run alive. A run is followed by its own
// mark (VOIPBIN_KIT_PROCESS_OWNER=<this dir>#<id>), which every process it starts inherits,
// wherever it was reparented; /proc is polled, bounded.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  commandLine,
  leftovers,
  OWNER_ENV,
  READY_TIMEOUT_MS,
  spawnProcess,
  waitUntil,
} from '@voipbin-kit/process';
import { describe, expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('../run.mjs', import.meta.url));
const NEVER_READY = fileURLToPath(new URL('fixtures/never-ready.mjs', import.meta.url));
const QUICK = ['--duration', '0.5', '--rounds', '1', '--warmup', '0.5', '--connections', '1'];

/** `node bench/run.mjs …args` under a mark of its own; `left()` lists its processes alive. */
function runBench(args, env = {}) {
  const mark = `${process.cwd()}#${randomUUID()}`;
  const run = spawnProcess({
    command: process.execPath,
    args: [RUN, ...args],
    env: { ...process.env, ...env, [OWNER_ENV]: mark },
    what: 'bench/run.mjs',
  });
  const left = () => leftovers(mark).filter((p) => p.pid !== run.pid);
  return { run, left };
}

/** Waits (bounded) until none of the run's processes is alive. */
async function expectNoneLeft(left) {
  await waitUntil(() => left().length === 0, {
    what: "the run's processes",
    waitingFor: 'none alive',
    timeoutMs: 30_000,
  }).catch(() => {});
  expect(left().map((p) => `${p.pid} ${p.command}`)).toEqual([]);
}

describe('bench/run.mjs', () => {
  for (const signal of ['SIGTERM', 'SIGINT']) {
    it(
      `sent ${signal} while it starts the Mesh case, ends every process it started, then dies of ${signal}`,
      async () => {
        const { run, left } = runBench(['--cases', 'D', '--no-memory', ...QUICK]);
        // Midway: the emulator is up and the Mesh gateway (start.mjs) on its way.
        await waitUntil(() => left().some((p) => p.command.includes('bench/mesh/start.mjs')), {
          what: 'bench/run.mjs',
          waitingFor: 'bench/mesh/start.mjs among its processes',
          output: run.output,
        });
        const servers = left().filter((p) => !p.command.startsWith('/bin/sh -c trap'));
        expect(servers.length).toBeGreaterThanOrEqual(2); // the emulator and start.mjs, at least
        process.kill(run.pid, signal);
        expect((await run.exited).signal, run.output()).toBe(signal);
        // Ended before it died (not later, by its watchdog): the run waits for them.
        expect(servers.filter((p) => commandLine(p.pid) !== '').map((p) => p.command)).toEqual([]);
        await expectNoneLeft(left);
      },
      READY_TIMEOUT_MS + 60_000,
    );
  }

  it(
    'gives up on a server whose ready signal never comes (VOIPBIN_KIT_READY_TIMEOUT_MS set small), saying what it waited for, and leaves nothing',
    async () => {
      const { run, left } = runBench(
        ['--cases', 'B', '--no-memory', '--gateway', NEVER_READY, ...QUICK],
        {
          VOIPBIN_KIT_READY_TIMEOUT_MS: '5000',
        },
      );
      await run.exited;
      // The gateway's wait expires (or, on a machine too busy to start the emulator in 5 s, the
      // emulator's): the message names the server, the bound, the signal, the command.
      expect(run.stderr()).toMatch(
        /(?:case B skipped: gateway|emulator) not ready after 5 s: waited for GET http:\/\/127\.0\.0\.1:\d+\/\S+ answering 200 from `[^`]+` \(pid \d+\); last output:\n/,
      );
      // Its last output: its line, or nothing if it had printed none within the 5 s.
      if (/case B skipped/.test(run.stderr()))
        expect(run.stderr()).toMatch(
          /from `\S+ \S+never-ready\.mjs` \(pid \d+\); last output:\n(?:never ready: pid \d+, child \d+|\(nothing\))/,
        );
      await expectNoneLeft(left);
    },
    READY_TIMEOUT_MS + 60_000,
  );
});
