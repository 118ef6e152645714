/**
 * What several instances of the Node, Bun and Deno entries share: from `GATEWAY_REDIS_URL`, the
 * store (rate-limit buckets, idempotency keys, call owners) and the event fanout (a call state
 * one instance receives reaches every instance's subscribers); `@redis/client` runs on all three
 * (over `node:net`/`node:tls`, which Bun and Deno provide). On Deno, from `GATEWAY_DENO_KV`
 * instead, the store in Deno KV (Deno Deploy's database), and no fanout. Without either: nothing
 * shared, each instance keeps its own in memory. Not for the Worker entry (no TCP client there).
 */
import type { GatewayEnv } from '../env.ts';
import type { Fanout } from '../events/hub.ts';
import { createRedisFanout } from '../events/redis-fanout.ts';
import type { Store } from '../security/store.ts';
import { createDenoKvStore, type Kv } from '../security/store-deno-kv.ts';
import { createRedisStore } from '../security/store-redis.ts';

export interface SharedState {
  /** For `security.store`; unset: the gateway's memory store, this instance's alone. */
  store?: Store;
  /** For `events.fanout`; unset: states reach this instance's subscribers only. */
  fanout?: Fanout;
  /**
   * For the startup lines, after the upstream (`; shared store: Redis`) and after the event
   * source (`, shared through Redis`); empty when nothing is shared.
   */
  notes: { store: string; events: string };
  /** Closes the store's connection; the fanout is closed by `gateway.close()`. Never throws. */
  close(): Promise<void>;
}

export interface SharedStateOptions {
  /** `Deno.openKv`, on Deno: GATEWAY_DENO_KV is read only where it is given. */
  openKv?: (path?: string) => Promise<Kv>;
}

const NOTHING: SharedState = { notes: { store: '', events: '' }, close: async () => {} };

/** `cause` as a line naming it, without `secret` (a URL may hold a password). */
const describeError = (error: unknown, secret: string) =>
  error instanceof Error ? `${error.name}: ${error.message.split(secret).join('<url>')}` : 'error';

/**
 * Connects the store (and the fanout) before it resolves: a Redis that does not answer, or a
 * Deno KV that does not open, fails the start (the error names the setting and the cause,
 * never the URL), and nothing is left open then.
 */
export async function openSharedState(
  env: Pick<GatewayEnv, 'redisUrl' | 'denoKv'>,
  options: SharedStateOptions = {},
): Promise<SharedState> {
  const { redisUrl: url, denoKv } = env;
  if (denoKv && options.openKv) {
    let kv: Kv;
    try {
      kv = await options.openKv(denoKv === 'default' ? undefined : denoKv);
    } catch (error) {
      throw new Error(`GATEWAY_DENO_KV: could not open Deno KV (${describeError(error, denoKv)})`);
    }
    const store = createDenoKvStore(kv, { closeKv: true });
    return {
      store,
      notes: { store: '; shared store: Deno KV', events: '' },
      close: async () => {
        await store.close?.().catch(() => {});
      },
    };
  }
  if (!url) return NOTHING;
  let store: Store | undefined;
  try {
    store = await createRedisStore({ url });
    const fanout = await createRedisFanout({ url });
    const opened = store;
    return {
      store,
      fanout,
      notes: { store: '; shared store: Redis', events: ', shared through Redis' },
      close: async () => {
        await opened.close?.().catch(() => {});
      },
    };
  } catch (error) {
    await store?.close?.().catch(() => {});
    // The client's messages do not quote the URL; should one ever do, it is cut out here.
    throw new Error(`GATEWAY_REDIS_URL: could not connect to Redis (${describeError(error, url)})`);
  }
}
