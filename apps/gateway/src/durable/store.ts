import {
  checkBucket,
  checkTtl,
  type IndexEntry,
  type Store,
  type TakeResult,
} from '../security/store.ts';

/** What the store calls on a `GatewayStore` object (store-object.ts), by RPC. */
export interface GatewayStoreStub {
  take(key: string, perMinute: number, burst: number): Promise<TakeResult>;
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  indexAdd(key: string, members: string[], ttlMs: number, max: number): Promise<void>;
  indexPage(key: string, limit: number, before?: number): Promise<IndexEntry[]>;
}

/** A Durable Object namespace binding (`env.GATEWAY_STORE`), as much of it as is used here. */
export interface DurableNamespace<Stub> {
  idFromName(name: string): unknown;
  get(id: unknown): Stub;
}

/** Whether a Worker binding is a Durable Object namespace (and not a var or another binding). */
export function isDurableNamespace<Stub>(binding: unknown): binding is DurableNamespace<Stub> {
  const candidate = binding as Partial<DurableNamespace<Stub>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.idFromName === 'function' &&
    typeof candidate.get === 'function'
  );
}

/**
 * The gateway's `Store` in Durable Objects (`GatewayStore`, store-object.ts), for a Worker: one
 * object a key, named by the key, so each operation is atomic in the object that holds it,
 * whatever isolate asks, and no caller's keys queue behind another's. A failed call to an object
 * rejects, and the request that needed it fails closed (as with Redis).
 */
export function createDurableStore(
  namespace: DurableNamespace<GatewayStoreStub>,
  options: { prefix?: string } = {},
): Store {
  // The object's name: `prefix` keeps gateways (or tests) that share a namespace apart.
  const prefix = options.prefix ?? '';
  const object = (key: string) => namespace.get(namespace.idFromName(prefix + key));
  return {
    async take(key, perMinute, burst) {
      checkBucket(perMinute, burst);
      return await object(key).take(key, perMinute, burst);
    },
    setIfAbsent: async (key, value, ttlMs) => object(key).setIfAbsent(key, value, checkTtl(ttlMs)),
    get: async (key) => object(key).get(key),
    set: async (key, value, ttlMs) => object(key).set(key, value, checkTtl(ttlMs)),
    delete: async (key) => object(key).delete(key),
    async indexAdd(key, members, ttlMs, max) {
      if (members.length === 0) return;
      await object(key).indexAdd(key, [...members], checkTtl(ttlMs), max);
    },
    indexPage: async (key, limit, before) =>
      before === undefined
        ? object(key).indexPage(key, limit)
        : object(key).indexPage(key, limit, before),
  };
}
