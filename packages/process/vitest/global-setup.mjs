// A vitest global setup: once every test file has run, fails the run when a process started for
// this package (marked with its directory: see ../proc.mjs) is still alive, naming it, and ends it.
import { leftovers } from '../proc.mjs';
import { waitUntil } from '../wait.mjs';

/** How long processes that are stopping (a grace, a watchdog's) may take to go. */
const SETTLE_MS = 15_000;

export default function setup() {
  const dir = process.cwd();
  return async function teardown() {
    try {
      await waitUntil(() => leftovers(dir).length === 0, {
        what: 'the end of the processes the tests started',
        waitingFor: 'none left',
        timeoutMs: SETTLE_MS,
        pollMs: 100,
      });
    } catch {
      const left = leftovers(dir);
      for (const { pid } of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      if (left.length === 0) return;
      // vitest only logs a teardown's error: the exit code says it too.
      process.exitCode = 1;
      throw new Error(
        `${left.length} process(es) the tests of ${dir} started outlived them (now killed):\n${left.map((p) => `  ${p.pid} (group ${p.pgid}) ${p.command}`).join('\n')}`,
      );
    }
  };
}
