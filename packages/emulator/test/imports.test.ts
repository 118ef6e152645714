/**
 * The emulator's modules import one way: no circle, type-only imports included (the gateway's
 * check, @voipbin-kit/process/import-graph, over packages/emulator/src; its own test shows it
 * finds a circle).
 */
import { resolve } from 'node:path';
import { circles, importGraph } from '@voipbin-kit/process/import-graph';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

describe('imports of the emulator', () => {
  it('runs in no circle in src (sockets.ts -> emulator.ts -> types.ts ends there)', () => {
    const edges = importGraph(SRC);
    expect(edges.size).toBeGreaterThan(15);
    expect(circles(edges)).toEqual([]);
    // types.ts imports no module of the emulator: anything may import it.
    expect(edges.get('types.ts')).toEqual([]);
  });
});
