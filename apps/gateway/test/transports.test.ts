/**
 * How subscriptions reach /graphql, in-process: as GraphiQL sends them (GraphQL over SSE by a
 * JSON POST), in graphql-sse's single connection mode (its own client), and the clear refusals
 * of a WebSocket upgrade and of the single connection mode where it is not served.
 */
import type { Emulator } from '@voipbin-kit/emulator';
import { createClient, TOKEN_HEADER_KEY } from 'graphql-sse';
import { afterEach, describe, expect, it } from 'vitest';
import { GRAPHIQL_OPTIONS } from '../src/gateway.ts';
import type { Gateway, GatewayConfig } from '../src/index.ts';
import { hashApiKey } from '../src/security/auth.ts';
import { type SingleConnectionOptions, singleConnection } from '../src/single-connection.ts';
import { STREAM_TOKEN_HEADER } from '../src/transports.ts';
import { emulatedGateway, type GraphQLResult, graphql } from './support/graphql.ts';
import { PLACE, until } from './support/live.ts';
import { subscribe } from './support/sse.ts';

const URL_ = 'http://gateway.test/graphql';
const KEY_A = 'key-of-principal-a';
const KEY_B = 'key-of-principal-b';
const A = { 'x-api-key': KEY_A };
const B = { 'x-api-key': KEY_B };
const CALL_EVENTS = 'subscription { callEvents { id status } }';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A manual-clock gateway, closed after the test. */
function setup(
  config: Omit<GatewayConfig, 'upstream'> = {},
  streams: SingleConnectionOptions | false = {},
): { emulator: Emulator; gateway: Gateway } {
  const made = emulatedGateway(
    {},
    { ...(streams ? { singleConnection: singleConnection(streams) } : {}), ...config },
  );
  cleanups.push(() => made.gateway.close());
  return made;
}

/** Both API keys accepted: two callers. */
const twoCallers = async (): Promise<Omit<GatewayConfig, 'upstream'>> => ({
  security: { auth: { apiKeyHashes: [await hashApiKey(KEY_A), await hashApiKey(KEY_B)] } },
});

