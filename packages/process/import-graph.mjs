// The import-circle check the gateway's and the emulator's structure tests share: each reads its
// own src into a graph of relative imports and asks for its circles.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Every module of `src` (tests aside), with the relative modules it imports: `import`, `export
 * ... from`, type-only, and `import('...')` (a dynamic import or an inline type).
 */
export function importGraph(src) {
  const files = readdirSync(src, { recursive: true })
    .filter((file) => file.endsWith('.ts') && !/\.(test|test-d)\.ts$/.test(file))
    .map((file) => join(src, file));
  const edges = new Map();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const targets = [
      ...source.matchAll(/(?:from\s+|import\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g),
    ].map((match) => relative(src, resolve(dirname(file), match[1])));
    edges.set(relative(src, file), targets);
  }
  return edges;
}

/** The circles of `edges`, each as the path that closes it. */
export function circles(edges) {
  const found = [];
  const state = new Map();
  const walk = (node, path) => {
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
