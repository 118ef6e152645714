/**
 * The gateway's modules import one way: no circle, type-only imports included (a circle makes
 * the order in which modules run matter, and a refactor that moves a line breaks the schema).
 */
import { resolve } from 'node:path';
import { circles, importGraph } from '@voipbin-kit/process/import-graph';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** The imports of `edges` from a module under `from` into one under any of `into`, as `a -> b`. */
function crossings(edges: Map<string, string[]>, from: string, into: string[]): string[] {
  return [...edges].flatMap(([file, targets]) =>
    file.startsWith(from)
      ? targets.filter((t) => into.some((dir) => t.startsWith(dir))).map((t) => `${file} -> ${t}`)
      : [],
  );
}

describe('imports', () => {
  it('runs in no circle in src', () => {
    const edges = importGraph(SRC);
    expect(edges.size).toBeGreaterThan(20);
    expect(circles(edges)).toEqual([]);
  });

  it('keeps errors, security and the mapping free of the schema modules', () => {
    const edges = importGraph(SRC);
    for (const [file, targets] of edges) {
      if (file === 'errors.ts' || file === 'mapping.ts' || file.startsWith('security/')) {
        expect(
          targets.filter((t) => t.startsWith('schema/')),
          file,
        ).toEqual([]);
      }
    }
    // The mapping registers no GraphQL type: it never reaches the builder.
    expect(edges.get('mapping.ts')?.filter((t) => t === 'builder.ts')).toEqual([]);
  });

  it('keeps the error codes below every module that answers one: they import none of src', () => {
    const edges = importGraph(SRC);
    expect(edges.get('error-codes.ts')).toEqual([]);
    expect(
      [...edges].filter(([, targets]) => targets.includes('error-codes.ts')).length,
    ).toBeGreaterThan(10);
  });

  it('finds an import into a forbidden folder when there is one (the check itself)', () => {
    const edges = new Map([
      ['schema/a.ts', ['calls/index.ts', 'security/index.ts']],
      ['schema/b.ts', ['events/follow.ts']],
      ['calls/index.ts', ['security/index.ts', 'events/follow.ts']],
    ]);
    expect(crossings(edges, 'schema/', ['security/', 'events/'])).toEqual([
      'schema/a.ts -> security/index.ts',
      'schema/b.ts -> events/follow.ts',
    ]);
  });

  it('keeps the schema modules off security and events: their resolvers go through calls', () => {
    const edges = importGraph(SRC);
    const schemaModules = [...edges.keys()].filter((file) => file.startsWith('schema/'));
    expect(schemaModules.length).toBeGreaterThan(5);
    expect(crossings(edges, 'schema/', ['security/', 'events/'])).toEqual([]);
  });
});
