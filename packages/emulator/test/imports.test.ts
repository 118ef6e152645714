/**
 * The emulator's modules import one way: no circle, type-only imports included (a copy of the
 * gateway's check, apps/gateway/test/structure/imports.test.ts, over packages/emulator/src).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

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

describe('imports of the emulator', () => {
  it('finds a circle when there is one (the check itself)', () => {
    const edges = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(circles(edges)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('runs in no circle in src (sockets.ts -> emulator.ts -> types.ts ends there)', () => {
    const edges = graph();
    expect(edges.size).toBeGreaterThan(15);
    expect(circles(edges)).toEqual([]);
    // types.ts imports no module of the emulator: anything may import it.
    expect(edges.get('types.ts')).toEqual([]);
  });
});
