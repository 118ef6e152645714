/**
 * The gateway as a Cloudflare Worker, in the real runtime: `wrangler deploy --dry-run` bundles
 * src/runtime/worker.ts as a deploy would, and Miniflare runs that bundle in workerd (loopback
 * only, nothing downloaded). One isolate serves every request, so it keeps its emulator.
 */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetReferences } from '../support/graphiql.ts';
import { QUICKSTART, withoutRequestIds } from '../support/graphql.ts';
import { LIFE, statusesOf } from '../support/live.ts';
import { bundleWorker, dispose, runBundle, type WorkerBundle } from './miniflare.ts';
import { EMULATOR_SPEED, followQuickstartLive, warmUp } from './support.ts';

const CREATE_CALL = /* GraphQL */ `
  mutation {
    createCall(input: {
      source: { type: TEL, target: "${QUICKSTART.source}" }
      destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }]
      actions: [{ talk: { text: "${QUICKSTART.text}", gender: FEMALE, language: "en-US" } }]
    }) {
      calls { id status source { target } }
    }
  }`;

const CALL = /* GraphQL */ `
  query ($id: ID!) {
    call(id: $id) { id status hangupReason }
  }`;

let bundle: WorkerBundle | undefined;
let mf: Miniflare;

async function post(query: string, variables?: Record<string, unknown>) {
  const response = await mf.dispatchFetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  // Each error's request id checked against the answer's X-Request-Id, then left out.
  const json = withoutRequestIds(
    response as unknown as Response,
    (await response.json()) as { data?: unknown; errors?: [] },
  );
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever the gateway answers
  return { response, json: json as { data?: any; errors?: any[] } };
}

beforeAll(
  async () => {
    bundle = await bundleWorker({ EMULATOR_SPEED: '100' });
    ({ mf } = await runBundle(bundle, { EMULATOR_SPEED: '100', GATEWAY_DENIED_PREFIXES: '+1900' }));
    // The bundling and the start: each bounded by READY_TIMEOUT_MS.
  },
  2 * READY_TIMEOUT_MS + 30_000,
);

afterAll(async () => {
  await dispose(mf);
  await bundle?.remove();
});

