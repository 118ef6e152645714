export declare const packageDir: string;
export declare const PNPM_FALLBACK: string;
export declare function pnpmCommand(env?: NodeJS.ProcessEnv): { command: string; args: string[] };
export declare function packWithPnpm(destination: string, options?: { timeout?: number }): string;
export declare function cleanNpmEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
