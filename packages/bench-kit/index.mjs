// @voipbin-kit/bench-kit: what the benchmark (bench/), the budget script
// (apps/gateway/scripts/budgets.mjs) and the size tests share: the budgets (budgets.json), a
// percentile, wrangler.toml as wrangler reads it, and the workerd config that serves the Worker.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** budgets.json: the performance budgets, the one place their numbers live. */
export const budgets = JSON.parse(readFileSync(new URL('budgets.json', import.meta.url), 'utf8'));

/** `kb` KB (of 1,024 bytes) in bytes. */
export const kib = (kb) => Math.round(kb * 1024);

/** The value at `p` (0 to 1) of `sorted` (ascending), by nearest rank; NaN when it is empty. */
export const percentile = (sorted, p) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/**
 * A Wrangler configuration file (wrangler.toml, .json or .jsonc) as wrangler itself reads it
 * (`unstable_readConfig`: its parser, normalisation and defaults), its warnings left out. Wrangler
 * takes most of a second to load: it is imported on the first call.
 */
export async function readWranglerConfig(configPath) {
  if (!existsSync(configPath)) throw new Error(`${configPath} is missing`);
  const { unstable_readConfig } = await import('wrangler');
  return unstable_readConfig({ config: configPath }, { hideWarnings: true });
}

/** The Durable Objects a Wrangler configuration binds, SQLite-backed when a migration says so. */
export function durableObjectsOf(config) {
  const sqlite = new Set(
    config.migrations.flatMap((migration) => migration.new_sqlite_classes ?? []),
  );
  return config.durable_objects.bindings.map(({ name, class_name: className }) => ({
    name,
    className,
    sql: sqlite.has(className),
  }));
}

/**
 * An esbuild plugin that bundles the workspace packages `names` (imported by their exports, e.g.
 * `@voipbin-kit/gateway/runtime/node-fetch`, which may point at TypeScript sources) and leaves
 * every other package import to Node at run time, as esbuild's `packages: 'external'` does.
 */
export function bundlingOnly(names) {
  const bundled = (path) => names.some((name) => path === name || path.startsWith(`${name}/`));
  return {
    name: 'bundling-only',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path, importer }) =>
        bundled(path) ? { path: createRequire(importer).resolve(path) } : { path, external: true },
      );
    },
  };
}

/** The workerd executable of the `workerd` package's platform dependency (no install script needed). */
export function findWorkerd() {
  const path = require('workerd').default;
  if (!path || !existsSync(path))
    throw new Error(`no workerd binary for ${process.platform}-${process.arch}`);
  return path;
}

/** The version of that workerd. */
export const workerdVersion = () => require('workerd/package.json').version;

const text = (value) => JSON.stringify(value);

/**
 * A workerd config (capnp) serving `worker.js`, an ES module beside it, on 127.0.0.1:`port`:
 * its compatibility date, text `bindings`, the `durableObjects` (`durableObjectsOf`), stored in
 * the existing directory `durableObjectsDir`, and with `outbound` a network its fetches may use
 * (loopback included, e.g. an emulator). On disk, not in memory: workerd's in-memory storage has
 * no SQL API, whatever `enableSql` says.
 */
export function workerdConfig({
  port,
  compatibilityDate,
  bindings = {},
  durableObjects = [],
  durableObjectsDir,
  outbound = false,
}) {
  if (durableObjects.length > 0 && !durableObjectsDir)
    throw new Error('workerdConfig: Durable Objects need a durableObjectsDir to be stored in');
  const services = ['(name = "main", worker = .worker)'];
  if (durableObjects.length > 0)
    services.push(
      `(name = "durable-objects", disk = (path = ${text(durableObjectsDir)}, writable = true))`,
    );
  if (outbound)
    services.push('(name = "outbound", network = (allow = ["local", "private", "public"]))');
  const binds = [
    ...Object.entries(bindings).map(
      ([name, value]) => `(name = ${text(name)}, text = ${text(String(value))})`,
    ),
    ...durableObjects.map(
      ({ name, className }) =>
        `(name = ${text(name)}, durableObjectNamespace = (className = ${text(className)}))`,
    ),
  ];
  const worker = [
    'modules = [ (name = "worker.js", esModule = embed "worker.js") ]',
    `compatibilityDate = ${text(compatibilityDate)}`,
    `bindings = [ ${binds.join(', ')} ]`,
  ];
  if (durableObjects.length > 0)
    worker.push(
      `durableObjectNamespaces = [ ${durableObjects
        .map(
          ({ className, sql }) =>
            `(className = ${text(className)}, uniqueKey = ${text(`voipbin-kit-${className}`)}, enableSql = ${sql})`,
        )
        .join(', ')} ]`,
      'durableObjectStorage = (localDisk = "durable-objects")',
    );
  if (outbound) worker.push('globalOutbound = "outbound"');
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ ${services.join(', ')} ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
${worker.map((line) => `  ${line},`).join('\n')}
);
`;
}
