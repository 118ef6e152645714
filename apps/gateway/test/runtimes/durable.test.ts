/**
 * The Worker across isolates, in workerd (Miniflare): Workers `a` and `b` run the bundle
 * `wrangler deploy` ships, each in its own isolate, bound to one namespace of each Durable
 * Object class (`b` binds `a`'s), in front of one standalone emulator over loopback HTTP, as
 * VoIPBIN would be. State persists on disk, so a restart of workerd keeps it. `c` and `d` take
 * call events by webhook only (from their own emulator, to `c`); `e` and `f` have no binding
 * (each isolate keeps its own state: what the objects fix); `g` has auth and no binding.
 * The emulators run on manual clocks: the test moves each call on, one step at a time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { listen, type RunningEmulator } from '@voipbin-kit/emulator/node';
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';
import { Miniflare, type WorkerOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDurableStore } from '../../src/durable/store.ts';
import { hashApiKey } from '../../src/security/auth.ts';
import { storeContract } from '../security/store-contract.ts';
import { type FetchHandler, graphql } from '../support/graphql.ts';
import {
  CALL_EVENTS,
  CALL_UPDATED,
  LIFE,
  PLACE,
  statusesOf,
  timeOrder,
  until,
} from '../support/live.ts';
import { type SseSubscription, subscribe } from '../support/sse.ts';
import { bundleWorker, dispose, type WorkerBundle, whenReady } from './miniflare.ts';

const SECRET = 'webhook-secret-0123456789abcdef';
/** One principal (API key) a test, so that one test's calls never spend another's rate bucket. */
const KEYS = {
  owner: 'key-of-the-owner-0001',
  other: 'key-of-another-0002',
  idempotency: 'key-of-idempotency-0003',
  rate: 'key-of-rate-0004',
  live: 'key-of-live-0005',
  restart: 'key-of-restart-0006',
  gaveUp: 'key-of-gave-up-0007',
} as const;
const BURST = 6;
const POLL_INTERVAL_MS = 300;

const as = (key: string) => ({ 'x-api-key': key });
/** The quickstart call with an idempotency key, asking whether it was replayed. */
const withKey = (key: string) =>
  PLACE.replace('createCall(input:', `createCall(idempotencyKey: "${key}", input:`).replace(
    '{ calls { id status } }',
    '{ replayed calls { id status } }',
  );
const CALL = 'query ($id: ID!) { call(id: $id) { id status } }';
const LIST = '{ calls(first: 100) { nodes { id } } }';
const HANGUP = 'mutation ($id: ID!) { hangupCall(id: $id) { id } }';

/** An emulator served over loopback HTTP, counting what reaches it. */
interface Upstream {
  emulator: Emulator;
  server: RunningEmulator;
  posts(): number;
  /** `GET /calls/<id>` requests so far, with when each came (ms). */
  reads(id: string): number[];
}

async function upstream(options: Parameters<typeof createEmulator>[0] = {}): Promise<Upstream> {
  const emulator = createEmulator({ clock: 'manual', ...options });
  let posts = 0;
  const reads = new Map<string, number[]>();
  const server = await listen(
    {
      sockets: emulator.sockets,
      fetch: (request: Request) => {
        const path = new URL(request.url).pathname;
        if (request.method === 'POST' && path === '/v1.0/calls') posts++;
        const read = /^\/v1\.0\/calls\/([0-9a-f-]{36})$/.exec(path)?.[1];
        if (request.method === 'GET' && read)
          reads.set(read, [...(reads.get(read) ?? []), Date.now()]);
        return emulator.fetch(request);
      },
    },
    { port: 0 },
  );
  return { emulator, server, posts: () => posts, reads: (id) => reads.get(id) ?? [] };
}

let bundle: WorkerBundle | undefined;
let persist = '';
let polled: Upstream;
let hooked: Upstream;
let mf: Miniflare | undefined;
let output = '';
let hashes = '';

