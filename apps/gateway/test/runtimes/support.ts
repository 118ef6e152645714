/**
 * Starts a gateway entry in a real runtime (Bun, Deno) as a child process on a free loopback
 * port and runs the same few checks on it: it says it runs the embedded emulator, places the
 * quickstart call and follows it to HANGUP, streams it live over SSE (`followQuickstartLive`,
 * also used for workerd and the Node entry), answers a malformed document with a GraphQL error
 * and GET /health with 200, and stops on SIGTERM. Every wait is bounded; the process is always
 * killed. Also where the built Node entry is (`NODE_ENTRY`, `ensureBuilt`).
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, READY_TIMEOUT_MS, startProcess } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordResponse, recordText } from '../support/canary.ts';
import {
  expectCachedGraphiQL,
  expectOfflineGraphiQL,
  expectSubscribingGraphiQL,
} from '../support/graphiql.ts';
import { type GraphQLResult, QUICKSTART, withoutRequestIds } from '../support/graphql.ts';
import { CALL_EVENTS, CALL_UPDATED, LIFE, PLACE, statusesOf, timeOrder } from '../support/live.ts';
import { oversizedUpload } from '../support/oversized.ts';
import type { Found } from '../support/runtimes.ts';
import { expectSingleConnection } from '../support/single-connection.ts';
import { subscribe } from '../support/sse.ts';

export const APP = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** The built Node entry, as `pnpm start` runs it. */
export const NODE_ENTRY = join(APP, 'dist/runtime/node.mjs');

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

