/**
 * `gateway.caches()`: what the bounded caches hold, as counts, for a leak check (the bench's
 * memory case reads it through the Node entry's SIGUSR2 line). They fill to their budgets and
 * stop there; they never name a key, an id or a number.
 */
import { createEmulator } from '@voipbin-kit/emulator';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/index.ts';
import { hashApiKey } from '../src/security/auth.ts';
import { createMemoryStore } from '../src/security/store-memory.ts';
import { graphql, QUICKSTART } from './support/graphql.ts';

const KEY = 'key-of-the-cache-test';
const PLACE = /* GraphQL */ `mutation {
  createCall(input: {
    source: { type: TEL, target: "${QUICKSTART.source}" }
    destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }]
    actions: [{ talk: { text: "Hi" } }]
  }) { calls { id } }
}`;

async function gatewayWith(ownerBudget: number) {
  return createGateway({
    upstream: { kind: 'emulator', emulator: createEmulator({ clock: { speed: 1000 } }) },
    security: {
      auth: { apiKeyHashes: [await hashApiKey(KEY)] },
      store: createMemoryStore({ budgets: { owner: { maxKeys: ownerBudget } } }),
    },
  });
}

describe('gateway.caches()', () => {
  it('counts what each createCall leaves behind: an owner record and an indexed call', async () => {
    const gateway = await gatewayWith(100);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const placed = await graphql(gateway, PLACE, undefined, { 'x-api-key': KEY });
      expect(placed.errors).toBeUndefined();
      ids.push(placed.data?.createCall.calls[0].id);
    }
    const caches = gateway.caches();
    expect(caches).toMatchObject({
      'store.keys.owner': 3,
      'store.indexes': 1,
      'store.indexed': 3,
      // Nobody follows these calls: the event hub keeps nothing for them.
      'events.owners': 0,
    });
    expect(Object.values(caches).every(Number.isInteger)).toBe(true);
    // Counts only: no call id, no number, no key in what it says.
    const said = JSON.stringify(caches);
    for (const secret of [...ids, KEY, QUICKSTART.source, QUICKSTART.destination])
      expect(said).not.toContain(secret);
    await gateway.close();
  });

  it('stops at the budget: more calls than owner records allowed keep the count at it', async () => {
    const gateway = await gatewayWith(5);
    for (let i = 0; i < 8; i++) {
      const placed = await graphql(gateway, PLACE, undefined, { 'x-api-key': KEY });
      expect(placed.errors).toBeUndefined();
    }
    expect(gateway.caches()['store.keys.owner']).toBe(5);
    await gateway.close();
  });

  it('says nothing of a store that lives elsewhere', async () => {
    const inMemory = createMemoryStore();
    const { stats: _, ...shared } = inMemory;
    const gateway = createGateway({
      upstream: { kind: 'emulator', emulator: createEmulator() },
      security: { store: shared },
    });
    expect(Object.keys(gateway.caches()).filter((name) => name.startsWith('store.'))).toEqual([]);
    await gateway.close();
  });
});
