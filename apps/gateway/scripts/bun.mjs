#!/usr/bin/env node
/**
 * Runs the real Bun binary with the given arguments: `node scripts/bun.mjs src/runtime/bun.ts`.
 *
 * pnpm does not run the `bun` package's install script, so `node_modules/.bin/bun` is a stub that
 * only prints "Bun's postinstall script was not run". The binary itself ships in a platform
 * package (`@oven/bun-linux-x64`, ...), an optional dependency of `bun`: this runs that one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInPlace } from '@voipbin-kit/process';

const require = createRequire(import.meta.url);

function platformPackage() {
  const arch = process.arch === 'arm64' ? 'aarch64' : process.arch;
  if (process.platform === 'win32') return `@oven/bun-windows-${arch}`;
  if (process.platform === 'linux') {
    const report = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (
      process.report?.getReport()
    );
    return `@oven/bun-linux-${arch}${report?.header?.glibcVersionRuntime ? '' : '-musl'}`;
  }
  return `@oven/bun-${process.platform}-${arch}`;
}

function findBun() {
  const name = platformPackage();
  try {
    const fromBun = createRequire(require.resolve('bun/package.json'));
    const dir = dirname(fromBun.resolve(`${name}/package.json`));
    const exe = join(dir, 'bin', process.platform === 'win32' ? 'bun.exe' : 'bun');
    if (existsSync(exe)) return exe;
  } catch {
    // not installed for this platform
  }
  throw new Error(
    `No Bun binary for ${process.platform}-${process.arch}: ${name} is not installed. ` +
      'Install Bun (https://bun.sh) and run `bun src/runtime/bun.ts` instead.',
  );
}

// Bun in a process group of its own: a signal sent here (Ctrl-C included) is passed on once,
// this launcher exits as Bun does (its code, or its signal), and Bun never outlives it.
runInPlace({ command: findBun(), args: ['--no-install', ...process.argv.slice(2)] });
