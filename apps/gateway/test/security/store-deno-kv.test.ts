/**
 * The Deno KV store (src/security/store-deno-kv.ts) in real Deno, on `Deno.openKv(':memory:')`:
 * the store contract, the index contract and ownership, as the memory and Redis stores pass
 * them. The store runs in a Deno process (deno-kv-server.ts, offline: `--cached-only`,
 * `--no-remote`, a fresh DENO_DIR); each operation reaches it as JSON over loopback HTTP.
 * Skipped, saying why, where there is no Deno binary; the process ends with the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READY_TIMEOUT_MS, type Spawned, startProcess } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/security/store.ts';
import { APP } from '../runtimes/support.ts';
import { findDeno } from '../support/runtimes.ts';
import { indexContract } from './index-contract.ts';
import { storeContract } from './store-contract.ts';

const deno = findDeno();
const denoDir = mkdtempSync(join(tmpdir(), 'voipbin-gateway-deno-kv-'));

/** A store whose every operation runs in the Deno process at `url`, under `prefix`. */
function remoteStore(url: () => string, prefix: string): Store {
  const call = async (op: string, ...args: unknown[]): Promise<unknown> => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prefix, op, args }),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json()) as {
      result?: unknown;
      error?: { name: string; message: string };
    };
    if (answer.error) {
      // The class the contract checks for (RangeError), else an Error of the same name.
      const error =
        answer.error.name === 'RangeError'
          ? new RangeError(answer.error.message)
          : new Error(answer.error.message);
      error.name = answer.error.name;
      throw error;
    }
    return answer.result;
  };
  return {
    take: (key, perMinute, burst) => call('take', key, perMinute, burst) as never,
    setIfAbsent: (key, value, ttlMs) => call('setIfAbsent', key, value, ttlMs) as never,
    get: (key) => call('get', key) as never,
    set: async (key, value, ttlMs) => {
      await call('set', key, value, ttlMs);
    },
    delete: async (key) => {
      await call('delete', key);
    },
    indexAdd: async (key, members, ttlMs, max) => {
      await call('indexAdd', key, members, ttlMs, max);
    },
    indexPage: (key, limit, before) => call('indexPage', key, limit, before) as never,
  };
}

describe.skipIf(deno.path === undefined)(
  `the Deno KV store in Deno ${deno.version ?? `(skipped: no Deno binary: ${deno.tried.join('; ')})`}`,
  () => {
    let server: Spawned | undefined;
    let url = '';
    beforeAll(async () => {
      server = await startProcess({
        command: deno.path as string,
        args: [
          'run',
          '-A',
          '--unstable-kv',
          '--cached-only',
          '--no-remote',
          'test/security/deno-kv-server.ts',
        ],
        cwd: APP,
        env: { ...process.env, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
        what: 'the Deno KV store',
        ready: /Deno KV store on http:\/\/127\.0\.0\.1:\d+\n/,
      });
      url = /Deno KV store on (\S+)/.exec(server.output())?.[1] as string;
    }, READY_TIMEOUT_MS + 30_000);
    afterAll(async () => {
      await server?.stop(3_000);
      rmSync(denoDir, { recursive: true, force: true });
    });

    const fresh = async () => remoteStore(() => url, `test-${crypto.randomUUID()}`);
    storeContract('Deno KV store', fresh);
    indexContract('Deno KV store', fresh);

    it('keeps two prefixes apart on one database', async () => {
      const [one, two] = [await fresh(), await fresh()];
      await one.set('k', 'one', 60_000);
      expect(await two.get('k')).toBeNull();
      expect(await two.setIfAbsent('k', 'two', 60_000)).toBe(true);
      expect(await one.get('k')).toBe('one');
    });
  },
);
