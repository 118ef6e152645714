/**
 * A vitest setup file (vitest.config.ts `setupFiles`), run before every test file of the
 * gateway: "a canary credential is searched for in every response body, header and log line
 * the tests produce: never found".
 *
 * - Every `console.*` line is recorded, and still printed. A line a test silences with
 *   `vi.spyOn(console, ...).mockImplementation(...)` is recorded too, from the spy's calls.
 * - Every response the shared helpers get is recorded (test/support/graphql.ts: `postGraphQL`,
 *   `graphql`, the gateways of `emulatedGateway`; test/runtimes/support.ts: `post`, the child
 *   process's output), by `recordResponse`/`recordText` of ./canary.ts.
 * - After the file's last test, the file fails if any recorded text holds a canary
 *   (`CANARIES`), naming where it was found (the canary itself masked).
 */
import { format } from 'node:util';
import { afterAll, expect, vi } from 'vitest';
import { findCanaries, recordText, resetRecord, settleRecords } from './canary.ts';

resetRecord();

const LEVELS = new Set([
  'log',
  'info',
  'warn',
  'error',
  'debug',
  'trace',
  'dir',
  'dirxml',
  'table',
  'group',
  'groupCollapsed',
  'assert',
  'count',
  'timeLog',
]);

const INSTALLED = Symbol.for('voipbin-kit.gateway.canary.console');

/** The `mock.calls` arrays of console spies, each captured when code looked the spy up. */
const spiedCalls = new Set<unknown[][]>();

/**
 * `console` behind a proxy: a method looked up on it records its line, then runs whatever is
 * there now (the real method or a test's spy). A spy is handed out as it is (tests compare it),
 * and the calls array it is about to push to is kept: `mockRestore` swaps it for a new one.
 */
function installConsole(): void {
  const current = globalThis.console as Console & { [INSTALLED]?: boolean };
  if (current[INSTALLED]) return;
  const target = current;
  const wrappers = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  globalThis.console = new Proxy(target, {
    get(object, key) {
      if (key === INSTALLED) return true;
      const value = Reflect.get(object, key, object) as unknown;
      if (typeof key !== 'string' || !LEVELS.has(key) || typeof value !== 'function') {
        return value;
      }
      if (vi.isMockFunction(value)) {
        spiedCalls.add(value.mock.calls);
        return value;
      }
      const method = value as (...args: unknown[]) => unknown;
      let wrapper = wrappers.get(method);
      if (!wrapper) {
        wrapper = (...args: unknown[]) => {
          recordText(`console.${key}`, format(...args));
          return method.apply(object, args);
        };
        wrappers.set(method, wrapper);
      }
      return wrapper;
    },
  });
}

installConsole();

afterAll(async () => {
  await settleRecords();
  for (const calls of spiedCalls) {
    for (const args of calls) recordText('console (silenced by a spy)', format(...args));
  }
  spiedCalls.clear();
  const { findings } = findCanaries();
  expect(
    findings,
    `A canary credential came out in a response or a log line:\n${findings
      .map((f) => `- ${f.canary} in ${f.source}: …${f.excerpt}…`)
      .join('\n')}`,
  ).toEqual([]);
});
