/** The stores' indexes (an owner's calls, newest first) and the ownership records on them. */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/security/store-memory.ts';
import { DAY, indexContract, members } from './index-contract.ts';
import { describeOnRedis } from './redis-server.ts';

indexContract('memory store', async () => createMemoryStore());

describe('memory store: indexes have their own budget', () => {
  it('drops the least recently written index past maxIndexed members in all, and never a key', async () => {
    const store = createMemoryStore({ maxIndexed: 2, budgets: { idem: { maxKeys: 10 } } });
    await store.set('idem:k', 'v', DAY);
    await store.indexAdd('owned:1', ['a'], DAY, 10);
    await store.indexAdd('owned:2', ['b'], DAY, 10);
    await store.indexAdd('owned:3', ['c'], DAY, 10);
    expect(await store.indexPage('owned:1', 10)).toEqual([]);
    expect(members(await store.indexPage('owned:3', 10))).toEqual(['c']);
    expect(await store.get('idem:k')).toBe('v');
  });

  it('refuses a maxIndexed that is not a whole number >= 1', () => {
    for (const maxIndexed of [0, 2.5, Number.NaN]) {
      expect(() => createMemoryStore({ maxIndexed })).toThrow(RangeError);
    }
  });

  it('counts members, not indexes: one long list pushes out several short ones', async () => {
    const store = createMemoryStore({ maxIndexed: 4 });
    await store.indexAdd('owned:1', ['a'], DAY, 10);
    await store.indexAdd('owned:2', ['b'], DAY, 10);
    await store.indexAdd('owned:3', ['c', 'd', 'e'], DAY, 10);
    // 5 members > 4: the oldest index goes, and that is enough.
    expect(await store.indexPage('owned:1', 10)).toEqual([]);
    expect(members(await store.indexPage('owned:2', 10))).toEqual(['b']);
    expect(members(await store.indexPage('owned:3', 10))).toEqual(['e', 'd', 'c']);
    // Growing an index counts what it adds (c is there already): 1 + 4 > 4.
    await store.indexAdd('owned:3', ['c', 'f'], DAY, 10);
    expect(await store.indexPage('owned:2', 10)).toEqual([]);
    expect(members(await store.indexPage('owned:3', 10))).toEqual(['f', 'e', 'd', 'c']);
  });
});

describeOnRedis((connect) => indexContract('Redis store', () => connect()));