/** The Miniflare of the test: the same options (and disk) each time it starts. */
function start(): Miniflare {
  const { scriptPath, outDir, compatibilityDate } = bundle as WorkerBundle;
  const worker = (
    name: string,
    bindings: Record<string, string>,
    objects: 'own' | string | null,
  ): WorkerOptions => ({
    name,
    modules: true,
    scriptPath,
    modulesRoot: outDir,
    compatibilityDate,
    routes: [`${name}.test/*`],
    bindings: {
      VOIPBIN_ACCESS_KEY: 'any-key-opens-the-emulator',
      GATEWAY_API_KEY_HASHES: hashes,
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1',
      GATEWAY_RATE_LIMIT_BURST: String(BURST),
      GATEWAY_EVENTS_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      ...bindings,
    },
    ...(objects === null
      ? {}
      : {
          durableObjects: Object.fromEntries(
            [
              ['GATEWAY_STORE', 'GatewayStore'],
              ['GATEWAY_EVENTS', 'CallEvents'],
            ].map(([binding, className]) => [
              binding,
              { className, useSQLite: true, ...(objects === 'own' ? {} : { scriptName: objects }) },
            ]),
          ),
        }),
  });
  const pollUpstream = { VOIPBIN_BASE_URL: polled.server.url };
  const hookUpstream = {
    VOIPBIN_BASE_URL: hooked.server.url,
    GATEWAY_EVENTS_SOURCE: 'webhook',
    GATEWAY_WEBHOOK_SECRET: SECRET,
  };
  return new Miniflare({
    host: '127.0.0.1',
    cf: false,
    durableObjectsPersist: persist,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr]) {
        stream.on('data', (chunk: Buffer) => {
          output += String(chunk);
        });
      }
    },
    workers: [
      worker('a', pollUpstream, 'own'),
      worker('b', pollUpstream, 'a'),
      worker('c', hookUpstream, 'own'),
      worker('d', hookUpstream, 'c'),
      worker('e', { ...pollUpstream, GATEWAY_ALLOW_ISOLATE_STATE: 'true' }, null),
      worker('f', { ...pollUpstream, GATEWAY_ALLOW_ISOLATE_STATE: 'true' }, null),
      worker('g', pollUpstream, null),
    ],
  });
}

/** A Worker of the running Miniflare, as a fetch handler (`http://gateway.test/...` goes to it). */
function isolate(name: string): FetchHandler {
  return {
    fetch: async (request: Request) => {
      const url = request.url.replace('//gateway.test/', `//${name}.test/`);
      const body = request.method === 'GET' ? undefined : await request.text();
      const response = await (mf as Miniflare).dispatchFetch(url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        ...(body === undefined ? {} : { body }),
        signal: request.signal,
      });
      return response as unknown as Response;
    },
  };
}

const [a, b, c, d, e, f, g] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(isolate) as [
  FetchHandler,
  FetchHandler,
  FetchHandler,
  FetchHandler,
  FetchHandler,
  FetchHandler,
  FetchHandler,
];

async function place(through: FetchHandler, key: string, document = PLACE): Promise<string> {
  const { data, errors } = await graphql(through, document, undefined, as(key));
  expect(errors).toBeUndefined();
  return data?.createCall.calls[0].id as string;
}

const streams: SseSubscription[] = [];
async function follow(through: FetchHandler, key: string, query: string, id?: string) {
  const stream = await subscribe((request) => through.fetch(request), query, {
    ...(id ? { variables: { id } } : {}),
    headers: as(key),
  });
  streams.push(stream);
  expect(stream.status).toBe(200);
  return stream;
}

/** The statuses a stream delivered for call `id`, upper case as the schema has them. */
const statuses = (stream: SseSubscription, field: 'callUpdated' | 'callEvents', id: string) =>
  stream.results
    .map((result) => result.data?.[field])
    .filter((call) => call?.id === id)
    .map((call) => call.status as string);

/** Whether a stream's states of call `id` each came once and in order (`updatedAt` rising). */
function onceInOrder(stream: SseSubscription, field: 'callUpdated' | 'callEvents', id: string) {
  const stamps = stream.results
    .map((result) => result.data?.[field])
    .filter((call) => call?.id === id)
    .map((call) => timeOrder(call.updatedAt as string | null));
  expect(stamps.length).toBeGreaterThan(0);
  expect(stamps.every((stamp, i) => i === 0 || stamp > (stamps[i - 1] as string))).toBe(true);
}

/**
 * Moves `upstream`'s call `id` on, 100 ms of its time at a step, and after each change waits
 * until every stream has delivered the call's new status: each state is there to be seen.
 */
async function playOut(
  { emulator }: Upstream,
  id: string,
  watching: [SseSubscription, 'callUpdated' | 'callEvents'][],
) {
  for (let step = 0; step < 600; step++) {
    const before = emulator.calls().find((call) => call.id === id)?.status;
    emulator.advance(100);
    const now = emulator.calls().find((call) => call.id === id)?.status;
    if (now !== before) {
      const wanted = String(now).toUpperCase();
      await until(
        () => watching.every(([stream, field]) => statuses(stream, field, id).at(-1) === wanted),
        `every subscriber to see ${wanted}`,
        READY_TIMEOUT_MS,
      );
    }
    if (now === 'hangup') return;
  }
  throw new Error('the call did not hang up in 60 s of emulator time');
}