describe('the Worker bundle in workerd (Miniflare)', () => {
  it('answers GET /health and says the embedded emulator answers', async () => {
    const response = await mf.dispatchFetch('http://gateway.test/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', upstream: 'emulator' });
    expect(response.headers.get('x-voipbin-upstream')).toBe('emulator');
  });

  it("places the quickstart call and follows it to HANGUP in the isolate's emulator", async () => {
    const created = await post(CREATE_CALL);
    expect(created.response.status).toBe(200);
    expect(created.json.errors).toBeUndefined();
    const [call] = created.json.data.createCall.calls;
    expect(call).toMatchObject({ status: 'DIALING', source: { target: QUICKSTART.source } });
    expect(call.id).toMatch(/^[0-9a-f-]{36}$/);

    // EMULATOR_SPEED=100: the call ends within a second or so; poll at most 15 s.
    const deadline = Date.now() + 15_000;
    let status = call.status as string;
    while (status !== 'HANGUP' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const read = await post(CALL, { id: call.id });
      expect(read.json.errors).toBeUndefined();
      expect(read.json.data.call.id).toBe(call.id);
      status = read.json.data.call.status;
      if (status === 'HANGUP') expect(read.json.data.call.hangupReason).toBe('NORMAL');
    }
    expect(status).toBe('HANGUP');
  }, 30_000);

  it('refuses a denied destination with FORBIDDEN, placing nothing', async () => {
    const denied = CREATE_CALL.replace(
      `target: "${QUICKSTART.destination}"`,
      'target: "+19005550100"',
    );
    expect(denied).not.toBe(CREATE_CALL);
    const { json } = await post(denied);
    expect(json.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      issues: [{ path: 'input.destinations.0.target' }],
    });
  });

  it('answers 404 outside /graphql and /health (no landing page), and GraphiQL on /graphql in development', async () => {
    const other = await mf.dispatchFetch('http://gateway.test/', {
      headers: { accept: 'text/html' },
    });
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('');
    const graphiql = await mf.dispatchFetch('http://gateway.test/graphql', {
      headers: { accept: 'text/html' },
    });
    expect(graphiql.status).toBe(200);
    const html = await graphiql.text();
    expect(html).toContain('voipbin-kit gateway');
    // Yoga's default page, its assets on a CDN: the inlined ones (9 MB) would not fit the budget.
    expect(assetReferences(html).some((ref) => ref.startsWith('https://unpkg.com/'))).toBe(true);
    // Its GraphiQL runs subscriptions too: GraphQL over SSE by POST, to the page's own URL.
    for (const option of [
      '"subscriptionsProtocol":"GRAPHQL_SSE"',
      '"method":"POST"',
      '"endpoint":"?"',
    ])
      expect(html).toContain(option);
  });

  it("answers graphql-sse's single connection mode 501 SINGLE_CONNECTION_UNSUPPORTED, pointing to distinct connections", async () => {
    const response = await mf.dispatchFetch('http://gateway.test/graphql', { method: 'PUT' });
    expect(response.status).toBe(501);
    const json = (await response.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(json.errors[0]?.extensions.code).toBe('SINGLE_CONNECTION_UNSUPPORTED');
    expect(json.errors[0]?.message).toMatch(/isolates.*distinct connections/);
  });

  it('answers the same document twice alike (the second from the parse and validation caches)', async () => {
    const first = await post(CALL, { id: '00000000-0000-4000-8000-000000000000' });
    const second = await post(CALL, { id: '00000000-0000-4000-8000-000000000000' });
    expect(second.response.status).toBe(first.response.status);
    expect(second.json).toEqual(first.json);
    const broken = 'query { call(id: "x") { nope } }';
    const brokenFirst = await post(broken);
    const brokenSecond = await post(broken);
    expect(brokenFirst.json.errors?.[0]?.message).toMatch(/nope/);
    expect(brokenSecond.json).toEqual(brokenFirst.json);
  });

  it('is the bundle the budget measures (scripts/budgets.mjs applies wrangler.toml the same way)', async () => {
    const budgets = new URL('../../scripts/budgets.mjs', import.meta.url).href;
    const { measureWorkerBundle } = (await import(budgets)) as {
      measureWorkerBundle(): Promise<{ gzipBytes: number }>;
    };
    const measured = await measureWorkerBundle();
    const deployed = gzipSync(await readFile((bundle as WorkerBundle).scriptPath), {
      level: 9,
    }).length;
    // wrangler adds its module wrapper and a source map comment: within 1% of each other.
    expect(Math.abs(deployed - measured.gzipBytes) / deployed).toBeLessThan(0.01);
  });

  it('answers a malformed document with a GraphQL error, not a crash', async () => {
    const { response, json } = await post('mutation { createCall(input: {');
    expect(response.status).toBeLessThan(500);
    expect(json.errors?.[0]?.message).toMatch(/Syntax Error/);
    const health = await mf.dispatchFetch('http://gateway.test/health');
    await health.arrayBuffer();
    expect(health.status).toBe(200);
  });

  it('refuses a body over the limit with 413, the answer and its connection header accepted by workerd', async () => {
    const response = await mf.dispatchFetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(1024 * 1024)}` }),
    });
    expect(response.status).toBe(413);
    expect(
      ((await response.json()) as { errors: { extensions: unknown }[] }).errors[0],
    ).toMatchObject({
      extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' },
    });
  });
});

describe('live call status from the Worker bundle in workerd, over real HTTP', () => {
  // Its own isolate, with the Worker's default source (poll), the runtimes' EMULATOR_SPEED (5)
  // and the shortest poll interval. A poll reads the state of the moment: at speed 5 RINGING
  // lasts 600 ms (from 200 ms after the call is placed), so reads every 200 ms see every state
  // but perhaps TERMINATING (40 ms), which LIFE allows. The call lasts 2.3 s.
  let live: Miniflare | undefined;
  let base = '';
  let output = '';

  beforeAll(async () => {
    const started = await runBundle(
      bundle as WorkerBundle,
      { EMULATOR_SPEED: String(EMULATOR_SPEED), GATEWAY_EVENTS_POLL_INTERVAL_MS: '200' },
      {
        // workerd's own output: the Worker's startup line among it.
        handleRuntimeStdio(stdout: Readable, stderr: Readable) {
          for (const stream of [stdout, stderr]) {
            stream.on('data', (chunk: Buffer) => {
              output += String(chunk);
            });
          }
        },
      },
    );
    live = started.mf;
    base = started.url.origin;
    // A fresh isolate's first createCall takes 50 to 80 ms: not in the timed run.
    await warmUp(base);
  }, READY_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await dispose(live);
  });

  it('streams the quickstart call over SSE, polled: callEvents and callUpdated, each state once, in order', async () => {
    const run = await followQuickstartLive(base);
    expect(LIFE).toContainEqual(statusesOf(run.updated.map((state) => state.status)));
    expect(run.updated).toEqual(run.events);
    expect(output).toMatch(/call events: poll/);
    console.log(
      `workerd: ${statusesOf(run.updated.map((s) => s.status)).join(' -> ')}; createCall answered in ${run.placedMs} ms; callUpdated's first state after ${run.firstMs} ms, HANGUP after ${run.ms} ms`,
    );
  }, 25_000);
});
