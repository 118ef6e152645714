import { log } from '../log.ts';
import { connectRedis } from '../redis.ts';
import type { Fanout } from './hub.ts';

export interface RedisFanoutOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://`: the store's URL does. */
  url: string;
  /** The channel every instance publishes on and listens to. Default `voipbin-kit:events`. */
  channel?: string;
  /** How long a publish (and connecting) may take, in ms. Default 2,000. */
  timeoutMs?: number;
  /** Told of connection errors as the clients reconnect; default one line on stderr, never the URL. */
  onError?: (error: Error) => void;
}

/**
 * Call states between gateway instances over Redis pub/sub: two connections (a subscribed one
 * can do nothing else), each reconnecting on its own; the subscriber subscribes again after a
 * drop. Delivery is at most once, as pub/sub is: a state published while an instance is cut
 * off does not reach it (a subscription sees the next one, and never an older one). On Node,
 * Bun and Deno (TCP: not on a Worker).
 */
export async function createRedisFanout(options: RedisFanoutOptions): Promise<Fanout> {
  const channel = options.channel ?? 'voipbin-kit:events';
  const timeoutMs = options.timeoutMs ?? 2_000;
  const onError =
    options.onError ??
    ((error: Error) =>
      log.line('error', `[gateway] Redis event fanout: ${error.name}: ${error.message}`));
  const connect = () => connectRedis({ url: options.url, timeoutMs, onError });
  const [publisher, subscriber] = await Promise.allSettled([connect(), connect()]);
  if (publisher.status === 'rejected' || subscriber.status === 'rejected') {
    for (const result of [publisher, subscriber]) {
      if (result.status === 'fulfilled') result.value.destroy();
    }
    throw publisher.status === 'rejected'
      ? publisher.reason
      : (subscriber as PromiseRejectedResult).reason;
  }
  const [pub, sub] = [publisher.value, subscriber.value];
  return {
    async publish(message) {
      await pub.publish(channel, message);
    },
    async subscribe(onMessage) {
      await sub.subscribe(channel, (message) => onMessage(message));
    },
    async close() {
      await Promise.allSettled(
        [sub, pub].map((client) => (client.isOpen ? client.close() : undefined)),
      );
    },
  };
}