beforeAll(
  async () => {
    hashes = (await Promise.all(Object.values(KEYS).map(hashApiKey))).join(',');
    persist = await mkdtemp(join(tmpdir(), 'gateway-durable-'));
    polled = await upstream();
    hooked = await upstream({
      webhookUrl: `http://c.test/webhooks/voipbin/${SECRET}`,
      webhookFetch: (input, init) =>
        (mf as Miniflare).dispatchFetch(
          String(input),
          init as never,
        ) as unknown as Promise<Response>,
    });
    bundle = await bundleWorker();
    mf = start();
    await whenReady(mf, mf.ready);
  },
  2 * READY_TIMEOUT_MS + 30_000,
);

afterAll(async () => {
  for (const stream of streams) stream.close();
  await dispose(mf);
  await Promise.all([polled?.server.close(), hooked?.server.close()]);
  await bundle?.remove();
  if (persist) await rm(persist, { recursive: true, force: true });
});

describe('a Worker with gateway auth', () => {
  it('refuses to start without the GATEWAY_STORE binding, naming it, and places nothing', async () => {
    const posts = polled.posts();
    const response = await g.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...as(KEYS.owner) },
        body: JSON.stringify({ query: PLACE }),
      }),
    );
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/misconfigured/);
    expect(output).toMatch(/no GATEWAY_STORE binding.*GATEWAY_ALLOW_ISOLATE_STATE=true/);
    expect(polled.posts()).toBe(posts);
  });

  it('without the objects (development), loses a call placed through another isolate', async () => {
    const id = await place(e, KEYS.owner);
    expect((await graphql(e, CALL, { id }, as(KEYS.owner))).data?.call?.id).toBe(id);
    expect((await graphql(f, CALL, { id }, as(KEYS.owner))).data?.call).toBeNull();
  });
});