/** Builds dist/runtime/node.mjs unless it is newer than the sources it bundles. */
export function ensureBuilt() {
  const inputs = [
    newest(join(APP, 'src')),
    ...['core', 'emulator'].map(
      (p) => statSync(join(APP, `../../packages/${p}/dist/index.js`)).mtimeMs,
    ),
  ];
  if (existsSync(NODE_ENTRY) && statSync(NODE_ENTRY).mtimeMs > Math.max(...inputs)) return;
  const build = spawnSync(join(APP, 'node_modules/.bin/tsdown'), [], {
    cwd: APP,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (build.status !== 0) throw new Error(`tsdown failed:\n${build.stdout}\n${build.stderr}`);
}

export { freePort };

export interface Launch {
  command: string;
  args: string[];
  /** Added to the environment (which has no VOIPBIN_* variable). */
  env?: Record<string, string>;
  /** The port to listen on; default a free one. */
  port?: number;
}

/** The Bun entry as the tests start it: the TypeScript source, nothing fetched, no telemetry. */
export const bunEntry = (binary: string, env: Record<string, string> = {}): Launch => ({
  command: binary,
  args: ['--no-install', 'src/runtime/bun.ts'],
  env: { DO_NOT_TRACK: '1', BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', ...env },
});

/**
 * The Deno entry as the tests start it: offline (`--cached-only`, `--no-remote`), in a DENO_DIR
 * of its own. Call it at a test file's top level: the directory goes after the file's tests.
 */
export function denoEntry(): (binary: string, env?: Record<string, string>) => Launch {
  const denoDir = mkdtempSync(join(tmpdir(), 'voipbin-gateway-deno-'));
  afterAll(() => rmSync(denoDir, { recursive: true, force: true }));
  return (binary, env = {}) => ({
    command: binary,
    args: ['run', '-A', '--cached-only', '--no-remote', 'src/runtime/deno.ts'],
    env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', ...env },
  });
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
  /** SIGTERM (to its process group), then SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | string | null>;
}

/**
 * The emulator's speed in every runtime entry: the quickstart call lasts 2.3 s, and rings 200 ms
 * after it is placed. Not faster: a `callUpdated` opened once `createCall` has answered must
 * still find the call DIALING (at 100, RINGING comes 10 ms after: Bun and Deno missed it; at 10,
 * 100 ms after: a busy machine could miss it).
 */
export const EMULATOR_SPEED = 5;

/**
 * Spawns `launch` with PORT and EMULATOR_SPEED (in a process group of its own, never outliving
 * the test) and waits for its `upstream:` line, at most READY_TIMEOUT_MS (minutes).
 */
export async function startGateway(launch: Launch): Promise<Running> {
  const port = launch.port ?? (await freePort());
  // No VOIPBIN_* settings: the gateway runs the embedded emulator.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VOIPBIN_')),
  );
  const started = performance.now();
  const gateway = await startProcess({
    command: launch.command,
    args: launch.args,
    cwd: APP,
    env: {
      ...inherited,
      NO_COLOR: '1',
      ...launch.env,
      PORT: String(port),
      EMULATOR_SPEED: String(EMULATOR_SPEED),
      NODE_ENV: 'development',
      // The toll-fraud guard must hold on every runtime.
      GATEWAY_DENIED_PREFIXES: '+1900',
    },
    what: `the gateway (${basename(launch.command)})`,
    ready: /upstream: .*\n/,
    onOutput: (text) => recordText(`${launch.command} output`, text),
  });
  return {
    child: gateway.child,
    base: `http://127.0.0.1:${port}`,
    port,
    readyMs: Math.round(performance.now() - started),
    output: gateway.output,
    stop: (graceMs = 5_000) => gateway.stop(graceMs),
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
  // Each error's request id checked against the answer's X-Request-Id, then left out.
  const json = withoutRequestIds(response, (await response.json()) as GraphQLResult);
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever the gateway answers
  return { status: response.status, json: json as Record<string, any> };
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

/** One state a subscription sent. */
export interface LiveState {
  status: string;
  updatedAt: string;
}

/** What `followQuickstartLive` saw of the call. */
export interface LiveRun {
  id: string;
  /** `callUpdated(id)`: every state it sent, in order. */
  updated: LiveState[];
  /** `callEvents`, opened before the call was placed: the states of this call, in order. */
  events: LiveState[];
  /** Milliseconds from sending createCall to its answer, to `callUpdated`'s first state, to its end. */
  placedMs: number;
  firstMs: number;
  ms: number;
}

export interface LiveOptions {
  headers?: Record<string, string>;
  /** Bounds every wait (default 10 s). */
  timeoutMs?: number;
  /** Runs once `callUpdated` sent its first state (to break something mid-call). */
  during?: (first: LiveState, id: string) => Promise<void> | void;
  /**
   * States may be missing (what happened while the upstream socket was down is not replayed:
   * the gateway reads the calls again instead), but none repeated or out of order.
   */
  gaps?: boolean;
  /** Where createCall goes (another instance's base); default `base`, where both streams are. */
  placeAt?: string;
  /**
   * Whether `callEvents` must start at DIALING (createCall hands it the first state; true by
   * default). Not for a call placed on another instance with no fanout between them: the
   * first state then reaches this one from its own event source, before it knows the owner.
   */
  fromFirst?: boolean;
}

/** Whether `statuses` is `life` with some states left out: none repeated, none out of order. */
function within(statuses: (string | undefined)[], life: string[]): boolean {
  let at = 0;
  for (const status of statuses) {
    at = life.indexOf(status as string, at);
    if (at === -1) return false;
    at++;
  }
  return true;
}

/** Checks the statuses a stream saw of the quickstart call, in full or (`gaps`) with holes. */
function expectLife(states: LiveState[], gaps: boolean) {
  const statuses = statusesOf(states.map((state) => state.status));
  if (!gaps) expect(LIFE, JSON.stringify(states)).toContainEqual(statuses);
  else {
    expect(statuses.at(-1), JSON.stringify(states)).toBe('HANGUP');
    expect(within(statuses, LIFE[1] as string[]), JSON.stringify(states)).toBe(true);
  }
  const times = states.map((state) => state.updatedAt);
  expect(new Set(times).size, JSON.stringify(states)).toBe(times.length);
  const sortable = times.map(timeOrder); // a new call has no tm_update: null sorts first
  expect([...sortable].sort(), JSON.stringify(states)).toEqual(sortable);
}

const stateOf = (result: GraphQLResult, field: 'callUpdated' | 'callEvents'): LiveState => ({
  status: result.data?.[field]?.status,
  updatedAt: result.data?.[field]?.updatedAt,
});

/**
 * Runs once what a live run runs (callEvents, createCall, callUpdated's first state), then
 * closes both streams: the first requests a fresh process serves are slow (50 to 230 ms for a
 * fresh Node entry), long enough for the call `followQuickstartLive` places to ring before its
 * `callUpdated` opens. The call placed here runs on (each run reads its own call only).
 */
export async function warmUp(base: string, headers: Record<string, string> = {}): Promise<void> {
  const url = `${base}/graphql`;
  const events = await subscribe(fetch, CALL_EVENTS, { url, headers });
  let updated: Awaited<ReturnType<typeof subscribe>> | undefined;
  try {
    const placed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query: PLACE }),
      signal: AbortSignal.timeout(10_000),
    });
    const json = (await placed.json()) as GraphQLResult;
    expect(json.errors).toBeUndefined();
    const id = json.data?.createCall.calls[0].id as string;
    updated = await subscribe(fetch, CALL_UPDATED, { url, variables: { id }, headers });
    expect((await updated.next(10_000)).data?.callUpdated.id).toBe(id);
  } finally {
    updated?.close();
    events.close();
  }
}

/**
 * Live call status over real HTTP (Node's fetch, SSE): opens `callEvents`, places the quickstart
 * call (through `placeAt`, another instance, when given), opens `callUpdated(id)`, and waits
 * (bounded) for it to complete after HANGUP. Checks what every source must give: each state
 * once, in the order of `LIFE` (TERMINATING may come before HANGUP), `updatedAt` never repeated
 * and increasing, `callUpdated` ending after HANGUP, and `callEvents` having seen the same
 * states (all of them unless `gaps`, DIALING first).
 * `callUpdated` starts from the state current when it opened: a caller that needs its whole
 * life checks that it started at DIALING. Both streams are closed whatever happens.
 */
export async function followQuickstartLive(
  base: string,
  {
    headers = {},
    timeoutMs = 10_000,
    during,
    gaps = false,
    placeAt = base,
    fromFirst = true,
  }: LiveOptions = {},
): Promise<LiveRun> {
  const url = `${base}/graphql`;
  const placeUrl = `${placeAt}/graphql`;
  const events = await subscribe(fetch, CALL_EVENTS, { url, headers });
  let updated: Awaited<ReturnType<typeof subscribe>> | undefined;
  try {
    expect(events.status).toBe(200);
    const started = performance.now();
    const placed = recordResponse(
      `POST ${placeUrl}`,
      await fetch(placeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query: PLACE }),
        signal: AbortSignal.timeout(timeoutMs),
      }),
    );
    const json = (await placed.json()) as GraphQLResult;
    const placedMs = Math.round(performance.now() - started);
    expect(json.errors).toBeUndefined();
    const id = json.data?.createCall.calls[0].id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    updated = await subscribe(fetch, CALL_UPDATED, { url, variables: { id }, headers });
    expect(updated.status).toBe(200);
    const first = await updated.next(timeoutMs);
    const firstMs = Math.round(performance.now() - started);
    expect(first.errors).toBeUndefined();
    expect(first.data?.callUpdated.id).toBe(id);
    await during?.(stateOf(first, 'callUpdated'), id);
    const results = await updated.completed(timeoutMs);
    const ms = Math.round(performance.now() - started);
    expect(results.filter((result) => result.errors)).toEqual([]);
    const states = results.map((result) => stateOf(result, 'callUpdated'));
    expect(states.at(-1)?.status, JSON.stringify(states)).toBe('HANGUP');
    expect(results.at(-1)?.data?.callUpdated.hangupReason).toBe('NORMAL');
    // Opened after the call was placed: from the state current then (within LIFE either way).
    expectLife(states, true);

    // callEvents was open before the call: it has the whole life, HANGUP included.
    const mine = () =>
      events.results
        .filter((result) => result.data?.callEvents?.id === id)
        .map((result) => stateOf(result, 'callEvents'));
    const deadline = Date.now() + timeoutMs;
    while (!mine().some((state) => state.status === 'HANGUP') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(events.results.filter((result) => result.errors)).toEqual([]);
    const seen = mine();
    // createCall hands callEvents the first state itself, whatever the source.
    if (fromFirst) expect(seen[0]?.status, JSON.stringify(seen)).toBe('DIALING');
    expectLife(seen, gaps);
    // callUpdated opened after the call was placed: the same states, from the one current then
    // (or, `fromFirst` false, callEvents from the first state whose owner it knew: the same
    // states, the shorter list the end of the longer).
    const [shorter, longer] =
      fromFirst || states.length <= seen.length ? [states, seen] : [seen, states];
    expect(shorter, JSON.stringify({ updated: states, events: seen })).toEqual(
      longer.slice(longer.length - shorter.length),
    );
    return { id, updated: states, events: seen, placedMs, firstMs, ms };
  } finally {
    updated?.close();
    events.close();
  }
}

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

      // Above the wait for the ready line, so a slow start fails with its own message.
      beforeAll(async () => {
        gateway = await startGateway(launch(found.path as string));
        base = gateway.base;
        console.log(`${name} ${found.version}: ready in ${gateway.readyMs} ms`);
      }, READY_TIMEOUT_MS + 30_000);

      afterAll(async () => {
        await gateway?.stop(3_000);
      });

      it('prints its URL and that it runs on the embedded emulator', () => {
        const output = gateway?.output() ?? '';
        expect(output).toContain(
          `voipbin-kit gateway on http://localhost:${gateway?.port}/graphql`,
        );
        expect(output).toMatch(/upstream: the embedded VoIPBIN emulator/);
        // Without GATEWAY_REDIS_URL nothing is shared (shared-state.ts: two gateways on one Redis).
        expect(output).not.toMatch(/shared store|shared through/);
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

        // At EMULATOR_SPEED=5 the call (ring, answer, talk, hang up) lasts 2.3 s.
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

      it('streams the quickstart call live over SSE: callEvents and callUpdated, each state once, in order', async () => {
        expect(gateway?.output()).toMatch(/upstream: .*; call events: websocket\n/);
        const run = await followQuickstartLive(base);
        // Subscribed while the call was DIALING: its whole life, as callEvents saw it.
        expect(LIFE).toContainEqual(statusesOf(run.updated.map((state) => state.status)));
        expect(run.updated).toEqual(run.events);
        console.log(
          `${name}: createCall answered in ${run.placedMs} ms; callUpdated's first state after ${run.firstMs} ms, HANGUP after ${run.ms} ms`,
        );
      }, 25_000);

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

      it('answers GET /health with 200 and a small JSON naming the upstream', async () => {
        const response = recordResponse(
          `GET ${base}/health`,
          await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) }),
        );
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.json()).toEqual({ status: 'ok', upstream: 'emulator' });
      });

      it('serves GraphiQL with its assets from the gateway itself: nothing from another origin', async () => {
        await expectOfflineGraphiQL(base);
      });

      it('serves GraphiQL gzipped to a browser, with an ETag it revalidates (304)', async () => {
        await expectCachedGraphiQL(base);
      });

      it('runs subscriptions from GraphiQL: POSTed as GraphQL over SSE, they stream a call', async () => {
        await expectSubscribingGraphiQL(base);
      });

      it("serves graphql-sse's single connection mode: a subscription on the one stream sees a call", async () => {
        await expectSingleConnection(base);
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
