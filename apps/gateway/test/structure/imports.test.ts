/**
 * The gateway's modules import one way: no circle, type-only imports included (a circle makes
 * the order in which modules run matter, and a refactor that moves a line breaks the schema).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * Every module of src (tests aside), with the relative modules it imports: `import`, `export
 * ... from`, type-only, and `import('...')` (a dynamic import or an inline type).
 */
function graph(): Map<string, string[]> {
  const files = (readdirSync(SRC, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !/\.(test|test-d)\.ts$/.test(file))
    .map((file) => join(SRC, file));
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const targets = [
      ...source.matchAll(/(?:from\s+|import\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g),
    ].map((match) => relative(SRC, resolve(dirname(file), match[1] as string)));
    edges.set(relative(SRC, file), targets);
  }
  return edges;
}

/** The circles of `edges`, each as the path that closes it. */
function circles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const walk = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) walk(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of edges.keys()) walk(node, []);
  return found;
}

/** The imports of `edges` from a module under `from` into one under any of `into`, as `a -> b`. */
function crossings(edges: Map<string, string[]>, from: string, into: string[]): string[] {
  return [...edges].flatMap(([file, targets]) =>
    file.startsWith(from)
      ? targets.filter((t) => into.some((dir) => t.startsWith(dir))).map((t) => `${file} -> ${t}`)
      : [],
  );
}

describe('imports', () => {
  it('finds a circle when there is one (the check itself)', () => {
    const edges = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(circles(edges)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('runs in no circle in src', () => {
    const edges = graph();
    expect(edges.size).toBeGreaterThan(20);
    expect(circles(edges)).toEqual([]);
  });

  it('keeps errors, security and the mapping free of the schema modules', () => {
    const edges = graph();
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
    const edges = graph();
    const schemaModules = [...edges.keys()].filter((file) => file.startsWith('schema/'));
    expect(schemaModules.length).toBeGreaterThan(5);
    expect(crossings(edges, 'schema/', ['security/', 'events/'])).toEqual([]);
  });
});
