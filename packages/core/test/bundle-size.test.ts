/**
 * What a browser app pays for placing calls: scripts/size.mjs bundles an app from the built
 * package (esbuild, platform browser, ESM, minified, tree-shaken) and gzips it at level 9, for
 * two apps: one that sends talk actions only (`actions: [TalkActionSchema]`) and one that sends
 * any of the 44 (`ACTION_SCHEMAS`). `pnpm --filter @voipbin-kit/core size` prints the same
 * numbers, and with `--why` what each bundle is made of.
 */
import { budgets } from '@voipbin-kit/bench-kit';
import { describe, expect, it } from 'vitest';
import {
  byPackage,
  ENTRIES,
  type EntryName,
  measureBrowserBundle,
  sizeLine,
} from '../scripts/size.mjs';
import { ACTION_TYPES, type ActionType } from '../src/index.ts';

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

it("judges by budgets.json's budgets (moved on purpose only: docs/decisions/2026-12-05-tree-shakeable-actions.md)", () => {
  expect(ENTRIES.talk.budgetBytes).toBe(budgets.coreBrowserBundle.talkOnlyKB * 1024);
  expect(ENTRIES.all.budgetBytes).toBe(budgets.coreBrowserBundle.allActionsKB * 1024);
});

describe('an app bundles the actions it lists, and no other', () => {
  // The modules of dist/actions/ a bundle is made of.
  const actionModules = async (options: Parameters<typeof measureBrowserBundle>[0]) =>
    (await measureBrowserBundle(options)).inputs
      .map(({ path }) => /dist\/actions\/(.+)\.js$/.exec(path)?.[1])
      .filter((name) => name !== undefined)
      .sort();
  const shared = ['define', 'response'];
  const file = (type: string) => type.replaceAll('_', '-');
  const schemaName = (type: string) =>
    `${type.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}ActionSchema`;
  // all.ts: the registry, with `call` in it (a call runs a flow of any of the 44).
  const registry = [
    'all',
    ...ACTION_TYPES.filter((type) => type !== 'call').map(file),
    'transcribe-option',
  ];
  /** The modules an app sending one action type needs besides `shared`: its own, unless here. */
  const modules: Partial<Record<ActionType, string[]>> = {
    call: registry,
    transcribe_start: ['transcribe-start', 'transcribe-option'],
    transcribe_recording: ['transcribe-recording', 'transcribe-option'],
  };
  const modulesOf = (type: ActionType) => modules[type] ?? [file(type)];

  it('the talk-only app: talk, not the registry', async () => {
    expect(await actionModules({ entry: 'talk' })).toEqual([...shared, 'talk'].sort());
  });

  it('the all-actions app: the registry and every action', async () => {
    expect(await actionModules({ entry: 'all' })).toEqual([...shared, ...registry].sort());
  });

  it.each(ACTION_TYPES.filter((type) => type !== 'talk'))(
    'an app sending %s only',
    async (type) => {
      const source = `
import { createClient, ${schemaName(type)} } from './dist/index.js';
export const placeCall = (token, request) =>
  createClient({ token, actions: [${schemaName(type)}] }).calls.create(request);
`;
      expect(await actionModules({ source })).toEqual([...shared, ...modulesOf(type)].sort());
    },
  );
});
