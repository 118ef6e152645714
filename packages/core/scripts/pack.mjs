// Packs @voipbin-kit/core as it is published: with pnpm, which writes the `catalog:` versions
// of pnpm-workspace.yaml into the packed package.json (npm pack would leave `catalog:` there).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const PNPM_FALLBACK = 'pnpm@12.21.0';

/**
 * How to run pnpm: the pnpm that runs this process (`npm_execpath`, set by `pnpm run` and by turbo,
 * which runs tasks through pnpm), else `npx -y pnpm@12.21.0`.
 * @returns {{ command: string, args: string[] }}
 */
export function pnpmCommand(env = process.env) {
  const execpath = env.npm_execpath;
  const agent = env.npm_config_user_agent ?? '';
  if (execpath && (agent.startsWith('pnpm/') || /pnpm/i.test(basename(execpath)))) {
    // pnpm ships as a native binary or as a JavaScript launcher; run the latter with node.
    return isJavaScript(execpath)
      ? { command: process.execPath, args: [execpath] }
      : { command: execpath, args: [] };
  }
  return { command: 'npx', args: ['-y', PNPM_FALLBACK] };
}

function isJavaScript(file) {
  if (/\.[cm]?js$/.test(file)) return true;
  try {
    const head = readFileSync(file, { encoding: 'latin1' }).slice(0, 128);
    return head.startsWith('#!') && head.split('\n')[0].includes('node');
  } catch {
    return false;
  }
}

// What `npx` and `pnpm run` put in the environment (npm_config_local_prefix, npm_package_*, a
// user agent ...) makes a nested pnpm or npm act on the wrong folder or fail (`npx -y pnpm pack`
// under `npx vitest` asks the registry for pnpm binaries of every platform). Children get the
// environment without them, keeping only how to reach the registry.
const KEEP =
  /^npm_config_(registry|cache|cafile|userconfig|globalconfig|strict_ssl|https?_proxy|proxy|noproxy)$/i;

/** `env` without the npm_* and pnpm_* variables of the process that runs us. */
export function cleanNpmEnv(env = process.env) {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => !/^(npm|pnpm)_/i.test(key) || KEEP.test(key)),
  );
}

/**
 * Packs the package into `destination` (an empty folder) and returns the tarball's path.
 * @param {string} destination
 * @param {{ timeout?: number }} [options]
 * @returns {string}
 */
export function packWithPnpm(destination, { timeout = 60_000 } = {}) {
  const { command, args } = pnpmCommand();
  execFileSync(command, [...args, 'pack', '--pack-destination', destination], {
    cwd: packageDir,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout,
    env: { ...cleanNpmEnv(), npm_config_update_notifier: 'false' },
  });
  const tarballs = readdirSync(destination).filter((name) => name.endsWith('.tgz'));
  if (tarballs.length !== 1) {
    throw new Error(
      `expected one tarball in ${destination}, found: ${tarballs.join(', ') || 'none'}`,
    );
  }
  return join(destination, tarballs[0]);
}
