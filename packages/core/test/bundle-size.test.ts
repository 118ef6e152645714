/**
 * What a browser app pays for placing calls: scripts/size.mjs bundles an entry that imports only
 * `createClient` from the built package and calls `calls.create` (esbuild, platform browser,
 * ESM, minified, tree-shaken) and gzips it at level 9. `pnpm --filter @voipbin-kit/core size`
 * prints the same number, and with `--why` what the bundle is made of.
 */
import { expect, it } from 'vitest';
import {
  BUDGET_BYTES,
  byPackage,
  LABEL,
  measureBrowserBundle,
  sizeLine,
} from '../scripts/size.mjs';

it('prints the size as `pnpm size` does', () => {
  expect(sizeLine({ gzipBytes: 13_005, budgetBytes: 13 * 1024 })).toBe(
    'core browser bundle (createClient + calls.create): 12.7 KB gzip (budget 13 KB)',
  );
});

it(`${LABEL} stays within ${BUDGET_BYTES / 1024} KB gzip`, async () => {
  const measured = await measureBrowserBundle();
  const { bytes, gzipBytes, inputs } = measured;
  console.log(sizeLine(measured));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const breakdown = byPackage(inputs)
    .map(([name, size]) => `${name} ${kb(size)}`)
    .join(', ');
  // Moved on purpose only (docs/decisions/2026-11-26-browser-bundle-budget.md).
  expect(BUDGET_BYTES).toBe(13.5 * 1024);
  expect(
    gzipBytes,
    `${kb(gzipBytes)} gzip (${kb(bytes)} minified: ${breakdown}); run \`node scripts/size.mjs --why\``,
  ).toBeLessThanOrEqual(BUDGET_BYTES);
});
