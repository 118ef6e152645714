/**
 * Two gateway processes of one runtime (Bun, Deno) on one Redis (`GATEWAY_REDIS_URL`, the real
 * redis-server the test starts), as Node's Redis tests run two instances: call owners, idempotency
 * keys, the rate limit and live call status hold across them. Both reach one standalone emulator
 * over HTTP on loopback (VOIPBIN_BASE_URL), which posts its webhooks to the first only: what the
 * second streams came through Redis. Gateway auth by API keys, a fresh pair of principals per
 * case (random keys, so a Redis of yours, GATEWAY_TEST_REDIS_URL, never mixes two runs).
 * Skipped where there is no runtime binary, or no redis-server (as `describeOnRedis`; CI
 * installs it and requires it). Every process ends with the file, on failure too.
 *
 * The same cases with `DENO_KV` (Deno only): both on one Deno KV database (GATEWAY_DENO_KV, a
 * file of the test's own), events from each one's own socket to the emulator (KV carries none).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator, TEST_NUMBERS } from '@voipbin-kit/emulator';
import { listen, type RunningEmulator } from '@voipbin-kit/emulator/node';
import { READY_TIMEOUT_MS, runProcess } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/security/auth.ts';
import {
  type RedisServer,
  redisAvailabilityHere,
  startRedisServer,
} from '../security/redis-server.ts';
import { recordResponse } from '../support/canary.ts';
import {
  type GraphQLResult,
  QUICKSTART,
  type Recorded,
  recordRequests,
  withoutRequestIds,
} from '../support/graphql.ts';
import { LIFE, statusesOf, until } from '../support/live.ts';
import type { Found } from '../support/runtimes.ts';
import {
  APP,
  EMULATOR_SPEED,
  followQuickstartLive,
  freePort,
  type Launch,
  type Running,
  startGateway,
  warmUp,
} from './support.ts';

/** The server's VoIPBIN access key: a canary, so that output carrying it fails the file. */
const ACCESS_KEY = 'CANARY-s3cr3t-key';
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';
const NO_SUCH_ID = '6b0e7a4e-0c1f-4d8a-9b6e-2f3a4b5c6d7e';
/** createCall per principal: a burst of 5, then one a minute (none comes back within a test). */
const BURST = 5;

/** The principals, one API key each (random, per run); `headers(name)` authenticates as it. */
const PRINCIPALS = ['owner', 'other', 'idempotent', 'limited', 'live', 'warm-up'] as const;
type Principal = (typeof PRINCIPALS)[number];
const KEYS = Object.fromEntries(
  PRINCIPALS.map((name) => [name, `key-${name}-${crypto.randomUUID()}`]),
) as Record<Principal, string>;
const headers = (name: Principal) => ({ 'x-api-key': KEYS[name] });

/** A call that stays up until hung up through the API (no wait decides the test). */
const PLACE_ENDLESS = /* GraphQL */ `mutation {
  createCall(input: {
    source: { type: TEL, target: "${QUICKSTART.source}" }
    destinations: [{ type: TEL, target: "${TEST_NUMBERS.endless}" }]
    actions: [{ talk: { text: "Hi" } }]
  }) { calls { id status } }
}`;
const KEYED = /* GraphQL */ `mutation($key: String, $text: String!) {
  createCall(idempotencyKey: $key, input: {
    source: { type: TEL, target: "${QUICKSTART.source}" }
    destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }]
    actions: [{ talk: { text: $text } }]
  }) { calls { id } replayed }
}`;
const CALL = 'query($id: ID!) { call(id: $id) { id status } }';
const CALLS = '{ calls(first: 100) { nodes { id } } }';
const HANGUP = 'mutation($id: ID!) { hangupCall(id: $id) { id } }';

/** POSTs a GraphQL request to `base` as `who`. */
async function ask(
  base: string,
  who: Principal,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResult> {
  const response = recordResponse(
    `POST ${base}/graphql`,
    await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers(who) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    }),
  );
  expect(response.status, `${who}: ${query.slice(0, 60)}`).toBe(200);
  return withoutRequestIds(response, (await response.json()) as GraphQLResult);
}

/** The environment `startGateway` passes on, as `runProcess` needs it whole. */
function environment(launch: Launch, env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('VOIPBIN_') && !key.startsWith('GATEWAY_'),
    ),
  );
  return { ...inherited, NO_COLOR: '1', ...launch.env, ...env, NODE_ENV: 'development' };
}

