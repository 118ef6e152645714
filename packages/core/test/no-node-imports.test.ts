/**
 * The core runs in browsers, Bun, Deno and Workers: its source (tests aside) must not import
 * or require a Node builtin, with or without the `node:` prefix, and its tsconfig keeps
 * `types: []` so that no Node global (`process`, `Buffer`) type-checks by accident.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const srcDir = join(packageDir, 'src');

const BUILTINS = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/** `node:anything`, or a builtin (`fs`, `fs/promises`, `path`, `http`, ...) by its bare name. */
export function isNodeBuiltin(specifier: string): boolean {
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
export function specifiers(code: string): string[] {
  const info = ts.preProcessFile(code, true, true);
  return [...info.importedFiles, ...info.typeReferenceDirectives].map((ref) => ref.fileName);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?[jt]sx?$/.test(entry.name))
    .filter((entry) => !/\.test(-d)?\.[cm]?[jt]sx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('no Node imports in src', () => {
  it('the detector sees every way of naming a module', () => {
    const code = [
      // A triple-slash directive counts only above the first statement.
      '/// <reference types="node" />',
      "import fs from 'fs';",
      "import { join } from 'node:path';",
      "import type { Agent } from 'http';",
      "export * from 'os';",
      "import os = require('node:os');",
      "const crypto = require('crypto');",
      "const p = await import('fs/promises');",
      "import * as v from 'valibot';",
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
    expect(found.filter(isNodeBuiltin)).not.toContain('valibot');
    expect(
      ['fs', 'fs/promises', 'node:test', 'node:sqlite', 'http', 'path', 'buffer'].every(
        isNodeBuiltin,
      ),
    ).toBe(true);
    expect(['valibot', 'ofetch', './path.ts', 'events-lite', 'pathe'].some(isNodeBuiltin)).toBe(
      false,
    );
  });

  const files = sourceFiles(srcDir);

  it('finds the source files', () => {
    expect(files.map((file) => relative(packageDir, file))).toContain(join('src', 'index.ts'));
  });

  it('no source file imports or requires a Node builtin', () => {
    const offenders = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        // A `/// <reference types="node" />` pulls in Node's globals: as bad as an import.
        .filter(
          (specifier) =>
            isNodeBuiltin(specifier) || specifier === 'node' || specifier.startsWith('@types/'),
        )
        .map((specifier) => `${relative(packageDir, file)}: '${specifier}'`),
    );
    expect(offenders, 'src must run outside Node: use web APIs (fetch, URL, TextEncoder)').toEqual(
      [],
    );
  });

  it('src/tsconfig.json keeps `types: []`, so no @types/node globals type-check', () => {
    const path = join(packageDir, 'tsconfig.json');
    const { config, error } = ts.readConfigFile(path, ts.sys.readFile);
    expect(error).toBeUndefined();
    expect(config.compilerOptions?.types).toEqual([]);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, packageDir);
    expect(parsed.options.types).toEqual([]);
    expect(parsed.fileNames.some((file) => file.endsWith('src/index.ts'))).toBe(true);
  });
});
