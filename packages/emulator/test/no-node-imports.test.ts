/**
 * The emulator's handler runs in Node, Bun, Deno and Workers: its source must not import or
 * require a Node builtin, with or without the `node:` prefix, except the Node adapter
 * (`src/node.ts`) and the command (`src/bin.ts`). The tsconfig of that source keeps
 * `types: []` so that no Node global (`process`, `Buffer`) type-checks by accident.
 * The approach of packages/core/test/no-node-imports.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const srcDir = join(packageDir, 'src');

/** The only source files that may use Node: they serve the handler over Node's HTTP. */
const NODE_ONLY = ['src/node.ts', 'src/bin.ts'];

const BUILTINS = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/** `node:anything`, or a builtin (`fs`, `fs/promises`, `path`, `http`, ...) by its bare name. */
function isNodeBuiltin(specifier: string): boolean {
  return (
    specifier.startsWith('node:') ||
    BUILTINS.has(specifier) ||
    BUILTINS.has(specifier.split('/')[0] ?? '')
  );
}

/**
 * Every module a file names: static and type-only imports, `export ... from`, `import x =
 * require()`, dynamic `import()`, `require()` and `/// <reference types>`.
 */
function specifiers(code: string): string[] {
  const info = ts.preProcessFile(code, true, true);
  return [...info.importedFiles, ...info.typeReferenceDirectives].map((ref) => ref.fileName);
}

/** The runtime-agnostic source files: tests and the Node-only files aside. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?[jt]sx?$/.test(entry.name))
    .filter((entry) => !/\.test(-d)?\.[cm]?[jt]sx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !NODE_ONLY.includes(relative(packageDir, file).split('\\').join('/')));
}

describe('no Node imports in the runtime-agnostic src', () => {
  it('the detector sees every way of naming a module', () => {
    const code = [
      '/// <reference types="node" />',
      "import fs from 'fs';",
      "import { join } from 'node:path';",
      "import type { Agent } from 'http';",
      "export * from 'os';",
      "import os = require('node:os');",
      "const crypto = require('crypto');",
      "const p = await import('fs/promises');",
      "import { serve } from 'srvx/node';",
    ].join('\n');
    const found = specifiers(code);
    expect(found).toEqual(
      expect.arrayContaining([
        'fs',
        'node:path',
        'http',
        'os',
        'node:os',
        'crypto',
        'fs/promises',
        'node',
      ]),
    );
    expect(['valibot', 'srvx', './node.ts', '@voipbin-kit/core'].some(isNodeBuiltin)).toBe(false);
  });

  const files = sourceFiles(srcDir).map((file) => relative(packageDir, file).split('\\').join('/'));

  it('checks every source file but the Node adapter and the command', () => {
    expect(files).toEqual(expect.arrayContaining(['src/index.ts', 'src/emulator.ts']));
    expect(files).not.toEqual(expect.arrayContaining(['src/node.ts']));
    expect(files).not.toEqual(expect.arrayContaining(['src/bin.ts']));
    expect(files.filter((file) => file.endsWith('.test.ts'))).toEqual([]);
  });

  it('no source file imports or requires a Node builtin', () => {
    const offenders = files.flatMap((file) =>
      specifiers(readFileSync(join(packageDir, file), 'utf8'))
        // A `/// <reference types="node" />` pulls in Node's globals: as bad as an import. So
        // does `srvx/node`, the Node server the adapter uses.
        .filter(
          (specifier) =>
            isNodeBuiltin(specifier) ||
            specifier === 'node' ||
            specifier.startsWith('@types/') ||
            specifier.endsWith('/node') ||
            specifier === './node.ts' ||
            specifier === './bin.ts',
        )
        .map((specifier) => `${file}: '${specifier}'`),
    );
    expect(offenders, 'src must run outside Node: use web APIs (fetch, URL, TextEncoder)').toEqual(
      [],
    );
  });

  it('tsconfig.json keeps `types: []` for exactly these files', () => {
    const path = join(packageDir, 'tsconfig.json');
    const { config, error } = ts.readConfigFile(path, ts.sys.readFile);
    expect(error).toBeUndefined();
    expect(config.compilerOptions?.types).toEqual([]);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, packageDir);
    expect(parsed.options.types).toEqual([]);
    const checked = parsed.fileNames.map((file) => relative(packageDir, file));
    expect(checked.sort()).toEqual([...files].sort());
  });
});
