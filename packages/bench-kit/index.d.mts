import type { Unstable_Config } from 'wrangler';

export interface Budgets {
  /** src/runtime/worker.ts bundled as `wrangler deploy` does, minified, gzip -9. */
  workerBundle: {
    what: string;
    guardKB: number;
    goalKB: number;
    tracedGuardKB: number;
    tracedWhat: string;
    decision: string;
  };
  /** workerd's CPU time to the first createCall over a trivial Worker's; the compile goal. */
  workerColdStart: { what: string; budgetMs: number; compileGoalMs: number; decision: string };
  /** An app's createClient + calls.create, for the browser, minified, gzip -9. */
  coreBrowserBundle: { what: string; talkOnlyKB: number; allActionsKB: number; decision: string };
  /** Every .js of apps/web/dist/assets, gzip -9 each, summed. */
  webPage: { what: string; budgetKB: number; decision: string };
}

/** budgets.json: the performance budgets, the one place their numbers live. */
export declare const budgets: Budgets;
/** `kb` KB (of 1,024 bytes) in bytes. */
export declare function kib(kb: number): number;
/** The value at `p` (0 to 1) of `sorted` (ascending), by nearest rank; NaN when it is empty. */
export declare function percentile(sorted: readonly number[], p: number): number;

/** A Wrangler configuration file as wrangler reads it (`unstable_readConfig`), warnings left out. */
export declare function readWranglerConfig(configPath: string): Promise<Unstable_Config>;

export interface DurableObject {
  /** The binding's name, e.g. `GATEWAY_STORE`. */
  name: string;
  className: string;
  /** SQLite-backed (`new_sqlite_classes` of a migration). */
  sql: boolean;
}
/** The Durable Objects a Wrangler configuration binds. */
export declare function durableObjectsOf(config: Unstable_Config): DurableObject[];

/** An esbuild plugin: bundles the workspace packages `names`, leaves every other package import external. */
export declare function bundlingOnly(names: string[]): {
  name: string;
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string; importer: string }) => { path: string; external?: boolean },
    ): void;
  }): void;
};

/** The workerd executable of the `workerd` package's platform dependency. */
export declare function findWorkerd(): string;
/** The version of that workerd. */
export declare function workerdVersion(): string;

/** A workerd config (capnp) serving `worker.js`, an ES module beside it, on 127.0.0.1:`port`. */
export declare function workerdConfig(options: {
  port: number;
  compatibilityDate: string;
  /** Text bindings (environment variables). */
  bindings?: Record<string, string>;
  /** Namespaces bound and defined. */
  durableObjects?: DurableObject[];
  /** An existing directory their storage goes to (required with `durableObjects`). */
  durableObjectsDir?: string;
  /** A network the Worker's fetches may use: loopback, private and public addresses. */
  outbound?: boolean;
}): string;
