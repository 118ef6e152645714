import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { circles, importGraph } from '../import-graph.mjs';

describe('the import-circle check', () => {
  it('finds a circle when there is one (the check itself)', () => {
    const edges = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(circles(edges)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('reads every kind of relative import of a src, tests aside', () => {
    const src = mkdtempSync(join(tmpdir(), 'import-graph-'));
    try {
      mkdirSync(join(src, 'sub'));
      writeFileSync(
        join(src, 'a.ts'),
        "import { b } from './sub/b.ts';\nimport type { C } from './c.ts';\nexport * from './d.ts';\nconst e = await import('./e.ts');\nimport 'lib';\n",
      );
      writeFileSync(join(src, 'sub/b.ts'), "type T = import('../c.ts').C;\n");
      writeFileSync(join(src, 'a.test.ts'), "import { a } from './a.ts';\n");
      expect(Object.fromEntries(importGraph(src))).toEqual({
        'a.ts': ['sub/b.ts', 'c.ts', 'd.ts', 'e.ts'],
        'sub/b.ts': ['c.ts'],
      });
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