/** What the two gateways share, and how the cases tell it. */
export interface Sharing {
  /** `Redis`, `Deno KV`: as the upstream line names the store. */
  name: string;
  /** Why the cases cannot run here, if they cannot. */
  unavailable(): string | undefined;
  /** Starts what is shared; `env` points a gateway at it, `hidden` must never be printed. */
  open(): Promise<{ env: Record<string, string>; hidden: string; stop(): Promise<void> }>;
  /** Call states between the gateways: through the fanout (webhooks to A only), or each its own socket. */
  events: 'fanout' | 'own socket';
  /** A setting that cannot be opened, what the entry must say then, and what it must not print. */
  broken: { env: Record<string, string>; says: RegExp; secret: string };
}

/** One redis-server of the file's own (or GATEWAY_TEST_REDIS_URL). */
export const REDIS: Sharing = {
  name: 'Redis',
  unavailable() {
    const redis = redisAvailabilityHere();
    if (redis.run) return undefined;
    console.warn(`\n${redis.notice}\n`);
    return redis.notice;
  },
  async open() {
    const server: RedisServer = await startRedisServer();
    return {
      env: { GATEWAY_REDIS_URL: server.url },
      hidden: server.url,
      stop: () => server.stop(),
    };
  },
  events: 'fanout',
  broken: {
    env: { GATEWAY_REDIS_URL: 'redis://:CANARY-s3cr3t-key@127.0.0.1:1' },
    says: /GATEWAY_REDIS_URL: could not connect to Redis \(/,
    secret: 's3cr3t',
  },
};

/** One Deno KV database, a SQLite file in a folder of the file's own (Deno only). */
export const DENO_KV: Sharing = {
  name: 'Deno KV',
  unavailable: () => undefined,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-deno-kv-'));
    const path = join(dir, 'gateway.kv');
    return {
      env: { GATEWAY_DENO_KV: path },
      hidden: path,
      stop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  events: 'own socket',
  broken: {
    env: { GATEWAY_DENO_KV: '/nonexistent-CANARY-s3cr3t-key/gateway.kv' },
    says: /GATEWAY_DENO_KV: could not open Deno KV \(/,
    secret: 's3cr3t',
  },
};

/**
 * The cases, for the runtime `name` (`found` its binary; `launch` how to start its entry), on
 * what `sharing` starts (default a redis-server of the file's own).
 */
export function describeSharedState(
  name: string,
  found: Found,
  launch: (binary: string) => Launch,
  sharing: Sharing = REDIS,
) {
  const skip =
    found.path === undefined
      ? `no ${name} binary for ${process.platform}-${process.arch}: ${found.tried.join('; ')}`
      : sharing.unavailable();
  const fanout = sharing.events === 'fanout';

  describe.skipIf(skip !== undefined)(
    `two ${name} ${found.version ?? ''} gateways on one ${sharing.name}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      let server: Awaited<ReturnType<Sharing['open']>> | undefined;
      let upstream: RunningEmulator | undefined;
      let emulator: Emulator;
      let recorded: Recorded[];
      /** The first gateway (the emulator's webhooks reach it alone) and the second. */
      let a: Running | undefined;
      let b: Running | undefined;
      /** POST /calls that reached the emulator so far. */
      const posts = () =>
        recorded.filter((r) => r.method === 'POST' && /\/calls$/.test(r.url.pathname)).length;

      beforeAll(
        async () => {
          server = await sharing.open();
          const portA = await freePort();
          emulator = createEmulator({
            clock: { speed: EMULATOR_SPEED },
            ...(fanout
              ? { webhookUrl: `http://127.0.0.1:${portA}/webhooks/voipbin/${WEBHOOK_SECRET}` }
              : {}),
          });
          recorded = recordRequests(emulator);
          upstream = await listen(
            { fetch: (request) => emulator.fetch(request), sockets: emulator.sockets },
            { port: 0 },
          );
          const hashes = await Promise.all(PRINCIPALS.map((who) => hashApiKey(KEYS[who])));
          const binary = found.path as string;
          const start = (port?: number) => {
            const how = launch(binary);
            return startGateway({
              ...how,
              ...(port === undefined ? {} : { port }),
              env: {
                ...how.env,
                VOIPBIN_BASE_URL: upstream?.url as string,
                VOIPBIN_ACCESS_KEY: ACCESS_KEY,
                ...server?.env,
                GATEWAY_API_KEY_HASHES: hashes.join(','),
                // Webhooks to A only, or (the default) each its own socket to the emulator.
                ...(fanout
                  ? { GATEWAY_EVENTS_SOURCE: 'webhook', GATEWAY_WEBHOOK_SECRET: WEBHOOK_SECRET }
                  : {}),
                GATEWAY_RATE_LIMIT_PER_MINUTE: '1',
                GATEWAY_RATE_LIMIT_BURST: String(BURST),
              },
            });
          };
          // One after the other: two processes opening one new SQLite file at once find it locked.
          a = await start(portA);
          b = await start();
          // A fresh process serves its first requests slowly: warmed up, as the Node entry's tests do.
          await warmUp(a.base, headers('warm-up'));
          await warmUp(b.base, headers('warm-up'));
          console.log(
            `${name} ${found.version}: two gateways ready in ${a.readyMs} and ${b.readyMs} ms`,
          );
        },
        2 * READY_TIMEOUT_MS + 60_000,
      );

      afterAll(async () => {
        await Promise.allSettled([a?.stop(3_000), b?.stop(3_000)]);
        await upstream?.close();
        await server?.stop();
      }, 30_000);

      const base = (which: 'a' | 'b') => (which === 'a' ? a?.base : b?.base) as string;

      it(`say they share state through ${sharing.name}, with no per-instance warning and no URL`, () => {
        const events = fanout ? `webhook, shared through ${sharing.name}` : 'websocket';
        for (const gateway of [a, b]) {
          const output = gateway?.output() ?? '';
          expect(output).toContain(`; shared store: ${sharing.name}; call events: ${events}\n`);
          expect(output).toMatch(/upstream: VoIPBIN at /);
          expect(output).not.toMatch(/WARNING|NOTE:|in memory/);
          expect(output).not.toContain(server?.hidden as string);
        }
      });

      it('(ownership) the owner reads, lists and hangs up through B the call it placed through A; another principal sees it through neither', async () => {
        const placed = await ask(base('a'), 'owner', PLACE_ENDLESS);
        expect(placed.errors).toBeUndefined();
        const id = placed.data?.createCall.calls[0].id as string;
        expect(id).toMatch(/^[0-9a-f-]{36}$/);

        for (const at of [base('a'), base('b')]) {
          const mine = await ask(at, 'owner', CALL, { id });
          expect(mine.errors).toBeUndefined();
          expect(mine.data?.call.id).toBe(id);
          const list = await ask(at, 'owner', CALLS);
          expect(list.data?.calls.nodes.map((call: { id: string }) => call.id)).toEqual([id]);

          // The other principal: the answer of an id that does not exist, an empty list.
          const theirs = await ask(at, 'other', CALL, { id });
          expect(theirs).toEqual(await ask(at, 'other', CALL, { id: NO_SUCH_ID }));
          expect(theirs.data?.call).toBeNull();
          expect(await ask(at, 'other', CALLS)).toEqual({ data: { calls: { nodes: [] } } });
        }

        // Nor can it hang it up, through either: NOT_FOUND, as for no such call; nothing ended.
        for (const at of [base('a'), base('b')]) {
          const theirs = await ask(at, 'other', HANGUP, { id });
          expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
          expect(theirs).toEqual(await ask(at, 'other', HANGUP, { id: NO_SUCH_ID }));
        }
        expect(emulator.calls().find((call) => call.id === id)?.status).not.toBe('hangup');

        // Its owner can, through B.
        const hungUp = await ask(base('b'), 'owner', HANGUP, { id });
        expect(hungUp.errors).toBeUndefined();
        expect(hungUp.data?.hangupCall.id).toBe(id);
        await until(
          () => emulator.calls().find((call) => call.id === id)?.status === 'hangup',
          'the call to end',
          10_000,
        );
      });

      it("(idempotency) a retry through B with A's key and input replays A's answer: one POST /calls", async () => {
        const key = `retry-${crypto.randomUUID()}`;
        const before = posts();
        const first = await ask(base('a'), 'idempotent', KEYED, { key, text: 'Hi' });
        expect(first.errors).toBeUndefined();
        expect(first.data?.createCall.replayed).toBe(false);
        const retry = await ask(base('b'), 'idempotent', KEYED, { key, text: 'Hi' });
        expect(retry.errors).toBeUndefined();
        expect(retry.data?.createCall).toEqual({ ...first.data?.createCall, replayed: true });
        expect(posts() - before).toBe(1);

        // The same key with another input, through either: refused, placing nothing.
        for (const at of [base('a'), base('b')]) {
          const reused = await ask(at, 'idempotent', KEYED, { key, text: 'Bye' });
          expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
        }
        expect(posts() - before).toBe(1);
      });

      it('(idempotency) concurrent duplicates across A and B place one call, and all answer it', async () => {
        const key = `concurrent-${crypto.randomUUID()}`;
        const before = posts();
        const answers = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            ask(base(i % 2 ? 'b' : 'a'), 'idempotent', KEYED, { key, text: 'Hi' }),
          ),
        );
        expect(answers.filter((answer) => answer.errors)).toEqual([]);
        const ids = new Set(answers.map((answer) => answer.data?.createCall.calls[0].id));
        expect(ids.size).toBe(1);
        expect(answers.filter((answer) => !answer.data?.createCall.replayed)).toHaveLength(1);
        expect(posts() - before).toBe(1);
      });

      it(`(rate limit) one bucket per principal across A and B: ${BURST} calls of a burst, then RATE_LIMITED`, async () => {
        const before = posts();
        const answers = await Promise.all(
          Array.from({ length: BURST + 3 }, (_, i) =>
            ask(base(i % 2 ? 'b' : 'a'), 'limited', KEYED, { text: 'Hi' }),
          ),
        );
        const placed = answers.filter((answer) => !answer.errors);
        const refused = answers.filter((answer) => answer.errors);
        expect(placed).toHaveLength(BURST);
        for (const answer of refused) {
          expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
          expect(answer.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
        }
        // One more through each: still refused; nothing of it reached VoIPBIN.
        for (const at of [base('a'), base('b')]) {
          const again = await ask(at, 'limited', KEYED, { text: 'Hi' });
          expect(again.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
        }
        expect(posts() - before).toBe(BURST);
        // Another principal's bucket is its own.
        const other = await ask(base('b'), 'other', KEYED, { text: 'Hi' });
        expect(other.errors).toBeUndefined();
      });

      it('(live status) a subscriber on B sees the states of a call placed through A, in order, none twice', async () => {
        // Fanout: the webhooks reach A alone, and B opened no socket: B's states came through
        // Redis. Own sockets: B's states come from its own socket, and B shows them to the
        // caller only because it finds the owner A recorded in the shared store.
        const run = await followQuickstartLive(base('b'), {
          headers: headers('live'),
          placeAt: base('a'),
          ...(fanout ? {} : { gaps: true, fromFirst: false }),
          // While B streams: no socket at all, or B's own (A's opens only while A streams).
          during: () => {
            if (fanout) expect(emulator.sockets.count).toBe(0);
            else expect(emulator.sockets.count).toBeGreaterThan(0);
          },
        });
        if (fanout) expect(emulator.sockets.count).toBe(0);
        // callEvents, open on B before the call was placed on A: its whole life, each state once
        // (through a fanout; from B's own socket, from the first state B knew the owner of).
        if (fanout)
          expect(LIFE).toContainEqual(statusesOf(run.events.map((state) => state.status)));
        console.log(
          `${name}, placed through A, followed on B: ${statusesOf(run.updated.map((s) => s.status)).join(' -> ')}; callUpdated's first state after ${run.firstMs} ms, HANGUP after ${run.ms} ms`,
        );
      }, 25_000);

      it(`stop cleanly on SIGTERM, closing ${sharing.name}`, async () => {
        expect(await a?.stop(5_000)).toBe(0);
        expect(await b?.stop(5_000)).toBe(0);
      });

      it(
        `refuses to start on a ${sharing.name} it cannot reach, naming the setting, never the URL`,
        async () => {
          const how = launch(found.path as string);
          const result = await runProcess({
            command: how.command,
            args: how.args,
            cwd: APP,
            env: environment(how, { PORT: String(await freePort()), ...sharing.broken.env }),
            what: `the ${name} entry`,
            timeoutMs: READY_TIMEOUT_MS,
          });
          expect(result.code, result.output).not.toBe(0);
          expect(result.output).toMatch(sharing.broken.says);
          expect(result.output).not.toContain(sharing.broken.secret);
          expect(result.output).not.toMatch(/gateway on http/);
        },
        READY_TIMEOUT_MS + 10_000,
      );
    },
  );
}
