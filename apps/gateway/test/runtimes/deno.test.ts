/**
 * The Deno entry (src/runtime/deno.ts) in real Deno, run as `deno run -A src/runtime/deno.ts`
 * (deno.json: `nodeModulesDir: manual`, so the npm and workspace packages come from the pnpm
 * node_modules).
 * Deno comes from the npm package `deno` (a devDependency). Offline: `--cached-only` and
 * `--no-remote` make any download an error, and DENO_DIR is a fresh temporary directory.
 */
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';
import { describe, expect, it } from 'vitest';
import { findDeno } from '../support/runtimes.ts';
import { denoEntry, describeRuntime, startGateway } from './support.ts';

const deno = denoEntry();

describeRuntime('Deno', findDeno(), (binary) => deno(binary));

describe.skipIf(findDeno().path === undefined)('the Deno entry with GATEWAY_METRICS=true', () => {
  it(
    'says metrics are not served on Deno, rather than ignore the setting',
    async () => {
      const binary = findDeno().path as string;
      const gateway = await startGateway(deno(binary, { GATEWAY_METRICS: 'true' }));
      try {
        expect(gateway.output()).toMatch(/GATEWAY_METRICS is ignored on Deno/);
      } finally {
        await gateway.stop(3_000);
      }
    },
    READY_TIMEOUT_MS + 30_000,
  );
});
