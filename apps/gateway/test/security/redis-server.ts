import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  freePort,
  NotReadyError,
  READY_TIMEOUT_MS,
  type Spawned,
  startProcess,
} from '@voipbin-kit/process';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Store } from '../../src/security/store.ts';
import { createRedisStore } from '../../src/security/store-redis.ts';

/** A `redis-server` of the test's own, on a free loopback port, saving nothing. */
export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 5_000;

/** Whether the Redis-backed tests run here; when they do not, the notice says why and what to do. */
export type RedisAvailability = { run: true } | { run: false; notice: string };

/**
 * Decides whether the Redis-backed tests run. They do with a Redis to use (a `redis-server`
 * binary, or `url`: `GATEWAY_TEST_REDIS_URL`), and whenever they are `required` (CI:
 * `VOIPBIN_KIT_REQUIRE_REDIS=1`, set by `.ci/run`), where a missing binary then fails them.
 * Otherwise (a fresh machine with only Node.js and npm) they are skipped, with a notice.
 */
export function redisAvailability(options: {
  binary: string | undefined;
  url?: string | undefined;
  required: boolean;
}): RedisAvailability {
  if (options.binary || options.url || options.required) return { run: true };
  return {
    run: false,
    notice:
      'SKIPPED: the Redis store tests, because redis-server is not installed. Install it (`apt-get install redis-server`) or set GATEWAY_TEST_REDIS_URL to run them; CI (.ci/run) installs it and sets VOIPBIN_KIT_REQUIRE_REDIS=1, which makes them required.',
  };
}

/** `redisAvailability` for this process: `redis-server` on the PATH, and the environment. */
export function redisAvailabilityHere(env = process.env): RedisAvailability {
  return redisAvailability({
    binary: onPath('redis-server', env.PATH),
    url: env.GATEWAY_TEST_REDIS_URL,
    required: env.VOIPBIN_KIT_REQUIRE_REDIS === '1',
  });
}

/** The path of the executable `name` in a folder of `path` (a PATH value), if there is one. */
function onPath(name: string, path = ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not there, or not executable: the next folder.
    }
  }
  return undefined;
}

/**
 * Starts `redis-server` (Debian's package; `.ci/run` installs it) on a free 127.0.0.1 port,
 * without persistence, in a temporary folder. Fails with a clear message when it is not
 * installed (tests skip themselves before that unless Redis is required: see
 * `redisAvailability`). `GATEWAY_TEST_REDIS_URL` points the tests at a Redis of yours instead
 * (its keys are prefixed per test, never flushed).
 */
export async function startRedisServer(): Promise<RedisServer> {
  const external = process.env.GATEWAY_TEST_REDIS_URL;
  if (external) return { url: external, stop: async () => {} };
  // A port free now may be taken before redis-server binds it: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') {
        throw new Error(
          'redis-server is not installed, and the Redis store tests need one (VOIPBIN_KIT_REQUIRE_REDIS=1): run `apt-get install -y redis-server` (.ci/run does), or set GATEWAY_TEST_REDIS_URL.',
        );
      }
      // A start that never became ready is not a port taken: no second wait of minutes.
      if (error instanceof NotReadyError) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Starts redis-server on `port` (a process group of its own, never outliving the tests) and
 * waits until it answers PING, at most READY_TIMEOUT_MS (minutes: a loaded machine is slow).
 */
async function startOnce(port: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-redis-'));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  let server: Spawned;
  try {
    server = await startProcess({
      command: 'redis-server',
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      what: `redis-server on port ${port}`,
      // PING over a raw socket: ready once it answers +PONG.
      ready: Object.assign(() => pings(port), { label: `+PONG to PING on 127.0.0.1:${port}` }),
      outputLimit: 2_000,
    });
  } catch (error) {
    cleanUp();
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await server.stop(STOP_TIMEOUT_MS);
      cleanUp();
    },
  };
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * A describe block on a redis-server of its own, started once (skipped with a notice where
 * there is none, failing in CI): `body` gets `connect(prefix)`, which opens a store on it, each
 * closed after the block (a fresh prefix by default, so each store starts empty), and `url()`,
 * the server's URL, for other clients (the event fanout).
 */
export function describeOnRedis(
  body: (connect: (prefix?: string) => Promise<Store>, url: () => string) => void,
): void {
  const redis = redisAvailabilityHere();
  if (!redis.run) console.warn(`\n${redis.notice}\n`);
  describe.skipIf(!redis.run)(redis.run ? 'on a redis-server' : `(${redis.notice})`, () => {
    let server: RedisServer;
    const opened: Store[] = [];
    beforeAll(async () => {
      server = await startRedisServer();
    }, READY_TIMEOUT_MS + 30_000);
    afterAll(async () => {
      await Promise.all(opened.map((store) => store.close?.()));
      await server?.stop();
    }, 15_000);
    body(
      async (prefix = `test-${crypto.randomUUID()}:`) => {
        const store = await createRedisStore({ url: server.url, prefix });
        opened.push(store);
        return store;
      },
      () => server.url,
    );
  });
}
