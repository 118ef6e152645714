import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `redis-server` of the test's own, on a free loopback port, saving nothing. */
export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts `redis-server` (Debian's package; `.ci/run` installs it) on a free 127.0.0.1 port,
 * without persistence, in a temporary folder. Fails with a clear message when it is not
 * installed: the Redis store must be tested, not skipped. `GATEWAY_TEST_REDIS_URL` points
 * the tests at a Redis of yours instead (its keys are prefixed per test, never flushed).
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
          'redis-server is not installed, and the Redis store tests need one: run `apt-get install -y redis-server` (.ci/run does), or set GATEWAY_TEST_REDIS_URL.',
        );
      }
      lastError = error;
    }
  }
  throw lastError;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function startOnce(port: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-redis-'));
  const child = spawn(
    'redis-server',
    [
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
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Never outlive the test process, even when it ends without `stop`.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanUp = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(child, port);
  } catch (error) {
    await stopChild(child);
    cleanUp();
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopChild(child);
      cleanUp();
    },
  };
}

/** Resolves once the server answers on its port; rejects if it exits or takes too long. */
function waitReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const fail = (error: Error) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms: ${output}`)),
      START_TIMEOUT_MS,
    );
    child.once('error', fail);
    child.once('exit', (code, signal) =>
      fail(new Error(`redis-server exited (${code ?? signal}) on port ${port}: ${output}`)),
    );
    // PING over a raw socket: ready once it answers +PONG.
    const poll = setInterval(async () => {
      if (await pings(port)) {
        clearTimeout(timer);
        clearInterval(poll);
        child.removeAllListeners('exit');
        resolve();
      }
    }, 25);
  });
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

function stopChild(child: ChildProcess): Promise<void> {
  // Never started (no pid), or already gone.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
