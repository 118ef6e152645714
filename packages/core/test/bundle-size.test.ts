/**
 * What a browser app pays for placing calls: scripts/size.mjs bundles an app from the built
 * package (esbuild, platform browser, ESM, minified, tree-shaken) and gzips it at level 9, for
 * two apps: one that sends talk actions only (`actions: [TalkActionSchema]`) and one that sends
 * any of the 40 (`ACTION_SCHEMAS`). `pnpm --filter @voipbin-kit/core size` prints the same
 * numbers, and with `--why` what each bundle is made of.
 */
import { describe, expect, it } from 'vitest';
import {
  byPackage,
  ENTRIES,
  type EntryName,
  measureBrowserBundle,
  sizeLine,
} from '../scripts/size.mjs';
import { ACTION_TYPES } from '../src/index.ts';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

it('prints the size as `pnpm size` does', () => {
  expect(sizeLine({ label: 'an app', gzipBytes: 13_005, budgetBytes: 13 * 1024 })).toBe(
    'an app: 12.7 KB gzip (budget 13 KB)',
  );
});

describe.each(Object.keys(ENTRIES) as EntryName[])('%s', (entry) => {
  const { label, budgetBytes } = ENTRIES[entry];
  it(`${label} stays within its budget`, async () => {
    const measured = await measureBrowserBundle({ entry });
    const { bytes, gzipBytes, inputs } = measured;
    console.log(sizeLine(measured));
    const breakdown = byPackage(inputs)
      .map(([name, size]) => `${name} ${kb(size)}`)
      .join(', ');
    expect(
      gzipBytes,
      `${kb(gzipBytes)} gzip (${kb(bytes)} minified: ${breakdown}); run \`node scripts/size.mjs --why\``,
    ).toBeLessThanOrEqual(budgetBytes);
  });
});

it('moves the budgets on purpose only (docs/decisions/2026-12-05-tree-shakeable-actions.md)', () => {
  expect(ENTRIES.talk.budgetBytes).toBe(12 * 1024);
  expect(ENTRIES.all.budgetBytes).toBe(13.5 * 1024);
});

it('leaves out of a talk-only app every other action and the registry of all of them', async () => {
  // The modules of dist/actions/ each bundle is made of.
  const actionModules = async (entry: EntryName) =>
    (await measureBrowserBundle({ entry })).inputs
      .map(({ path }) => /dist\/actions\/(.+)\.js$/.exec(path)?.[1])
      .filter((name) => name !== undefined)
      .sort();
  const shared = ['define', 'response'];
  expect(await actionModules('talk')).toEqual([...shared, 'talk'].sort());
  const file = (type: string) => type.replaceAll('_', '-');
  expect(await actionModules('all')).toEqual(
    [...shared, 'all', ...ACTION_TYPES.filter((type) => type !== 'call').map(file)].sort(),
  );
});
