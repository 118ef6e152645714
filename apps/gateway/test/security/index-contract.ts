/**
 * What every store's indexes must do (an owner's calls, newest first), and the ownership
 * records on them: run on the memory store, Redis (store-index.test.ts) and Deno KV.
 */
import { describe, expect, it } from 'vitest';
import { createOwnership } from '../../src/security/ownership.ts';
import type { Store } from '../../src/security/store.ts';

export const DAY = 86_400_000;
export const members = (entries: { member: string }[]) => entries.map((e) => e.member);

export function indexContract(name: string, open: () => Promise<Store>) {
  describe(`${name}: indexes`, () => {
    it('pages members newest first, each score a unique cursor, even when added at once', async () => {
      const store = await open();
      await store.indexAdd('owned:a', ['c1', 'c2', 'c3'], DAY, 100);
      await store.indexAdd('owned:a', ['c4'], DAY, 100);
      const all = await store.indexPage('owned:a', 10);
      expect(members(all)).toEqual(['c4', 'c3', 'c2', 'c1']);
      expect(new Set(all.map((e) => e.score)).size).toBe(4);
      const first = await store.indexPage('owned:a', 2);
      expect(members(first)).toEqual(['c4', 'c3']);
      const next = await store.indexPage('owned:a', 2, first.at(-1)?.score);
      expect(members(next)).toEqual(['c2', 'c1']);
      expect(await store.indexPage('owned:a', 2, next.at(-1)?.score)).toEqual([]);
    });

    it('keeps a member added again where it was, and only the newest `max`', async () => {
      const store = await open();
      await store.indexAdd('owned:b', ['c1', 'c2'], DAY, 3);
      await store.indexAdd('owned:b', ['c1', 'c3', 'c4'], DAY, 3);
      expect(members(await store.indexPage('owned:b', 10))).toEqual(['c4', 'c3', 'c2']);
    });

    it('keeps indexes apart and answers an unknown one empty', async () => {
      const store = await open();
      await store.indexAdd('owned:c', ['x'], DAY, 10);
      expect(await store.indexPage('owned:d', 10)).toEqual([]);
      expect(members(await store.indexPage('owned:c', 10))).toEqual(['x']);
    });

    it('lets an index expire after its TTL', async () => {
      const store = await open();
      await store.indexAdd('owned:e', ['x'], 30, 10);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await store.indexPage('owned:e', 10)).toEqual([]);
    });
  });

  describe(`${name}: ownership`, () => {
    it("records owners, and pages an owner's calls with cursors", async () => {
      const ownership = createOwnership(await open());
      await ownership.record('alice', 'call', ['c1', 'c2', 'c3']);
      await ownership.record('alice', 'flow', ['f1']);
      await ownership.record('bob', 'call', ['c9']);
      expect(await ownership.ownerOf('call', 'c2')).toBe('alice');
      expect(await ownership.ownerOf('flow', 'f1')).toBe('alice');
      expect(await ownership.ownerOf('call', 'f1')).toBeNull();
      expect(await ownership.ownerOf('call', 'nope')).toBeNull();
      const first = await ownership.page('alice', 2);
      expect(first.items.map((i) => i.id)).toEqual(['c3', 'c2']);
      expect(first.next).toBe(first.items[1]?.cursor);
      const last = await ownership.page('alice', 2, first.next);
      expect(last).toEqual({ items: [{ id: 'c1', cursor: expect.any(String) }], next: null });
      // A cursor this gateway did not make lists nothing.
      expect(await ownership.page('alice', 2, 'not-a-cursor')).toEqual({ items: [], next: null });
      expect((await ownership.page('bob', 10)).items.map((i) => i.id)).toEqual(['c9']);
    });
  });
}
