// A copy of packages/core/test/support/runtimes.ts (the gateway has its own `bun` and `deno` devDependencies).
/**
 * Finds the Bun and Deno executables that the npm packages `bun` and `deno` (devDependencies)
 * bring. pnpm does not run their install scripts, so `node_modules/.bin/bun` is a stub that only
 * prints "Bun's postinstall script was not run", and `.bin/deno` goes through a Node launcher:
 * both ship the real binary in a platform package (`@oven/bun-linux-x64`, `@deno/linux-x64-glibc`,
 * ...) installed as an optional dependency, and that is what we run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';

export interface Found {
  /** The executable, if one runs here. */
  path: string | undefined;
  /** The version `--version` printed, such as `1.4.5`. */
  version: string | undefined;
  /** What was tried, for a skip message. */
  tried: string[];
}

const require = createRequire(import.meta.url);

function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } };
  return !report?.header?.glibcVersionRuntime;
}

/** Resolves `file` from the package `owner` (whose optional dependencies hold the binaries). */
function resolveFrom(owner: string, file: string): string | undefined {
  try {
    const ownerRequire = createRequire(require.resolve(`${owner}/package.json`));
    const [scope = '', name = ''] = file.split('/');
    const manifest = ownerRequire.resolve(`${scope}/${name}/package.json`);
    const path = join(dirname(manifest), file.split('/').slice(2).join('/'));
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** The first candidate that answers `--version` (a binary for another CPU level crashes there). */
function firstThatRuns(candidates: (string | undefined)[], labels: string[]): Found {
  const tried: string[] = [];
  for (const [index, path] of candidates.entries()) {
    const label = labels[index] ?? String(path);
    if (path === undefined) {
      tried.push(`${label}: not installed`);
      continue;
    }
    // Synchronous (collection needs the answer); bounded as any start on a loaded machine.
    const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: READY_TIMEOUT_MS });
    if (result.status === 0) {
      const version = /\d+\.\d+\.\d+\S*/.exec(result.stdout)?.[0] ?? result.stdout.trim();
      return { path, version, tried };
    }
    const why =
      result.error?.message ?? result.stderr.trim().split('\n')[0] ?? `exit ${result.status}`;
    tried.push(`${label}: does not run (${why})`);
  }
  return { path: undefined, version: undefined, tried };
}

/** Bun from `@oven/bun-<os>-<arch>[-musl][-baseline]`, else a `bun` whose postinstall did run. */
export function findBun(): Found {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'arm64' ? 'aarch64' : process.arch;
  const exe = process.platform === 'win32' ? 'bun.exe' : 'bun';
  let targets: string[];
  if (process.platform === 'linux') {
    const libc = isMusl() ? '-musl' : '';
    targets = [`linux-${arch}${libc}`];
    // x64 builds need AVX2; the `-baseline` ones run on older CPUs.
    if (arch === 'x64') targets.push(`linux-x64${libc}-baseline`);
  } else if (process.platform === 'android') {
    targets = [`linux-${arch}-android`];
  } else {
    targets = [`${os}-${arch}`];
    if (arch === 'x64') targets.push(`${os}-x64-baseline`);
  }
  const labels = targets.map((target) => `@oven/bun-${target}`);
  const candidates = labels.map((label) => resolveFrom('bun', `${label}/bin/${exe}`));
  // Where bun's install script did run, its bin/bun.exe is the real binary, not the stub.
  const own = packageDir('bun');
  labels.push('bun/bin/bun.exe');
  candidates.push(own === undefined ? undefined : join(own, 'bin', 'bun.exe'));
  return firstThatRuns(candidates, labels);
}

/** Deno from `@deno/<os>-<arch>[-glibc]`, else the copy the `deno` launcher makes on first use. */
export function findDeno(): Found {
  const exe = process.platform === 'win32' ? 'deno.exe' : 'deno';
  const target =
    process.platform === 'linux'
      ? `linux-${process.arch}-${isMusl() ? 'musl' : 'glibc'}`
      : `${process.platform}-${process.arch}`;
  const labels = [`@deno/${target}`, `deno/${exe}`];
  const own = packageDir('deno');
  const candidates = [
    resolveFrom('deno', `@deno/${target}/${exe}`),
    own === undefined || !existsSync(join(own, exe)) ? undefined : join(own, exe),
  ];
  return firstThatRuns(candidates, labels);
}