/** Runs the emulator's clock through the whole quickstart call, a second at a time. */
async function runCall(emulator: Emulator) {
  for (let second = 0; second < 20; second++) {
    emulator.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const send = (gateway: Gateway, init: RequestInit & { url?: string } = {}) =>
  gateway.fetch(new Request(init.url ?? URL_, init));

/** graphql-sse's client in single connection mode, on the gateway in-process. */
function sseClient(gateway: Gateway, headers: Record<string, string> = {}) {
  const requests: string[] = [];
  const client = createClient({
    singleConnection: true,
    url: URL_,
    headers,
    retryAttempts: 0,
    fetchFn: async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await gateway.fetch(new Request(input, init));
      requests.push(`${init?.method ?? 'GET'} ${response.status}`);
      return response;
    },
  });
  cleanups.push(() => client.dispose());
  /** Subscribes; `results` fills as they come, `ended` resolves on complete or error. */
  const subscription = (query: string) => {
    const results: GraphQLResult[] = [];
    let failure: unknown;
    let stop = () => {};
    const ended = new Promise<void>((resolve) => {
      stop = client.subscribe(
        { query },
        {
          next: (result) => {
            results.push(result as GraphQLResult);
          },
          error: (error) => {
            failure = error;
            resolve();
          },
          complete: resolve,
        },
      );
    });
    cleanups.push(stop);
    return { results, ended, stop, failure: () => failure };
  };
  return { client, requests, subscription };
}

/** Reserves a stream by hand (PUT), answering its token. */
async function reserve(gateway: Gateway, headers: Record<string, string> = {}) {
  const response = await send(gateway, { method: 'PUT', headers });
  expect(response.status, await response.clone().text()).toBe(201);
  return response.text();
}

/** Opens a reserved stream by hand (GET with its token); closed after the test. */
async function openStream(gateway: Gateway, token: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await send(gateway, {
    headers: { accept: 'text/event-stream', [STREAM_TOKEN_HEADER]: token, ...headers },
    signal: abort.signal,
  });
  cleanups.push(() => {
    void response.body?.cancel().catch(() => {});
    abort.abort();
  });
  return response;
}

const codeOf = async (response: Response) =>
  ((await response.json()) as GraphQLResult).errors?.[0]?.extensions?.code;

describe('GraphiQL runs subscriptions', () => {
  it('sends them as GraphQL over SSE by a JSON POST to its own URL', () => {
    expect(GRAPHIQL_OPTIONS).toMatchObject({
      subscriptionsProtocol: 'GRAPHQL_SSE',
      method: 'POST',
      endpoint: '?',
    });
  });

  it('a subscription sent as GraphiQL sends it, with no CSRF header, streams a call from DIALING to HANGUP', async () => {
    const { emulator, gateway } = setup();
    // What GraphiQL 5 sends (seen in Chromium): no header of CSRF_HEADERS.
    const stream = await subscribe((request) => gateway.fetch(request), CALL_EVENTS, {
      url: `${URL_}?`,
    });
    cleanups.push(() => stream.close());
    expect(stream.status).toBe(200);
    const placed = await graphql(gateway, PLACE);
    const id = placed.data?.createCall.calls[0].id;
    await runCall(emulator);
    await until(
      () => stream.results.some((result) => result.data?.callEvents.status === 'HANGUP'),
      'HANGUP',
    );
    const statuses = stream.results.map((result) => result.data?.callEvents);
    expect(statuses[0]).toEqual({ id, status: 'DIALING' });
    expect(statuses.map((state) => state.status)).toEqual(
      expect.arrayContaining(['DIALING', 'RINGING', 'PROGRESSING', 'HANGUP']),
    );
  });
});

describe("graphql-sse's single connection mode", () => {
  it('uses the header graphql-sse sends its token in', () => {
    expect(STREAM_TOKEN_HEADER).toBe(TOKEN_HEADER_KEY);
  });

  it("a callEvents subscription over graphql-sse's own client receives a call's states, DIALING to HANGUP", async () => {
    const { emulator, gateway } = setup();
    const { requests, subscription } = sseClient(gateway);
    const events = subscription(CALL_EVENTS);
    // The client reserves (PUT), opens the stream (GET) and posts the operation (POST).
    await until(() => requests.includes('POST 202'), 'the operation posted');
    expect(requests).toEqual(['PUT 201', 'GET 200', 'POST 202']);
    const placed = await graphql(gateway, PLACE);
    const id = placed.data?.createCall.calls[0].id;
    await runCall(emulator);
    await until(
      () => events.results.some((result) => result.data?.callEvents.status === 'HANGUP'),
      'HANGUP',
    );
    expect(events.results.filter((result) => result.errors)).toEqual([]);
    const statuses = events.results.map((result) => result.data?.callEvents);
    expect(statuses[0]).toEqual({ id, status: 'DIALING' });
    expect(statuses.map((state) => state.status)).toEqual(
      expect.arrayContaining(['DIALING', 'RINGING', 'PROGRESSING', 'HANGUP']),
    );
    // Ending the subscription ends its operation on the stream (DELETE).
    events.stop();
    await until(() => requests.includes('DELETE 200'), 'the operation ended');
  });

  it('carries two subscriptions on one stream', async () => {
    const { emulator, gateway } = setup();
    const { requests, subscription } = sseClient(gateway);
    const first = subscription(CALL_EVENTS);
    const second = subscription('subscription { callEvents { status } }');
    await until(
      () => requests.filter((request) => request === 'POST 202').length === 2,
      'both operations posted',
    );
    expect(requests.filter((request) => request.startsWith('GET'))).toEqual(['GET 200']);
    await graphql(gateway, PLACE);
    await runCall(emulator);
    await until(
      () =>
        [first, second].every((events) =>
          events.results.some((result) => result.data?.callEvents.status === 'HANGUP'),
        ),
      'HANGUP on both',
    );
  });

  it("keeps a caller's stream its own: another caller's token reads as no stream, nor can it open or post to it", async () => {
    const { gateway } = setup(await twoCallers());
    const token = await reserve(gateway, A);
    // B, authenticated, holding A's token: no stream to open, none to post to, none to end.
    const opened = await openStream(gateway, token, B);
    expect(opened.status).toBe(404);
    expect(await codeOf(opened)).toBe('STREAM_NOT_FOUND');
    const posted = await send(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [STREAM_TOKEN_HEADER]: token, ...B },
      body: JSON.stringify({ query: CALL_EVENTS, extensions: { operationId: '1' } }),
    });
    expect(posted.status).toBe(404);
    const ended = await send(gateway, {
      method: 'DELETE',
      url: `${URL_}?operationId=1`,
      headers: { [STREAM_TOKEN_HEADER]: token, ...B },
    });
    expect(ended.status).toBe(404);
    // A opens it: B's tries left it as it was.
    expect((await openStream(gateway, token, A)).status).toBe(200);
  });

  it('refuses an unauthenticated reservation (401 UNAUTHENTICATED), and a token never reserved (404)', async () => {
    const { gateway } = setup(await twoCallers());
    const anonymous = await send(gateway, { method: 'PUT' });
    expect(anonymous.status).toBe(401);
    expect(await codeOf(anonymous)).toBe('UNAUTHENTICATED');
    const unknown = await openStream(gateway, crypto.randomUUID(), A);
    expect(unknown.status).toBe(404);
    expect(await codeOf(unknown)).toBe('STREAM_NOT_FOUND');
  });

  it('leaves a PUT of a document to Yoga, which answers 405: only a bodiless PUT reserves', async () => {
    const { gateway } = setup();
    const response = await send(gateway, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(405);
  });

  it('gives tokens no one can guess (random UUIDs), each once', async () => {
    const { gateway } = setup();
    const tokens = [await reserve(gateway), await reserve(gateway), await reserve(gateway)];
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    expect(new Set(tokens).size).toBe(3);
  });

  it('bounds the streams a caller holds (429 TOO_MANY_STREAMS), another caller keeps its own', async () => {
    const { gateway } = setup(await twoCallers(), { maxStreamsPerCaller: 2 });
    await reserve(gateway, A);
    await reserve(gateway, A);
    const third = await send(gateway, { method: 'PUT', headers: A });
    expect(third.status).toBe(429);
    expect(await codeOf(third)).toBe('TOO_MANY_STREAMS');
    await reserve(gateway, B);
  });

  it('bounds the streams in all', async () => {
    const { gateway } = setup(await twoCallers(), { maxStreams: 1 });
    await reserve(gateway, A);
    const other = await send(gateway, { method: 'PUT', headers: B });
    expect(other.status).toBe(429);
    expect(await codeOf(other)).toBe('TOO_MANY_STREAMS');
  });

  it('drops a reservation never opened in time, and frees its place', async () => {
    const { gateway } = setup({}, { connectTimeoutMs: 20, maxStreamsPerCaller: 1 });
    const token = await reserve(gateway);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await openStream(gateway, token);
    expect(late.status).toBe(404);
    await reserve(gateway);
  });

  it('frees a stream when its client goes away', async () => {
    const { gateway } = setup({}, { maxStreamsPerCaller: 1 });
    const token = await reserve(gateway);
    const stream = await openStream(gateway, token);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.body?.cancel();
    // Gone: its token with it, and a new reservation fits.
    const again = await openStream(gateway, token);
    expect(again.status).toBe(404);
    await reserve(gateway);
  });

  it('keeps the body limit (413) and refuses a Content-Encoding (415) on an operation', async () => {
    const { gateway } = setup({ security: { limits: { bodyBytes: 1_000 } } });
    const token = await reserve(gateway);
    await openStream(gateway, token);
    const large = await send(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [STREAM_TOKEN_HEADER]: token },
      body: JSON.stringify({
        query: `{ __typename }${' '.repeat(2_000)}`,
        extensions: { operationId: '1' },
      }),
    });
    expect(large.status).toBe(413);
    expect(await codeOf(large)).toBe('REQUEST_ENTITY_TOO_LARGE');
    const encoded = await send(gateway, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        [STREAM_TOKEN_HEADER]: token,
      },
      body: JSON.stringify({ query: '{ __typename }', extensions: { operationId: '2' } }),
    });
    expect(encoded.status).toBe(415);
    expect(await codeOf(encoded)).toBe('UNSUPPORTED_CONTENT_ENCODING');
  });

  it("answers a refused document on the stream as a GraphQL error with its code: the gateway's limits, an unknown field, a syntax error", async () => {
    const { gateway } = setup({ security: { limits: { depth: 2 } } });
    const { requests, subscription } = sseClient(gateway);
    const cases = [
      ['subscription { callEvents { source { target } } }', 'DEPTH_LIMIT_EXCEEDED', /depth/i],
      ['subscription { callEvents { nope } }', 'GRAPHQL_VALIDATION_FAILED', /nope/],
      ['subscription { callEvents {', 'GRAPHQL_PARSE_FAILED', /Syntax Error/],
    ] as const;
    for (const [query, code, message] of cases) {
      const refused = subscription(query);
      await refused.ended;
      expect(refused.failure(), query).toBeUndefined();
      expect(refused.results, query).toHaveLength(1);
      expect(refused.results[0]?.data, query).toBeUndefined();
      expect(refused.results[0]?.errors?.[0]?.extensions?.code, query).toBe(code);
      expect(refused.results[0]?.errors?.[0]?.message, query).toMatch(message);
    }
    // Each posted and answered on the stream (202), none a failed request.
    expect(requests.filter((request) => request.startsWith('POST'))).toEqual([
      'POST 202',
      'POST 202',
      'POST 202',
    ]);
  });

  it('takes no token from the URL: a simple GET with ?token= is no stream request, and the CSRF prevention refuses it', async () => {
    const { gateway } = setup();
    const token = await reserve(gateway);
    const response = await send(gateway, {
      url: `${URL_}?token=${token}&query=${encodeURIComponent(CALL_EVENTS)}`,
      headers: { accept: 'text/event-stream' },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('CSRF_HEADER_REQUIRED');
  });

  it('is not served without the entry giving it (the Worker): 501 SINGLE_CONNECTION_UNSUPPORTED, saying what to use', async () => {
    const { gateway } = setup({}, false);
    const response = await send(gateway, { method: 'PUT' });
    expect(response.status).toBe(501);
    const json = (await response.json()) as GraphQLResult;
    expect(json.errors?.[0]?.extensions?.code).toBe('SINGLE_CONNECTION_UNSUPPORTED');
    expect(json.errors?.[0]?.message).toMatch(/distinct connections.*text\/event-stream/);
    const withToken = await send(gateway, {
      headers: { accept: 'text/event-stream', [STREAM_TOKEN_HEADER]: 'x' },
    });
    expect(withToken.status).toBe(501);
  });

  it('is not served with trusted documents (graphql-sse sends documents, not hashes)', async () => {
    const { gateway } = setup({ security: { trustedDocuments: { abc: '{ __typename }' } } });
    const response = await send(gateway, { method: 'PUT' });
    expect(response.status).toBe(501);
    expect(((await response.json()) as GraphQLResult).errors?.[0]?.message).toMatch(
      /trusted documents/,
    );
  });
});

describe('a WebSocket upgrade', () => {
  const UPGRADE = {
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-protocol': 'graphql-transport-ws',
  };

  it('answers 400 WEBSOCKET_NOT_SUPPORTED in JSON, saying subscriptions are served over SSE, not the CSRF refusal', async () => {
    const { gateway } = setup();
    const response = await send(gateway, { headers: UPGRADE });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const json = (await response.json()) as GraphQLResult;
    expect(json.errors).toHaveLength(1);
    expect(json.errors?.[0]?.extensions?.code).toBe('WEBSOCKET_NOT_SUPPORTED');
    expect(json.errors?.[0]?.message).toMatch(/Server-Sent Events.*accept: text\/event-stream/);
    expect(json.errors?.[0]?.message).toMatch(/graphql-sse/);
  });

  it('is told apart whatever the case of the header, and only on /graphql', async () => {
    const { gateway } = setup();
    const upper = await send(gateway, { headers: { ...UPGRADE, upgrade: 'WebSocket' } });
    expect(await codeOf(upper)).toBe('WEBSOCKET_NOT_SUPPORTED');
    const elsewhere = await send(gateway, { url: 'http://gateway.test/other', headers: UPGRADE });
    expect(elsewhere.status).toBe(404);
  });
});
