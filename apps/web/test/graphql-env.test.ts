// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script, without types
import { OUTPUT_FILE, renderGraphqlEnv } from '../scripts/graphql-env.mjs';

describe('src/graphql-env.d.ts', () => {
  it('is up to date with apps/gateway/schema.graphql (run `pnpm graphql:generate` after a change)', async () => {
    const committed = await readFile(OUTPUT_FILE, 'utf8');
    expect(committed === (await renderGraphqlEnv())).toBe(true);
  });
});
