/**
 * The built Node entry over real HTTP, as `pnpm start` runs it: without VoIPBIN settings it
 * serves the embedded emulator, says so, places the seed call and answers /health. With security
 * settings: it refuses to start holding a VoIPBIN credential without gateway auth, and applies a
 * destination policy read from the environment.
 */
import { request as httpRequest } from 'node:http';
import {
  READY_TIMEOUT_MS,
  type Spawned,
  spawnProcess,
  startProcess,
  waitReady,
} from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_QUERY } from '../src/gateway.ts';
import { APP, NODE_ENTRY as ENTRY, ensureBuilt, freePort } from './runtimes/support.ts';
import { recordResponse, recordText } from './support/canary.ts';
import {
  expectCachedGraphiQL,
  expectOfflineGraphiQL,
  expectSubscribingGraphiQL,
} from './support/graphiql.ts';
import { oversizedUpload, upload } from './support/oversized.ts';
import { expectSingleConnection } from './support/single-connection.ts';

/** The environment without any VOIPBIN_* or GATEWAY_* setting of the machine running the tests. */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('VOIPBIN_') && !key.startsWith('GATEWAY_'),
    ),
  );
}

/**
 * Spawns the built entry with `env` added (in a process group of its own, never outliving the
 * test); its output is recorded for the canary check. `exited` resolves with the exit code (or
 * signal); `stop` sends SIGTERM, then SIGKILL.
 */
function spawnEntry(env: Record<string, string>) {
  const entry = spawnProcess({
    command: process.execPath,
    args: [ENTRY],
    cwd: APP,
    env: { ...cleanEnv(), NODE_ENV: 'development', ...env },
    what: 'the Node entry',
    onOutput: (text) => recordText('node entry output', text),
  });
  const exited = entry.exited.then(({ code, signal }) => code ?? signal);
  const stop = async () => {
    await entry.stop(3_000);
  };
  return { entry, output: entry.output, exited, stop };
}

let gateway: Spawned | undefined;
let output = '';
let base = '';

async function post(query: string, variables?: Record<string, unknown>) {
  const response = recordResponse(
    `POST ${base}/graphql`,
    await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(5_000),
    }),
  );
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever the gateway answers
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  ensureBuilt();
  const port = await freePort();
  // No VOIPBIN_* settings: the gateway runs the embedded emulator.
  gateway = await startProcess({
    command: process.execPath,
    args: [ENTRY],
    cwd: APP,
    env: { ...cleanEnv(), PORT: String(port), NODE_ENV: 'development' },
    what: 'the Node entry',
    ready: /upstream: .*\n/,
    onOutput: (text, stream) => {
      output += text;
      recordText(`node entry ${stream}`, text);
    },
  });
  base = `http://127.0.0.1:${port}`;
}, READY_TIMEOUT_MS + 150_000);

afterAll(async () => {
  await gateway?.stop(3_000);
});

