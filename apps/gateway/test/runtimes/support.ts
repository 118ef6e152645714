/**
 * Starts a gateway entry in a real runtime (Bun, Deno) as a child process on a free loopback
 * port and runs the same few checks on it: it says it runs the embedded emulator, places the
 * quickstart call and follows it to HANGUP, answers a malformed document with a GraphQL error and
 * GET /health with 200, and stops on SIGTERM. Every wait is bounded; the process is always killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordResponse, recordText } from '../support/canary.ts';
import { expectOfflineGraphiQL } from '../support/graphiql.ts';
import { QUICKSTART } from '../support/graphql.ts';
import { oversizedUpload } from '../support/oversized.ts';
import type { Found } from '../support/runtimes.ts';

export const APP = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Set on every runtime entry, none of which has Redis (its password must never be printed). */
const REDIS_URL = 'redis://:redis-password@127.0.0.1:1';

/** How long a runtime may take to print its URL. */
const READY_MS = 15_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Launch {
  command: string;
  args: string[];
  /** Added to the environment (which has no VOIPBIN_* variable). */
  env?: Record<string, string>;
}

export interface Running {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  port: number;
  /** Milliseconds from spawn to the printed `upstream:` line. */
  readyMs: number;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | string | null>;
}

/** Spawns `launch` with PORT and EMULATOR_SPEED=100 and waits (bounded) until it is ready. */
export async function startGateway(launch: Launch): Promise<Running> {
  const port = await freePort();
  // No VOIPBIN_* settings: the gateway runs the embedded emulator.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VOIPBIN_')),
  );
  const started = performance.now();
  const child = spawn(launch.command, launch.args, {
    cwd: APP,
    env: {
      ...inherited,
      NO_COLOR: '1',
      ...launch.env,
      PORT: String(port),
      EMULATOR_SPEED: '100',
      NODE_ENV: 'development',
      // The toll-fraud guard must hold on every runtime.
      GATEWAY_DENIED_PREFIXES: '+1900',
      // Only the Node entry uses Redis: the others must say so, not ignore it in silence.
      GATEWAY_REDIS_URL: REDIS_URL,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
    child.once('error', (error) => {
      output += `\n${error.message}`;
      resolve('spawn error');
    });
  });

  const stop = async (graceMs = 5_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready within ${READY_MS} ms; output so far:\n${output}`)),
      READY_MS,
    );
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      recordText(`${launch.command} output`, String(chunk));
      if (/upstream: .*\n/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code}) before it was ready:\n${output}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    await stop(1_000);
    throw error;
  }
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    port,
    readyMs: Math.round(performance.now() - started),
    output: () => output,
    stop,
  };
}

/** POSTs a GraphQL body (a document or any JSON) to `/graphql`. */
export async function post(base: string, body: unknown) {
  const response = recordResponse(
    `POST ${base}/graphql`,
    await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    }),
  );
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever the gateway answers
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const CREATE_CALL = `mutation {
  createCall(input: {
    source: { type: TEL, target: "${QUICKSTART.source}" }
    destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }]
    actions: [{ talk: { text: "${QUICKSTART.text}", gender: FEMALE, language: "en-US" } }]
  }) {
    calls { id status source { target } }
  }
}`;

/**
 * The checks every runtime entry passes. `found` is the runtime binary (the suite is skipped,
 * saying why, when there is none for this platform); `launch` says how to start the entry.
 */
export function describeRuntime(name: string, found: Found, launch: (binary: string) => Launch) {
  const skipReason = `skipped: no ${name} binary for ${process.platform}-${process.arch}: ${found.tried.join('; ')}`;

  describe.skipIf(found.path === undefined)(
    `the ${name} ${found.version ?? `(${skipReason})`} entry over HTTP`,
    () => {
      let gateway: Running | undefined;
      let base = '';

      beforeAll(async () => {
        gateway = await startGateway(launch(found.path as string));
        base = gateway.base;
        console.log(`${name} ${found.version}: ready in ${gateway.readyMs} ms`);
      }, READY_MS + 5_000);

      afterAll(async () => {
        await gateway?.stop(3_000);
      });

      it('prints its URL and that it runs on the embedded emulator', () => {
        const output = gateway?.output() ?? '';
        expect(output).toContain(
          `voipbin-kit gateway on http://localhost:${gateway?.port}/graphql`,
        );
        expect(output).toMatch(/upstream: the embedded VoIPBIN emulator/);
        expect(output).toMatch(
          new RegExp(
            `GATEWAY_REDIS_URL is set, but only the Node entry uses Redis: this ${name} gateway keeps rate limits, idempotency keys and call owners in memory`,
          ),
        );
        expect(output).not.toContain('redis-password');
      });

      it('places the quickstart call and follows it to HANGUP', async () => {
        const created = await post(base, { query: CREATE_CALL });
        expect(created.status).toBe(200);
        expect(created.json.errors).toBeUndefined();
        const [call] = created.json.data.createCall.calls;
        expect(call).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          status: 'DIALING',
          source: { target: QUICKSTART.source },
        });

        // At EMULATOR_SPEED=100 the call (ring, answer, talk, hang up) lasts well under a second.
        const seen = new Set<string>([call.status]);
        let status = call.status as string;
        const deadline = Date.now() + 10_000;
        while (status !== 'HANGUP' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          const polled = await post(base, {
            query: 'query($id: ID!) { call(id: $id) { status } }',
            variables: { id: call.id },
          });
          expect(polled.json.errors).toBeUndefined();
          status = polled.json.data.call.status;
          seen.add(status);
        }
        expect(status, `statuses seen: ${[...seen].join(', ')}`).toBe('HANGUP');
      });

      it('refuses a denied destination with FORBIDDEN, placing nothing', async () => {
        const denied = CREATE_CALL.replace(
          `target: "${QUICKSTART.destination}"`,
          'target: "+19005550100"',
        );
        expect(denied).not.toBe(CREATE_CALL);
        const { json } = await post(base, { query: denied });
        expect(json.errors?.[0]?.extensions).toMatchObject({
          code: 'FORBIDDEN',
          issues: [{ path: 'input.destinations.0.target' }],
        });
      });

      it('answers a malformed document with a GraphQL error, and keeps running', async () => {
        const { status, json } = await post(base, '{"query":"mutation {"}');
        expect([200, 400]).toContain(status);
        expect(json.errors?.[0]?.message).toMatch(/Syntax Error/);
        expect(gateway?.child.exitCode).toBeNull();
      });

      it('answers a declared body over the limit with 413 at once and closes the connection', async () => {
        const { head, closed } = await oversizedUpload(`${base}/graphql`, 10 * 1024 * 1024);
        expect(head).toMatch(/^HTTP\/1\.1 413 /);
        // Deno's server keeps the connection whatever the answer's `connection` header says (it
        // does not hand that header to the handler's control); Node and Bun close it.
        expect(closed).toBe(name !== 'Deno');
        expect(gateway?.child.exitCode).toBeNull();
      });

      it('answers GET /health with 200', async () => {
        const response = recordResponse(
          `GET ${base}/health`,
          await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) }),
        );
        expect(response.status).toBe(200);
      });

      it('serves GraphiQL with its assets from the gateway itself: nothing from another origin', async () => {
        await expectOfflineGraphiQL(base);
      });

      it('stops cleanly on SIGTERM', async () => {
        expect(await gateway?.stop(5_000)).toBe(0);
      });
    },
  );

  // Both ship linux-x64 glibc binaries, which the lockfile installs: CI must not skip silently.
  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    `finds the ${name} binary on linux-x64, where CI runs`,
    () => {
      expect(found.path, found.tried.join('; ')).toBeDefined();
    },
  );
}
