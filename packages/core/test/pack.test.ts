/**
 * The package as published works from a plain npm install: pnpm packs it (writing the real
 * versions for `catalog:`), npm installs the tarball into a throwaway app in a fresh temp folder
 * outside the workspace, and there a script imports `@voipbin-kit/core` by name and places a
 * call against a stub fetch; then the workspace's tsc checks a small .ts file of that app under
 * `moduleResolution` bundler and nodenext, proving the published types resolve and are not `any`.
 * npm fetches `ofetch` and `valibot` from the registry (or its cache).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanNpmEnv, packWithPnpm } from '../scripts/pack.mjs';
import { expectQuickstartCall, parseSmoke } from './support/smoke.ts';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');

/**
 * Runs `command` to its end (at most `timeout` ms) in a process group of its own: npm's
 * children too are ended with it, and with the test.
 */
async function run(command: string, args: string[], cwd: string, timeout: number) {
  const result = await runProcess({
    command,
    args,
    cwd,
    timeoutMs: timeout,
    // npm must see the app, not the workspace: no npm_* variables of `npx`/`pnpm run`.
    env: { ...cleanNpmEnv(), NO_COLOR: '1', npm_config_update_notifier: 'false' },
  });
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim();
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code ?? result.signal}:\n${output}`,
    );
  }
  return result.stdout;
}

const CHECK_TS = `import {
  ACTION_SCHEMAS,
  type Call,
  type CreateCallResult,
  createClient,
  TalkActionSchema,
  talk,
  type VoipbinClient,
} from '@voipbin-kit/core';

const client = createClient({ token: 'token', actions: [TalkActionSchema] });
export const any: VoipbinClient = createClient({ token: 'token', actions: ACTION_SCHEMAS });

export const placed: Promise<CreateCallResult> = client.calls.create({
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [talk({ text: 'Hello.', gender: 'female', language: 'en-US' })],
});

export async function firstStatus(): Promise<Call['status']> {
  const { calls } = await placed;
  return calls[0]?.status ?? null;
}

// The types are real, not \`any\`: each of these must be an error.
export function wrong() {
  // @ts-expect-error a call request needs a source
  client.calls.create({ destinations: [{ type: 'tel', target: '+821021656521' }], actions: [] });
  // @ts-expect-error no such resource
  client.numbers.list();
  // @ts-expect-error talk needs its text
  talk({ language: 'en-US' });
}
`;

const tsconfig = (moduleResolution: 'bundler' | 'nodenext') => ({
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: moduleResolution === 'bundler' ? 'preserve' : 'nodenext',
    moduleResolution,
    strict: true,
    noEmit: true,
    // Under nodenext, also check the published .d.ts itself (and valibot's), not only its use.
    skipLibCheck: moduleResolution === 'bundler',
    types: [],
  },
  files: ['check.ts'],
});

describe('the packed package', () => {
  let root: string;
  let app: string;
  let installed = false;

  beforeAll(() => {
    if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
      throw new Error('dist/index.js is missing: run the build first (turbo does, before test)');
    }
    root = mkdtempSync(join(realpathSync(tmpdir()), 'voipbin-core-pack-'));
    app = join(root, 'app');
    mkdirSync(app);
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('installs with npm into an app outside the workspace and places a call', async () => {
    const tarball = packWithPnpm(root, { timeout: 60_000 });
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'voipbin-core-pack-smoke', private: true, type: 'module' }, null, 2)}\n`,
    );
    // No --prefix: npm reads its global npmrc (where a cafile may be set) from under the prefix.
    // Short fetch retries, so that an unreachable registry fails in seconds, not minutes.
    const npmArgs = ['--no-audit', '--no-fund', '--loglevel=error'];
    // Both bounds: npm 11 refuses a max below its default min (10 s).
    const retries = [
      '--fetch-retries=1',
      '--fetch-retry-mintimeout=1000',
      '--fetch-retry-maxtimeout=5000',
    ];
    await run('npm', ['install', ...npmArgs, ...retries, tarball], app, 90_000);
    installed = true;

    // The tarball's package.json carries real versions, not the workspace's `catalog:`.
    const manifest = require(join(app, 'node_modules', '@voipbin-kit', 'core', 'package.json'));
    expect(JSON.stringify(manifest.dependencies)).not.toContain('catalog:');
    expect(existsSync(join(app, 'node_modules', '@voipbin-kit', 'core', 'test'))).toBe(false);

    copyFileSync(
      join(packageDir, 'test', 'fixtures', 'place-call.mjs'),
      join(app, 'place-call.mjs'),
    );
    writeFileSync(
      join(app, 'main.mjs'),
      [
        "import { createClient, TalkActionSchema, talk } from '@voipbin-kit/core';",
        "import { placeQuickstartCall } from './place-call.mjs';",
        'console.log(JSON.stringify(await placeQuickstartCall({ createClient, talk, TalkActionSchema })));',
        '',
      ].join('\n'),
    );
    const stdout = await run(process.execPath, ['main.mjs'], app, 30_000);
    expectQuickstartCall(parseSmoke(stdout), 'node');
    // Above the bounds of its steps (pack 60 s, npm 90 s, node 30 s) and the rest.
  }, 210_000);

  it('depends on ofetch and valibot only: no other dependency, no peer or optional one', () => {
    if (!installed) throw new Error('the install step failed: nothing to check');
    const manifest = require(join(app, 'node_modules', '@voipbin-kit', 'core', 'package.json'));
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['ofetch', 'valibot']);
    for (const field of [
      'peerDependencies',
      'peerDependenciesMeta',
      'optionalDependencies',
      'bundleDependencies',
      'bundledDependencies',
    ]) {
      expect(manifest[field], field).toBeUndefined();
    }
  });

  it.each(['bundler', 'nodenext'] as const)(
    'type-checks a consumer with moduleResolution %s',
    async (moduleResolution) => {
      if (!installed) throw new Error('the install step failed: nothing to check');
      writeFileSync(join(app, 'check.ts'), CHECK_TS);
      const config = join(app, `tsconfig.${moduleResolution}.json`);
      writeFileSync(config, JSON.stringify(tsconfig(moduleResolution), null, 2));
      await run(process.execPath, [tsc, '-p', config], app, 60_000);
    },
    // Above tsc's bound.
    90_000,
  );
});
