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
 *   (`CANARIES`), naming where it was found (the canary itself masked); and a file that plants
 *   a canary fails if nothing at all was recorded (a broken recorder checks nothing), unless
 *   `RECORDS_NOTHING` says why it has nothing to record.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterAll, expect, vi } from 'vitest';
import { findCanaries, plantsCanary, recordText, resetRecord, settleRecords } from './canary.ts';

const APP = join(dirname(fileURLToPath(import.meta.url)), '../..');

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

/**
 * Files that plant a canary yet have no response or log line to record, each with the reason.
 * Every other file that plants one must have recorded something: a recorder that sees nothing
 * checks nothing, and would pass silently.
 */
const RECORDS_NOTHING: Record<string, string> = {
  // Unit tests of the authenticator: no response, no log; each test reads the messages itself.
  'src/security/auth.test.ts': 'checks its messages itself',
};

/** The file's path from the app's root (`test/errors.test.ts`), with forward slashes. */
function relativePath(filepath: string): string {
  return relative(APP, filepath).split(sep).join('/');
}

afterAll(async () => {
  await settleRecords();
  for (const calls of spiedCalls) {
    for (const args of calls) recordText('console (silenced by a spy)', format(...args));
  }
  spiedCalls.clear();
  const { seen, findings } = findCanaries();
  const filepath = expect.getState().testPath;
  if (filepath && plantsCanary(readFileSync(filepath, 'utf8'))) {
    const file = relativePath(filepath);
    if (!(file in RECORDS_NOTHING)) {
      expect(
        seen,
        `${file} plants a canary, but the canary check recorded nothing it produced: the console is no longer recorded, or the responses it gets no longer go through recordResponse (test/support/canary.ts)`,
      ).toBeGreaterThan(0);
    }
  }
  expect(
    findings,
    `A canary credential came out in a response or a log line:\n${findings
      .map((f) => `- ${f.canary} in ${f.source}: …${f.excerpt}…`)
      .join('\n')}`,
  ).toEqual([]);
});