describe('the Node entry over HTTP', () => {
  it('prints its URL and that it runs on the embedded emulator', () => {
    const port = new URL(base).port;
    expect(output).toContain(`http://localhost:${port}/graphql`);
    expect(output).toMatch(/upstream: the embedded VoIPBIN emulator/);
  });

  it('places the seed call (GraphiQL’s first query) over HTTP', async () => {
    const { status, json } = await post(SEED_QUERY);

    expect(status).toBe(200);
    expect(json.errors).toBeUndefined();
    expect(json.data.createCall.calls).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'DIALING',
        source: { target: '+821028286521' },
        destination: { target: '+821021656521' },
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/),
      },
    ]);
  });

  it('runs the call on real time: it rings about a second later', async () => {
    const { json } = await post(SEED_QUERY);
    const id = json.data.createCall.calls[0].id;
    let status = 'DIALING';
    const deadline = Date.now() + 3_500;
    while (status === 'DIALING' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await post('query($id: ID!) { call(id: $id) { status } }', { id })).json.data.call
        .status;
    }
    expect(status).toBe('RINGING');
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

  it('serves GraphiQL with the seed query outside production, its assets from the gateway itself', async () => {
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

  it('answers a real WebSocket upgrade to /graphql with 400 WEBSOCKET_NOT_SUPPORTED, saying to use SSE', async () => {
    const { status, headers, body } = await new Promise<{
      status: number;
      headers: Record<string, unknown>;
      body: string;
    }>((resolve, reject) => {
      const request = httpRequest(`${base}/graphql`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-protocol': 'graphql-transport-ws',
        },
        timeout: 5_000,
      });
      // A 101 would be an upgrade; the gateway must answer an ordinary response instead.
      request.once('upgrade', (_, socket) => {
        socket.destroy();
        reject(new Error('the gateway switched protocols'));
      });
      request.once('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        );
      });
      request.once('timeout', () => request.destroy(new Error('no answer in 5 s')));
      request.once('error', reject);
      request.end();
    });
    expect(status).toBe(400);
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    const json = JSON.parse(body);
    expect(json.errors[0].extensions.code).toBe('WEBSOCKET_NOT_SUPPORTED');
    expect(json.errors[0].message).toMatch(/Server-Sent Events/);
  });

  it('answers an upload over the body limit with a 413 the client reads (lingering close)', async () => {
    // Still sending all it declared: read to the end, the 413 read, no EPIPE or reset.
    const all = await upload(`${base}/graphql`, 20 * 1024 * 1024);
    expect(all.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(all.error).toBeUndefined();
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array(20 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    // A client that stops sending still gets the 413 at once, and the connection's end.
    const { head, closed } = await oversizedUpload(`${base}/graphql`, 10 * 1024 * 1024);
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(closed).toBe(true);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = gateway?.exited.then(({ code }) => code);
    gateway?.child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(() => resolve('still running'), 5_000)),
    ]);
    expect(code).toBe(0);
  });
});

describe('the Node entry with security settings', () => {
  it(
    'refuses to start with a VoIPBIN credential and no gateway auth, naming the settings',
    async () => {
      ensureBuilt();
      const entry = spawnEntry({
        PORT: String(await freePort()),
        // A canary: the refusal must not quote it (the output is searched for it).
        VOIPBIN_ACCESS_KEY: 'CANARY-s3cr3t-key',
        VOIPBIN_BASE_URL: 'http://127.0.0.1:1/v1.0',
      });
      try {
        const code = await Promise.race([
          entry.exited,
          // Its start, to the refusal: as long as any start may take on a loaded machine.
          new Promise((resolve) => setTimeout(() => resolve('still running'), READY_TIMEOUT_MS)),
        ]);
        expect(code, entry.output()).not.toBe(0);
        expect(code, entry.output()).not.toBe('still running');
        expect(entry.output()).toContain(
          'Refusing to start: the gateway holds a VoIPBIN credential but has no auth method',
        );
        expect(entry.output()).toMatch(/GATEWAY_INSECURE_NO_AUTH=true/);
        expect(entry.output()).not.toMatch(/upstream: /);
      } finally {
        await entry.stop();
      }
    },
    READY_TIMEOUT_MS + 30_000,
  );

  it(
    'answers FORBIDDEN for a destination GATEWAY_DENIED_PREFIXES denies, on the embedded emulator',
    async () => {
      ensureBuilt();
      const port = await freePort();
      const entry = spawnEntry({ PORT: String(port), GATEWAY_DENIED_PREFIXES: '+8210' });
      try {
        await waitReady(entry.entry, /upstream: .*\n/);
        expect(entry.output()).toMatch(/upstream: the embedded VoIPBIN emulator/);
        const response = recordResponse(
          `POST http://127.0.0.1:${port}/graphql`,
          await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            // The seed call's destination, +821021656521, starts with +8210.
            body: JSON.stringify({ query: SEED_QUERY }),
            signal: AbortSignal.timeout(5_000),
          }),
        );
        // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever the gateway answers
        const json = (await response.json()) as Record<string, any>;
        expect(json.data).toBeNull();
        expect(json.errors?.[0]?.extensions).toMatchObject({
          code: 'FORBIDDEN',
          issues: [{ path: 'input.destinations.0.target' }],
        });
      } finally {
        await entry.stop();
      }
    },
    READY_TIMEOUT_MS + 30_000,
  );
});