describe('two isolates bound to one set of Durable Objects', () => {
  it('reads, lists and hangs up a call through the other isolate; another principal sees nothing through either', async () => {
    const id = await place(a, KEYS.owner);
    expect((await graphql(b, CALL, { id }, as(KEYS.owner))).data?.call).toMatchObject({ id });
    const listed = await graphql(b, LIST, undefined, as(KEYS.owner));
    expect(listed.data?.calls.nodes.map((call: { id: string }) => call.id)).toContain(id);
    for (const through of [a, b]) {
      expect((await graphql(through, CALL, { id }, as(KEYS.other))).data?.call).toBeNull();
      expect((await graphql(through, LIST, undefined, as(KEYS.other))).data?.calls.nodes).toEqual(
        [],
      );
      const refused = await graphql(through, HANGUP, { id }, as(KEYS.other));
      expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect(polled.emulator.calls().find((call) => call.id === id)?.status).not.toBe('hangup');
    const hung = await graphql(b, HANGUP, { id }, as(KEYS.owner));
    expect(hung.errors).toBeUndefined();
    expect(polled.emulator.calls().find((call) => call.id === id)?.status).toMatch(
      /canceling|terminating|hangup/,
    );
  });

  it("replays A's answer to a retry through B, placing one call; concurrent duplicates across both place one", async () => {
    const posts = polled.posts();
    const first = await graphql(a, withKey('order-1'), undefined, as(KEYS.idempotency));
    const again = await graphql(b, withKey('order-1'), undefined, as(KEYS.idempotency));
    expect(first.data?.createCall.replayed).toBe(false);
    expect(again.data?.createCall).toEqual({ ...first.data?.createCall, replayed: true });
    expect(polled.posts()).toBe(posts + 1);

    const burst = await Promise.all(
      [a, b, a, b].map((through) =>
        graphql(through, withKey('order-2'), undefined, as(KEYS.idempotency)),
      ),
    );
    expect(new Set(burst.map((answer) => answer.data?.createCall.calls[0].id)).size).toBe(1);
    expect(polled.posts()).toBe(posts + 2);
  });

  it('replays, through B, the failure A was answered when VoIPBIN gave up on a call it placed', async () => {
    const posts = polled.posts();
    const placed = polled.emulator.calls().length;
    // VoIPBIN's API timed out waiting for call-manager, which placed the call all the same.
    polled.emulator.faults.set([
      { method: 'POST', path: '/v1.0/calls', gaveUp: 'timeout', after: true, times: 1 },
    ]);
    try {
      const first = await graphql(a, withKey('gave-up-1'), undefined, as(KEYS.gaveUp));
      expect(first.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        voipbin: { httpStatus: 503, reason: 'REQUEST_TIMEOUT' },
        outcomeUnknown: true,
      });
      // The page sends the same key again, and another isolate takes it: the same answer, no call.
      const again = await graphql(b, withKey('gave-up-1'), undefined, as(KEYS.gaveUp));
      expect(again.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        voipbin: { httpStatus: 503, reason: 'REQUEST_TIMEOUT' },
        outcomeUnknown: true,
        replayed: true,
      });
      expect(again.errors?.[0]?.message).toBe(first.errors?.[0]?.message);
    } finally {
      polled.emulator.faults.clear();
    }
    expect(polled.posts()).toBe(posts + 1);
    expect(polled.emulator.calls()).toHaveLength(placed + 1);
  });

  it('shares one rate-limit burst between the isolates', async () => {
    const posts = polled.posts();
    for (let i = 0; i < BURST; i++) await place(i % 2 ? b : a, KEYS.rate);
    for (const through of [a, b]) {
      const limited = await graphql(through, PLACE, undefined, as(KEYS.rate));
      expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    }
    expect(polled.posts()).toBe(posts + BURST);
  });

  it(
    'follows a call live through both isolates with one upstream poller: each state once, in order',
    async () => {
      const everything = await follow(b, KEYS.live, CALL_EVENTS);
      const id = await place(a, KEYS.live);
      const onA = await follow(a, KEYS.live, CALL_UPDATED, id);
      const onB = await follow(b, KEYS.live, CALL_UPDATED, id);
      const loads = polled.reads(id).length;
      await playOut(polled, id, [
        [onA, 'callUpdated'],
        [onB, 'callUpdated'],
        [everything, 'callEvents'],
      ]);
      await Promise.all([onA.completed(READY_TIMEOUT_MS), onB.completed(READY_TIMEOUT_MS)]);
      for (const stream of [onA, onB]) {
        expect(LIFE).toContainEqual(statuses(stream, 'callUpdated', id));
      }
      expect(LIFE).toContainEqual(statusesOf(statuses(everything, 'callEvents', id)));
      expect(statuses(everything, 'callEvents', id)).toEqual(statuses(onA, 'callUpdated', id));
      onceInOrder(onA, 'callUpdated', id);
      onceInOrder(onB, 'callUpdated', id);
      onceInOrder(everything, 'callEvents', id);

      // Each subscription read the call once (its current state); the rest is the object's alarm,
      // at most one read a poll interval, however many subscribe: two pollers would read twice.
      const polls = polled.reads(id).slice(loads);
      const span = (polls.at(-1) ?? 0) - (polls[0] ?? 0);
      const most = Math.floor(span / POLL_INTERVAL_MS) + 1;
      console.log(
        `durable live status: ${polls.length} upstream reads of the call in ${span} ms by the call's object (poll interval ${POLL_INTERVAL_MS} ms, at most ${most}), two subscribers on two isolates`,
      );
      expect(polls.length).toBeGreaterThan(1);
      expect(polls.length).toBeLessThanOrEqual(most);
    },
    4 * READY_TIMEOUT_MS,
  );

  it(
    'passes a webhook received by one isolate to a subscriber on the other, polling nothing',
    async () => {
      const id = await place(c, KEYS.live);
      const onD = await follow(d, KEYS.live, CALL_UPDATED, id);
      const loads = hooked.reads(id).length;
      await playOut(hooked, id, [[onD, 'callUpdated']]);
      await onD.completed(READY_TIMEOUT_MS);
      expect(LIFE).toContainEqual(statusesOf(statuses(onD, 'callUpdated', id)));
      onceInOrder(onD, 'callUpdated', id);
      expect(hooked.reads(id).length).toBe(loads);
      expect(output).toMatch(/call events: webhook, through Durable Objects/);
    },
    4 * READY_TIMEOUT_MS,
  );

  it(
    'keeps owners, lists and idempotency keys across a restart of workerd',
    async () => {
      const first = await graphql(a, withKey('restart-1'), undefined, as(KEYS.restart));
      const id = first.data?.createCall.calls[0].id as string;
      const posts = polled.posts();
      await dispose(mf);
      mf = start();
      await whenReady(mf, mf.ready);
      expect((await graphql(b, CALL, { id }, as(KEYS.restart))).data?.call).toMatchObject({ id });
      const listed = await graphql(b, LIST, undefined, as(KEYS.restart));
      expect(listed.data?.calls.nodes.map((call: { id: string }) => call.id)).toEqual([id]);
      const again = await graphql(b, withKey('restart-1'), undefined, as(KEYS.restart));
      expect(again.data?.createCall).toEqual({ ...first.data?.createCall, replayed: true });
      expect((await graphql(a, HANGUP, { id }, as(KEYS.restart))).errors).toBeUndefined();
      expect(polled.posts()).toBe(posts);
    },
    2 * READY_TIMEOUT_MS,
  );
});

// The store contract, against GatewayStore objects in workerd: the client here, by RPC.
storeContract('Durable Object store (workerd)', async () => {
  const namespace = await (mf as Miniflare).getDurableObjectNamespace('GATEWAY_STORE', 'a');
  return createDurableStore(namespace as never as Parameters<typeof createDurableStore>[0], {
    prefix: `contract-${crypto.randomUUID()}:`,
  });
});
