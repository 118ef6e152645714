export interface Entry {
  label: string;
  budgetBytes: number;
  /** The app's source, importing from dist/index.js. */
  source: string;
}
/** The apps measured: `talk` (talk actions only) and `all` (any of the 44). */
export declare const ENTRIES: { talk: Entry; all: Entry };
export type EntryName = keyof typeof ENTRIES;
/** The headline figure, `talk`'s. */
export declare const BUDGET_BYTES: number;
export declare const LABEL: string;

export interface BundleSize {
  label: string;
  /** Minified bytes. */
  bytes: number;
  /** Gzip (level 9) bytes. */
  gzipBytes: number;
  budgetBytes: number;
  /** The minified bundle. */
  text: string;
  /** esbuild's metafile inputs by bytes in the output, largest first. */
  inputs: { path: string; bytes: number }[];
}

export declare function measureBrowserBundle(options?: {
  entry?: EntryName;
  external?: string[];
  /** Another app to bundle instead of the entry's (importing from `./dist/index.js`). */
  source?: string;
}): Promise<BundleSize>;
export declare function gzipByPackage(
  entry?: EntryName,
  names?: string[],
  /** The whole bundle's gzip size, when already measured. */
  gzipBytes?: number,
): Promise<[name: string, gzipBytes: number][]>;
export declare function byPackage(inputs: BundleSize['inputs']): [name: string, bytes: number][];
/** The line `pnpm size` prints: `<label>: 12.7 KB gzip (budget 13 KB)`. */
export declare function sizeLine(
  size: Pick<BundleSize, 'gzipBytes' | 'budgetBytes'> & { label?: string },
): string;
