export declare const BUDGET_BYTES: number;
export declare const LABEL: string;

export interface BundleSize {
  /** Minified bytes. */
  bytes: number;
  /** Gzip (level 9) bytes. */
  gzipBytes: number;
  budgetBytes: number;
  /** esbuild's metafile inputs by bytes in the output, largest first. */
  inputs: { path: string; bytes: number }[];
}

export declare function measureBrowserBundle(options?: {
  external?: string[];
}): Promise<BundleSize>;
export declare function gzipByPackage(
  names?: string[],
): Promise<[name: string, gzipBytes: number][]>;
export declare function byPackage(inputs: BundleSize['inputs']): [name: string, bytes: number][];
/** The line `pnpm size` prints: `<label>: 12.7 KB gzip (budget 13 KB)`. */
export declare function sizeLine(size: Pick<BundleSize, 'gzipBytes' | 'budgetBytes'>): string;
