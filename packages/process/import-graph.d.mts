/**
 * Every module of `src` (tests aside), as a path relative to it, with the relative modules it
 * imports: `import`, `export ... from`, type-only, and `import('...')`.
 */
export declare function importGraph(src: string): Map<string, string[]>;
/** The circles of `edges`, each as the path that closes it (`['a.ts', 'b.ts', 'a.ts']`). */
export declare function circles(edges: Map<string, string[]>): string[][];
