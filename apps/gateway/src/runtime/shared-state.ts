/**
 * What several instances of the Node, Bun and Deno entries share, from `GATEWAY_REDIS_URL`: the
 * store (rate-limit buckets, idempotency keys, call owners) and the event fanout (a call state
 * one instance receives reaches every instance's subscribers). `@redis/client` runs on all
 * three (over `node:net`/`node:tls`, which Bun and Deno provide). Without the setting: nothing
 * shared, each instance keeps its own in memory. Not for the Worker entry (no TCP client there).
 */
import type { GatewayEnv } from '../env.ts';
import type { Fanout } from '../events/hub.ts';
import { createRedisFanout } from '../events/redis-fanout.ts';
import type { Store } from '../security/store.ts';
import { createRedisStore } from '../security/store-redis.ts';

export interface SharedState {
  /** For `security.store`; unset: the gateway's memory store, this instance's alone. */
  store?: Store;
  /** For `events.fanout`; unset: states reach this instance's subscribers only. */
  fanout?: Fanout;
  /** Where they live, for the startup lines (`Redis`); unset when nothing is shared. */
  description?: string;
  /** Closes the store's connection; the fanout is closed by `gateway.close()`. Never throws. */
  close(): Promise<void>;
}

/**
 * Connects the store and the fanout to `env.redisUrl`, both before it resolves: a URL that does
 * not answer fails the start (the error names the setting and the cause, never the URL, which
 * may hold a password), and nothing is left open then.
 */
export async function openSharedState(env: Pick<GatewayEnv, 'redisUrl'>): Promise<SharedState> {
  const url = env.redisUrl;
  if (!url) return { close: async () => {} };
  let store: Store | undefined;
  try {
    store = await createRedisStore({ url });
    const fanout = await createRedisFanout({ url });
    const opened = store;
    return {
      store,
      fanout,
      description: 'Redis',
      close: async () => {
        await opened.close?.().catch(() => {});
      },
    };
  } catch (error) {
    await store?.close?.().catch(() => {});
    // The client's messages do not quote the URL; should one ever do, it is cut out here.
    const cause =
      error instanceof Error ? `${error.name}: ${error.message.split(url).join('<url>')}` : 'error';
    throw new Error(`GATEWAY_REDIS_URL: could not connect to Redis (${cause})`);
  }
}
