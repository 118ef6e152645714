#!/usr/bin/env node
// Writes src/graphql-env.d.ts, the introspection types gql.tada reads, from the gateway's
// committed schema (apps/gateway/schema.graphql); what `gql.tada generate output` writes from
// the tsconfig's plugin settings. test/graphql-env.test.ts fails when the committed file is stale.
//
//   node scripts/graphql-env.mjs    (or `pnpm -F @voipbin-kit/web graphql:generate`)
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadFromSDL, minifyIntrospection, outputIntrospectionFile } from 'gql.tada/internal';

export const SCHEMA_FILE = fileURLToPath(new URL('../../gateway/schema.graphql', import.meta.url));
export const OUTPUT_FILE = fileURLToPath(new URL('../src/graphql-env.d.ts', import.meta.url));

/** The contents src/graphql-env.d.ts must have: the schema file, loaded as the CLI loads it. */
export async function renderGraphqlEnv(file = SCHEMA_FILE) {
  const { introspection } = await loadFromSDL({ file }).load();
  return outputIntrospectionFile(minifyIntrospection(introspection), {
    fileType: '.d.ts',
    shouldPreprocess: true,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OUTPUT_FILE, await renderGraphqlEnv());
  console.log(`wrote ${OUTPUT_FILE}`);
}
