import { createClient } from '@redis/client';

export interface RedisConnectionOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://` for TLS. */
  url: string;
  /** How long a command (and connecting) may take, in ms. */
  timeoutMs: number;
  /** Told of connection errors as the client reconnects (never given the URL to print). */
  onError: (error: Error) => void;
}

/**
 * Connects to Redis the way every part of the gateway does (the store, the event fanout):
 * a wrong URL fails at once (connect rejects); once connected, a dropped connection is
 * reconnected for ever, backing off to 2 s; commands fail fast while disconnected (no offline
 * queue) and after `timeoutMs`, so a request that needs Redis fails rather than hangs. Runs on
 * Node, Bun and Deno (`node:net`/`node:tls`); not on a Worker.
 */
export async function connectRedis(options: RedisConnectionOptions) {
  let connected = false;
  const client = createClient({
    url: options.url,
    socket: {
      connectTimeout: options.timeoutMs,
      reconnectStrategy: (retries, cause) =>
        connected ? Math.min(50 * 2 ** retries, 2_000) : cause,
    },
    disableOfflineQueue: true,
    commandOptions: { timeout: options.timeoutMs },
    // Redis Enterprise's maintenance notices: not needed, and unknown to older servers.
    maintNotifications: 'disabled',
  });
  // Without a listener, an 'error' event (a dropped connection) would end the process.
  client.on('error', options.onError);
  try {
    await client.connect();
    connected = true;
  } catch (error) {
    client.destroy();
    throw error;
  }
  return client;
}
