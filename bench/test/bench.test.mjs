// The benchmark stays runnable: every case starts, answers what it should, and is measured
// (a fraction of a second each; the figures themselves are `pnpm bench`'s job, not a test's).
import { fileURLToPath } from 'node:url';
import { READY_TIMEOUT_MS, runProcess } from '@voipbin-kit/process';
import { describe, expect, it } from 'vitest';
import { bench } from '../run.mjs';

const GATEWAY_DIST = fileURLToPath(
  new URL('../../apps/gateway/dist/runtime/node.mjs', import.meta.url),
);

// A hang guard, not a bound on speed: above one server's wait for its ready signal (minutes, so
// a slow start fails with the helper's message, saying which) and the work around it.
const RUN_TIMEOUT_MS = READY_TIMEOUT_MS + 180_000;

describe('pnpm bench', () => {
  it(
    'measures every case, A F B B2 BT C D W, the memory check and E, with no failed request',
    async () => {
      const { report, results, events, skipped, failed } = await bench({
        cases: ['A', 'F', 'B', 'B2', 'BT', 'C', 'D', 'W', 'E'],
        connections: [1],
        duration: 0.5,
        // Two: the goals' lines say each round's ratio too.
        rounds: 2,
        warmup: 0.5,
        mutations: 2_000,
        // The build-by-build tables (CPU, and traces on over off): here the same build twice.
        compare: [{ label: 'same', entry: GATEWAY_DIST }],
        subscribers: [10, 20],
        eventCalls: 2,
        quiet: true,
      });
      expect(Object.fromEntries(skipped)).toEqual({});
      expect(failed).toBe(0);
      for (const name of ['A', 'F', 'B', 'B2', 'BT', 'C', 'D', 'W', 'B.same', 'BT.same']) {
        const result = results.get(`${name}@1`);
        expect(result?.ok, name).toBeGreaterThan(0);
        expect(result?.serverCpuPerReq, name).toBeGreaterThan(0);
        expect(report).toMatch(new RegExp(`^\\| ${name.replace('.', '\\.')} \\|`, 'm'));
      }
      expect(report).toMatch(/RSS after 2,000 createCalls vs after 1,000, each after a full GC/);
      expect(report).toMatch(/the live heap after 2,000 vs after 1,000 \(\d+\.\d -> \d+\.\d MB\)/);
      // The memory table: three points, each with the caches' counts (one owner record a call).
      for (const calls of ['200', '1,000', '2,000'])
        expect(report).toMatch(
          new RegExp(`^\\| ${calls} \\| \\d+ \\| \\d+ \\| \\d+\\.\\d \\|`, 'm'),
        );
      expect(report).toMatch(/\| store\.keys\.owner \|/);
      expect(report).toMatch(/^\| B\.same \| gateway same \(Node\), createCall \| 1 \|/m);
      expect(report).toMatch(/^\| B \(this tree\) \| \d\.\d{3} \| [+-]\d+ µs \|/m);
      for (const build of ['same', 'this tree'])
        expect(report).toMatch(new RegExp(`^\\| ${build} \\| \\d+\\.\\d\\dx \\|$`, 'm'));
      expect(report).toMatch(
        /traces on: CPU per createCall ≤ 1\.1 × traces off \(BT\/B, c=1\): \d+\.\d\dx .*\n {2}- each round's BT over the same round's B, lowest first: \d+\.\d\dx, \d+\.\d\dx$/m,
      );
      expect(report).toMatch(/^\| B\/D \| 1 \|/m);
      expect(report).toMatch(/^\| B\/F \| 1 \|/m);
      expect(report).toMatch(/the floor F's p50 − A's p50: -?\d/);
      // Issue 24's goals, each said met or not: B/C at both connection counts, the Worker's two.
      expect(report).toMatch(/B\/C, c=1\): \d+\.\d\dx \(≤ 1\.5x\) (met|NOT met)/);
      expect(report).toMatch(/Worker bundle ≤ 100 KB gzip: \d+\.\d\d KB/);
      expect(report).toMatch(/compile \+ top-level eval .* ≤ 40 ms: -?\d+\.\d\d ms/);
      // E: every subscriber got each of the calls' events (a quickstart call has 6), once, in
      // order; 2 calls at the largest size, 4 at half of it (as many frames).
      for (const [size, calls] of [
        [10, 4],
        [20, 2],
      ]) {
        const result = events?.get(size);
        expect(result?.failed, `E@${size}`).toBe(0);
        expect(result?.events, `E@${size}`).toBe(6 * calls);
        expect(result?.frames, `E@${size}`).toBe(6 * calls * size);
        expect(result?.p99, `E@${size}`).toBeGreaterThan(0);
        expect(report).toMatch(
          new RegExp(
            `^\\| E \\| gateway \\(Node\\), callEvents over SSE \\| ${size} \\| ${6 * calls} \\| ${6 * calls * size} \\|`,
            'm',
          ),
        );
        // Its floor: node:http alone handed as many subscribers the same number of frames.
        expect(result?.floor?.failed, `E.floor@${size}`).toBe(0);
        expect(result?.floor?.frames, `E.floor@${size}`).toBe(6 * calls * size);
        expect(report).toMatch(
          new RegExp(
            `^\\| E\\.floor \\| node:http alone, the same frames \\| ${size} \\| ${6 * calls} \\| ${6 * calls * size} \\|`,
            'm',
          ),
        );
      }
      // A ratio, or – where the floor's CPU read 0: /proc counts in 10 ms ticks, and so few
      // frames can cost the floor less than one.
      expect(report).toMatch(
        /^E over its floor .*: at 10, gateway CPU per frame (?:\d+\.\d\dx|–) \([+−]\d+\.\d µs\), p50 (?:\d+\.\d\dx|–); at 20, /m,
      );
      expect(report).toMatch(/^E at 20 subscribers vs 10: frames\/s \d+\.\d\dx/m);
    },
    RUN_TIMEOUT_MS,
  );
});

describe('pnpm bench:js', () => {
  it(
    'runs the gateway in process on each upstream and prints CPU µs per request',
    async () => {
      const { code, stdout, output } = await runProcess({
        command: process.execPath,
        args: [fileURLToPath(new URL('../in-process.mjs', import.meta.url)), '--requests', '200'],
        what: 'bench/in-process.mjs',
        timeoutMs: READY_TIMEOUT_MS + 60_000,
      });
      expect(code, output).toBe(0);
      for (const upstream of ['canned', 'undici', 'whatwg', 'global'])
        expect(stdout).toMatch(
          new RegExp(`^\\| ${upstream} \\| \\d+\\.\\d \\| \\d+\\.\\d \\|$`, 'm'),
        );
    },
    RUN_TIMEOUT_MS,
  );
});
