import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACTION_SCHEMAS,
  ACTION_TYPES,
  ActionSchema,
  type ClientOptions,
  createClient as createLeanClient,
  PlayActionSchema,
  play,
  TalkActionSchema,
  talk,
  VoipbinApiError,
  VoipbinNetworkError,
  VoipbinResponseError,
  VoipbinTimeoutError,
  VoipbinValidationError,
} from '../src/index.ts';
import {
  hang,
  json,
  QUICKSTART_CALL,
  rawCall,
  stubFetch,
  voipbinError,
} from './support/voipbin.ts';

// These tests are about the exchange, not the actions: every client here sends any action.
const createClient = (options: ClientOptions<typeof ACTION_SCHEMAS>) =>
  createLeanClient({ actions: ACTION_SCHEMAS, ...options });

const CALL_ID = 'e2a65df2-4e50-4e37-8628-df07b3cec579';
const FLOW_ID = 'ed95a3c4-22d4-11ee-add7-8742a741581e';
const networkDown = () => {
  throw new TypeError('fetch failed');
};

describe('createClient', () => {
  it('sends a token as a Bearer header and an access key as ?accesskey=', async () => {
    const stub = stubFetch(json({ calls: [rawCall()], groupcalls: [] }));
    await createClient({ token: 'jwt-1', fetch: stub.fetch }).calls.create(QUICKSTART_CALL);
    await createClient({ accessKey: 'key-1', fetch: stub.fetch }).calls.create(QUICKSTART_CALL);

    const [withToken, withKey] = stub.requests;
    expect(withToken?.headers.get('authorization')).toBe('Bearer jwt-1');
    expect(withToken?.url.search).toBe('');
    expect(withKey?.url.searchParams.get('accesskey')).toBe('key-1');
    expect(withKey?.headers.get('authorization')).toBeNull();
  });

  it('posts the request to <baseURL>/calls as JSON, exactly as given', async () => {
    const stub = stubFetch(json({ calls: [rawCall()], groupcalls: [] }));
    const client = createClient({
      baseURL: 'http://127.0.0.1:9000/v1.0/',
      token: 'test-token',
      fetch: stub.fetch,
    });
    await client.calls.create(QUICKSTART_CALL);

    const [sent] = stub.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.url.href).toBe('http://127.0.0.1:9000/v1.0/calls');
    expect(sent?.headers.get('content-type')).toBe('application/json');
    expect(sent?.body).toEqual(QUICKSTART_CALL);
  });

  it("reads the bare array of the 2023 quickstart and today's { calls, groupcalls } alike", async () => {
    const stub = stubFetch(json([rawCall()]), json({ calls: [rawCall()], groupcalls: [] }));
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    const bare = await client.calls.create(QUICKSTART_CALL);
    const wrapped = await client.calls.create(QUICKSTART_CALL);
    expect(bare).toEqual(wrapped);
    expect(bare.calls[0]).toMatchObject({
      id: CALL_ID,
      status: 'dialing',
      master_call_id: null,
      hangup_by: null,
    });
  });

  it('rejects an invalid request with every issue and its path, and sends nothing', async () => {
    const stub = stubFetch(json({}));
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    const error = await client.calls
      .create({
        source: { type: 'tel', target: '+82 10 2828 6521' },
        destinations: [],
      } as never)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VoipbinValidationError);
    const issues = (error as VoipbinValidationError).issues;
    expect(issues.map((issue) => issue.path)).toEqual(['source.target', 'destinations', 'actions']);
    expect((error as Error).message).toContain('source.target: Expected an E.164 phone number');
    expect(stub.requests).toHaveLength(0);
  });

  it('refuses an e-mail destination, which VoIPBIN cannot ring, and sends nothing', async () => {
    const stub = stubFetch(json({ calls: [rawCall()], groupcalls: [] }));
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    const error = await client.calls
      .create({
        ...QUICKSTART_CALL,
        destinations: [...QUICKSTART_CALL.destinations, { type: 'email', target: 'a@example.com' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinValidationError);
    expect((error as VoipbinValidationError).issues).toEqual([
      { path: 'destinations.1.type', message: 'An e-mail address cannot be called' },
    ]);
    expect(stub.requests).toHaveLength(0);
  });

  it('rejects an id that is not a UUID before any request', async () => {
    const stub = stubFetch(json(rawCall()));
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    await expect(client.calls.get('../flows')).rejects.toThrow(
      /Invalid call id.*id: Expected a UUID/,
    );
    expect(stub.requests).toHaveLength(0);
  });

  it("turns VoIPBIN's error body into a VoipbinApiError", async () => {
    const stub = stubFetch(voipbinError(404, 'NOT_FOUND', 'CALL_NOT_FOUND', 'call not found'));
    const error = await createClient({ token: 'test-token', fetch: stub.fetch })
      .calls.get(CALL_ID)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VoipbinApiError);
    expect(error).toMatchObject({
      httpStatus: 404,
      status: 'NOT_FOUND',
      reason: 'CALL_NOT_FOUND',
      requestId: 'req_TEST0123456789',
      request: { method: 'GET', path: `/calls/${CALL_ID}` },
      upstreamMessage: 'call not found',
    });
    expect((error as Error).message).toContain('call not found');
  });

  it("names the status from the HTTP code when the error body is not VoIPBIN's", async () => {
    const stub = stubFetch(new Response('<html>Bad gateway</html>', { status: 502 }));
    const error = await createClient({ token: 'test-token', fetch: stub.fetch, retry: 0 })
      .calls.get(CALL_ID)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      httpStatus: 502,
      status: 'INTERNAL',
      reason: 'UNEXPECTED_ERROR_BODY',
      requestId: null,
      upstreamMessage: null,
    });
  });

  it('says a POST answered 5xx by a proxy, not VoIPBIN, may have placed the call', async () => {
    const stub = stubFetch(
      new Response('<html>Gateway timeout</html>', { status: 504 }),
      voipbinError(503, 'UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'try later'),
      new Response('<html>Gateway timeout</html>', { status: 504 }),
    );
    const client = createClient({ token: 'test-token', fetch: stub.fetch, retry: 0 });
    const proxied = await client.calls.create(QUICKSTART_CALL).catch((e: unknown) => e);
    const refused = await client.calls.create(QUICKSTART_CALL).catch((e: unknown) => e);
    const read = await client.calls.get(CALL_ID).catch((e: unknown) => e);

    expect(proxied).toMatchObject({ httpStatus: 504, outcomeUnknown: true });
    expect((proxied as Error).message).toMatch(/the outcome is unknown/);
    // VoIPBIN's own body says it refused the call; a GET places nothing.
    expect(refused).toMatchObject({ httpStatus: 503, outcomeUnknown: false });
    expect(read).toMatchObject({ httpStatus: 504, outcomeUnknown: false });
    expect(stub.requests).toHaveLength(3);
  });

  it('says a POST VoIPBIN answered REQUEST_TIMEOUT or REQUEST_CANCELED may have placed the call', async () => {
    // bin-api-manager/server/error_translate.go (step 3): a request to call-manager that timed
    // out or was canceled is 503 UNAVAILABLE with one of these reasons, after call-manager may
    // have taken it.
    const stub = stubFetch(
      voipbinError(503, 'UNAVAILABLE', 'REQUEST_TIMEOUT', 'The request timed out.'),
      voipbinError(503, 'UNAVAILABLE', 'REQUEST_CANCELED', 'The request was canceled.'),
      voipbinError(503, 'UNAVAILABLE', 'REQUEST_TIMEOUT', 'The request timed out.'),
    );
    const client = createClient({ token: 'test-token', fetch: stub.fetch, retry: 0 });
    const timedOut = await client.calls.create(QUICKSTART_CALL).catch((e: unknown) => e);
    const canceled = await client.calls.create(QUICKSTART_CALL).catch((e: unknown) => e);
    const read = await client.calls.get(CALL_ID).catch((e: unknown) => e);

    expect(timedOut).toMatchObject({
      httpStatus: 503,
      reason: 'REQUEST_TIMEOUT',
      upstreamMessage: 'The request timed out.',
      outcomeUnknown: true,
    });
    expect((timedOut as Error).message).toMatch(/the outcome is unknown/);
    expect(canceled).toMatchObject({ reason: 'REQUEST_CANCELED', outcomeUnknown: true });
    // A GET places nothing, whatever VoIPBIN says.
    expect(read).toMatchObject({ reason: 'REQUEST_TIMEOUT', outcomeUnknown: false });
    // Never sent again on its own.
    expect(stub.requests).toHaveLength(3);
  });

  it('reports a 200 whose body is not JSON, or not a call, as VoipbinResponseError', async () => {
    const stub = stubFetch(
      new Response('{"calls": [', { status: 200 }),
      json({ calls: [{ status: 'dialing' }] }),
    );
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    await expect(client.calls.create(QUICKSTART_CALL)).rejects.toThrow(VoipbinResponseError);
    const error = (await client.calls
      .create(QUICKSTART_CALL)
      .catch((e: unknown) => e)) as VoipbinResponseError;
    expect(error).toBeInstanceOf(VoipbinResponseError);
    expect(error.issues.length).toBeGreaterThan(0);
    // Accepted (2xx): the call was most likely placed, whatever the body says.
    expect(error.outcomeUnknown).toBe(true);
    expect(error.message).toMatch(/it was accepted, so do not send it again$/);
  });

  it.each([
    ['an empty object', {}],
    ['both lists null', { calls: null, groupcalls: null }],
    ['a list page instead', { result: [], next_page_token: '' }],
    ['one call, not in a list', { call: { id: 'e2a65df2-4e50-4e37-8628-df07b3cec579' } }],
    ['calls as a string', { calls: 'placed' }],
    ['a bare string', 'ok'],
    ['null', null],
    ['a number', 1],
  ])(
    'reads a 2xx answer to POST /calls in neither known shape (%s) as unreadable, outcome unknown, never "no calls placed"',
    async (_, body) => {
      const stub = stubFetch(json(body));
      const error = (await createClient({ token: 'test-token', fetch: stub.fetch })
        .calls.create(QUICKSTART_CALL)
        .catch((e: unknown) => e)) as VoipbinResponseError;
      expect(error).toBeInstanceOf(VoipbinResponseError);
      expect(error.outcomeUnknown).toBe(true);
      expect(stub.requests).toHaveLength(1);
    },
  );

  it('reads both known shapes, a null list beside an array included (Go writes an empty slice as null)', async () => {
    const stub = stubFetch(json({ calls: null, groupcalls: [] }), json([]));
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    expect(await client.calls.create(QUICKSTART_CALL)).toEqual({ calls: [], groupcalls: [] });
    expect(await client.calls.create(QUICKSTART_CALL)).toEqual({ calls: [], groupcalls: [] });
  });

  it('says a read answered with an unreadable body can be sent again', async () => {
    const stub = stubFetch(new Response('<html>maintenance</html>', { status: 200 }));
    const error = (await createClient({ token: 'test-token', fetch: stub.fetch, retry: 0 })
      .calls.list()
      .catch((e: unknown) => e)) as VoipbinResponseError;
    expect(error).toBeInstanceOf(VoipbinResponseError);
    expect(error.outcomeUnknown).toBe(false);
  });

  it('never retries a POST: a network error is thrown once, with the outcome unknown', async () => {
    const stub = stubFetch(networkDown);
    const error = await createClient({
      token: 'test-token',
      fetch: stub.fetch,
      retry: 5,
      retryDelay: 0,
    })
      .calls.create(QUICKSTART_CALL)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: true });
    expect(stub.requests).toHaveLength(1);
  });

  it('never retries a POST on 503 either', async () => {
    const stub = stubFetch(voipbinError(503, 'UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'try later'));
    const client = createClient({
      token: 'test-token',
      fetch: stub.fetch,
      retry: 5,
      retryDelay: 0,
    });
    await expect(client.calls.create(QUICKSTART_CALL)).rejects.toThrow(VoipbinApiError);
    await expect(client.calls.hangup(CALL_ID)).rejects.toThrow(VoipbinApiError);
    expect(stub.requests).toHaveLength(2);
  });

  it('times out a POST with VoipbinTimeoutError saying the outcome is unknown, without retrying', async () => {
    const stub = stubFetch(hang);
    const error = await createClient({
      token: 'test-token',
      fetch: stub.fetch,
      timeout: 50,
      retry: 3,
      retryDelay: 0,
    })
      .calls.create(QUICKSTART_CALL)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinTimeoutError);
    expect(error).toMatchObject({ timeout: 50, outcomeUnknown: true });
    expect((error as Error).message).toMatch(/outcome is unknown/);
    expect(stub.requests).toHaveLength(1);
  });

  it('times out an answer whose body stalls after the headers', async () => {
    const stub = stubFetch(
      (r) =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"calls": ['));
              r.signal?.addEventListener('abort', () => controller.error(r.signal?.reason));
            },
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        ),
    );
    const error = await createClient({ token: 'test-token', fetch: stub.fetch, timeout: 50 })
      .calls.create(QUICKSTART_CALL)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinTimeoutError);
    expect(error).toMatchObject({ outcomeUnknown: true });
  });

  it('retries a GET after network errors and 502/503/504, then answers', async () => {
    const stub = stubFetch(
      networkDown,
      new Response('', { status: 502 }),
      voipbinError(503, 'UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'busy'),
      new Response('', { status: 504 }),
      json(rawCall()),
    );
    const delays: number[] = [];
    const client = createClient({
      token: 'test-token',
      fetch: stub.fetch,
      retry: 4,
      retryDelay: (attempt) => {
        delays.push(attempt);
        return 1;
      },
    });
    await expect(client.calls.get(CALL_ID)).resolves.toMatchObject({ id: CALL_ID });
    expect(stub.requests).toHaveLength(5);
    expect(delays).toEqual([0, 1, 2, 3]);
  });

  // 300, 600, 1200, 2400, then 4800 capped at 3000 ms; each times a jitter of 0.5 + random / 2.
  it.each([
    { random: 0, jitter: 0.5, waits: [150, 300, 600, 1_200, 1_500] },
    { random: 0.5, jitter: 0.75, waits: [225, 450, 900, 1_800, 2_250] },
  ])(
    'waits between retries by default 300 ms doubling each time, capped at 3 s, times its jitter (here $jitter)',
    async ({ random: value, waits: expected }) => {
      vi.useFakeTimers();
      const random = vi.spyOn(Math, 'random').mockReturnValue(value);
      try {
        const unavailable = () => new Response('', { status: 503 });
        const stub = stubFetch(...Array.from({ length: 5 }, () => unavailable), json(rawCall()));
        const sentAt: number[] = [];
        const client = createClient({
          token: 'test-token',
          retry: 5,
          fetch: (input, init) => {
            sentAt.push(Date.now());
            return stub.fetch(input, init);
          },
        });
        const call = client.calls.get(CALL_ID);
        await vi.runAllTimersAsync();
        await expect(call).resolves.toMatchObject({ id: CALL_ID });

        expect(stub.requests).toHaveLength(6);
        const waits = sentAt.slice(1).map((at, i) => at - (sentAt[i] as number));
        expect(waits).toEqual(expected);
      } finally {
        random.mockRestore();
        vi.useRealTimers();
      }
    },
  );

  it('gives up a GET after `retry` retries and throws the last error', async () => {
    const stub = stubFetch(networkDown);
    const client = createClient({
      token: 'test-token',
      fetch: stub.fetch,
      retry: 2,
      retryDelay: 0,
    });
    await expect(client.calls.get(CALL_ID)).rejects.toThrow(VoipbinNetworkError);
    expect(stub.requests).toHaveLength(3);
  });

  it('retries a DELETE on 503 but not on 500 or 404', async () => {
    const flaky = stubFetch(new Response('', { status: 503 }), json(rawCall()));
    await createClient({ token: 'test-token', fetch: flaky.fetch, retryDelay: 0 }).calls.delete(
      CALL_ID,
    );
    expect(flaky.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);

    for (const status of [500, 404]) {
      const stub = stubFetch(new Response('', { status }), json(rawCall()));
      await expect(
        createClient({ token: 'test-token', fetch: stub.fetch, retryDelay: 0 }).calls.delete(
          CALL_ID,
        ),
      ).rejects.toThrow(VoipbinApiError);
      expect(stub.requests).toHaveLength(1);
    }
  });

  it("throws the caller's abort reason and stops retrying when aborted", async () => {
    const stub = stubFetch(hang);
    const controller = new AbortController();
    const pending = createClient({ token: 'test-token', fetch: stub.fetch }).calls.get(CALL_ID, {
      signal: controller.signal,
    });
    controller.abort(new Error('user left the page'));
    await expect(pending).rejects.toThrow('user left the page');
    expect(stub.requests).toHaveLength(1);
  });

  it('removes its abort listeners from a long-lived signal after each exchange and retry wait', async () => {
    const stub = stubFetch(networkDown, networkDown, json(rawCall()));
    const { signal } = new AbortController();
    const added = vi.spyOn(signal, 'addEventListener');
    const removed = vi.spyOn(signal, 'removeEventListener');
    const client = createClient({ token: 'test-token', fetch: stub.fetch, retryDelay: 1 });
    await client.calls.get(CALL_ID, { signal });

    const abortListeners = (spy: typeof added | typeof removed) =>
      spy.mock.calls.filter(([type]) => type === 'abort').map(([, listener]) => listener);
    // One per exchange (three) and one per retry wait (two).
    expect(abortListeners(added)).toHaveLength(5);
    expect(abortListeners(added).filter((l) => !abortListeners(removed).includes(l))).toEqual([]);
  });

  it('still times out when the caller passes a signal', async () => {
    const stub = stubFetch(hang);
    const client = createClient({ token: 'test-token', fetch: stub.fetch, timeout: 30, retry: 0 });
    await expect(
      client.calls.get(CALL_ID, { signal: new AbortController().signal }),
    ).rejects.toThrow(VoipbinTimeoutError);
  });

  it('lists a page with page_size and page_token, and iterates every page', async () => {
    const one = rawCall({ id: '11111111-1111-4111-8111-111111111111' });
    const two = rawCall({ id: '22222222-2222-4222-8222-222222222222' });
    const stub = stubFetch(
      json({ result: [one], next_page_token: '2026-01-15T09:30:00.000000Z' }),
      json({ result: [two], next_page_token: '' }),
    );
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    const ids: string[] = [];
    for await (const call of client.calls.iterate({ page_size: 1 })) ids.push(call.id);

    expect(ids).toEqual([one.id, two.id]);
    expect(stub.requests.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
      { page_size: '1' },
      { page_size: '1', page_token: '2026-01-15T09:30:00.000000Z' },
    ]);
  });

  it('stops iterating when VoIPBIN repeats a page token', async () => {
    const stub = stubFetch(json({ result: [rawCall()], next_page_token: 'same' }));
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    let count = 0;
    for await (const _ of client.calls.iterate()) count++;
    expect(count).toBe(2);
    expect(stub.requests).toHaveLength(2);
  });

  it('creates, gets, lists and deletes flows', async () => {
    const flow = {
      id: FLOW_ID,
      name: 'greeting',
      detail: '',
      actions: [{ id: CALL_ID, type: 'talk', option: { text: 'Hi' } }],
      tm_create: '2023-03-28 12:00:05.248732',
    };
    const stub = stubFetch(
      json(flow),
      json(flow),
      json({ result: [flow], next_page_token: '' }),
      json(flow),
    );
    const client = createClient({ accessKey: 'k', fetch: stub.fetch });

    const created = await client.flows.create({
      name: 'greeting',
      detail: '',
      actions: [{ type: 'talk', option: { text: 'Hi' } }],
    });
    expect(created).toMatchObject({
      id: FLOW_ID,
      tm_create: '2023-03-28T12:00:05.248732Z',
      actions: [{ type: 'talk', next_id: null }],
    });
    await client.flows.get(FLOW_ID);
    expect((await client.flows.list()).result).toHaveLength(1);
    await client.flows.delete(FLOW_ID);
    expect(stub.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'POST /v1.0/flows',
      `GET /v1.0/flows/${FLOW_ID}`,
      'GET /v1.0/flows',
      `DELETE /v1.0/flows/${FLOW_ID}`,
    ]);
  });
});

// Node 20.0-20.2 and older Safari lack `AbortSignal.any`: the client must not depend on it.
describe.each([
  { any: 'missing', remove: true },
  { any: 'present', remove: false },
])("a caller's signal with AbortSignal.any $any", ({ remove }) => {
  const descriptor = Object.getOwnPropertyDescriptor(AbortSignal, 'any');
  beforeEach(() => {
    if (remove) Object.defineProperty(AbortSignal, 'any', { value: undefined, configurable: true });
  });
  afterEach(() => {
    if (descriptor) Object.defineProperty(AbortSignal, 'any', descriptor);
    vi.useRealTimers();
  });

  it('times out with VoipbinTimeoutError at the deadline', async () => {
    expect(typeof AbortSignal.any).toBe(remove ? 'undefined' : 'function');
    vi.useFakeTimers();
    const stub = stubFetch(hang);
    const client = createClient({ token: 'test-token', fetch: stub.fetch, timeout: 100, retry: 0 });
    let settled: unknown;
    const pending = client.calls
      .get(CALL_ID, { signal: new AbortController().signal })
      .catch((e: unknown) => e)
      .then((outcome) => {
        settled = outcome;
      });
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(settled).toBeInstanceOf(VoipbinTimeoutError);
    expect(settled).toMatchObject({ timeout: 100 });
  });

  it("rejects with the caller's reason when the caller aborts, before or during the request", async () => {
    const stub = stubFetch(hang);
    const client = createClient({ token: 'test-token', fetch: stub.fetch });
    const during = new AbortController();
    const pending = client.calls.get(CALL_ID, { signal: during.signal });
    const reason = new Error('user left the page');
    during.abort(reason);
    await expect(pending).rejects.toBe(reason);

    const before = new AbortController();
    before.abort(new Error('already gone'));
    await expect(client.calls.get(CALL_ID, { signal: before.signal })).rejects.toThrow(
      'already gone',
    );
  });

  it('leaves no abort listener on a long-lived signal after many exchanges', async () => {
    const { signal } = new AbortController();
    const added = vi.spyOn(signal, 'addEventListener');
    const removed = vi.spyOn(signal, 'removeEventListener');
    const ok = createClient({ token: 'test-token', fetch: stubFetch(json(rawCall())).fetch });
    const notFound = stubFetch(voipbinError(404, 'NOT_FOUND', 'CALL_NOT_FOUND', 'no such call'));
    const failing = createClient({ token: 'test-token', fetch: notFound.fetch });
    const hanging = createClient({ token: 'test-token', fetch: stubFetch(hang).fetch, timeout: 5 });

    for (let i = 0; i < 50; i++) await ok.calls.get(CALL_ID, { signal });
    for (let i = 0; i < 5; i++) {
      await expect(failing.calls.get(CALL_ID, { signal })).rejects.toThrow(VoipbinApiError);
      await expect(hanging.calls.create(QUICKSTART_CALL, { signal })).rejects.toThrow(
        VoipbinTimeoutError,
      );
    }

    const abortListeners = (spy: typeof added | typeof removed) =>
      spy.mock.calls.filter(([type]) => type === 'abort').map(([, listener]) => listener);
    const removedListeners = new Set(abortListeners(removed));
    expect(abortListeners(added).filter((l) => !removedListeners.has(l))).toEqual([]);
  });
});

describe('credentials never leak', () => {
  const CANARY = 'CANARY-s3cr3t/+=key';
  const surfaces = (error: unknown) => {
    const e = error as Error & { toJSON?: () => unknown };
    const causes: string[] = [];
    for (let c: unknown = e.cause; c instanceof Error; c = c.cause)
      causes.push(c.message, c.stack ?? '');
    return [
      String(e),
      e.message,
      e.stack ?? '',
      JSON.stringify(e),
      JSON.stringify(e.toJSON?.()),
      ...causes,
    ].join('\n');
  };
  const paths: [
    string,
    Parameters<typeof stubFetch>[0],
    (c: ReturnType<typeof createClient>) => Promise<unknown>,
  ][] = [
    [
      'validation',
      json({}),
      (c) =>
        c.calls.create({ ...QUICKSTART_CALL, source: { type: 'tel', target: CANARY } } as never),
    ],
    [
      'api error echoing the URL',
      (r) =>
        voipbinError(
          401,
          'UNAUTHENTICATED',
          'INVALID_TOKEN',
          `bad credential at ${r.url.href} ${CANARY}`,
        ),
      (c) => c.calls.create(QUICKSTART_CALL),
    ],
    [
      'network error quoting the URL',
      (r) => {
        throw new TypeError(`error sending request for url (${r.url.href})`);
      },
      (c) => c.calls.get(CALL_ID),
    ],
    ['timeout', hang, (c) => c.calls.create(QUICKSTART_CALL)],
    [
      'unreadable answer',
      (r) => json({ calls: [{ id: 'x', status: 'dialing', source: r.url.href }] }),
      (c) => c.calls.create(QUICKSTART_CALL),
    ],
    ['not JSON', (r) => new Response(`oops ${r.url.href}`), (c) => c.calls.create(QUICKSTART_CALL)],
  ];

  it('does not blank ordinary words when a credential is implausibly short', async () => {
    const stub = stubFetch(voipbinError(404, 'NOT_FOUND', 'CALL_NOT_FOUND', 'call not found'));
    const error = await createClient({ token: 't', fetch: stub.fetch })
      .calls.get(CALL_ID)
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('call not found');
    expect((error as Error).name).toBe('VoipbinApiError');
  });

  it('redacts an error thrown by retryDelay', async () => {
    const stub = stubFetch(networkDown);
    const error = await createClient({
      accessKey: CANARY,
      fetch: stub.fetch,
      retryDelay: () => {
        throw new RangeError(`no delay for ${CANARY}`);
      },
    })
      .calls.get(CALL_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('RangeError');
    expect((error as Error).message).toBe('no delay for [redacted]');
    expect(surfaces(error)).not.toContain('s3cr3t');
  });

  it("redacts VoIPBIN's own message in upstreamMessage", async () => {
    const stub = stubFetch(voipbinError(401, 'UNAUTHENTICATED', 'INVALID_TOKEN', `bad ${CANARY}`));
    const error = await createClient({ token: CANARY, fetch: stub.fetch })
      .calls.get(CALL_ID)
      .catch((e: unknown) => e);
    expect((error as VoipbinApiError).upstreamMessage).toBe('bad [redacted]');
  });

  for (const credential of ['accessKey', 'token'] as const) {
    it.each(paths)(`keeps the ${credential} out of a %s error`, async (_name, answer, act) => {
      const stub = stubFetch(answer);
      const client = createClient({
        [credential]: CANARY,
        fetch: stub.fetch,
        timeout: 30,
        retry: 0,
      });
      const error = await act(client).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const text = surfaces(error);
      // Its distinctive part, so that no encoding of it slips through.
      expect(text).not.toContain('s3cr3t');
    });
  }
});

describe('phone numbers and talk texts never leak', () => {
  const NUMBER = '+821099998888';
  const TEXT = 'canary talk text';
  const surfaces = (error: unknown) =>
    [(error as Error).message, JSON.stringify(error), (error as Error).stack ?? ''].join('\n');
  const base = QUICKSTART_CALL as unknown as Record<string, unknown>;

  it.each([
    ['a number for an address', { ...base, destinations: [NUMBER] }, 'destinations.0'],
    ['a number for the source', { ...base, source: NUMBER }, 'source'],
    [
      'a number as a JSON number',
      { ...base, destinations: [{ type: 'tel', target: 821099998888 }] },
      'destinations.0.target',
    ],
    ['a number for anonymous', { ...base, anonymous: NUMBER }, 'anonymous'],
    [
      'a talk text for its gender',
      { ...base, actions: [{ type: 'talk', option: { text: TEXT, gender: TEXT } }] },
      'actions.0.option.gender',
    ],
    [
      'a talk text for its option',
      { ...base, actions: [{ type: 'talk', option: TEXT }] },
      'actions.0.option',
    ],
  ])('keeps %s out of the validation error, sending nothing', async (_, request, path) => {
    const stub = stubFetch(json({ calls: [rawCall()], groupcalls: [] }));
    const error = await createClient({ fetch: stub.fetch })
      .calls.create(request as never)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VoipbinValidationError);
    expect((error as VoipbinValidationError).issues.map((i) => i.path)).toContain(path);
    expect((error as VoipbinValidationError).message).toMatch(/received a (string|number)/);
    expect(surfaces(error)).not.toMatch(/821099998888|canary talk text/);
    expect(stub.requests).toHaveLength(0);
  });

  it('keeps a number out of an answer it cannot read', async () => {
    const stub = stubFetch(json({ calls: [rawCall({ source: NUMBER })], groupcalls: [] }));
    const error = await createClient({ fetch: stub.fetch })
      .calls.create(QUICKSTART_CALL)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VoipbinResponseError);
    expect((error as VoipbinResponseError).issues).toEqual([
      { path: 'calls.0.source', message: 'Invalid type: Expected Object but received a string' },
    ]);
    expect(surfaces(error)).not.toContain('821099998888');
  });
});

describe('the actions a client sends (`actions`)', () => {
  const tel = QUICKSTART_CALL.source;
  const call = <T>(actions: T[]) => ({ source: tel, destinations: [tel], actions });
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinValidationError);
    return error as VoipbinValidationError;
  };

  it('sends an action whose schema it was given, checked by that schema', async () => {
    const stub = stubFetch(json({ calls: [rawCall()], groupcalls: [] }));
    const client = createLeanClient({ token: 't', fetch: stub.fetch, actions: [TalkActionSchema] });
    await client.calls.create(call([talk({ text: 'Hi', language: 'en-US' })]) as never);
    expect(stub.requests[0]?.body).toMatchObject({ actions: [{ type: 'talk' }] });

    const error = await refusal(client.calls.create(call([{ type: 'talk', option: {} }]) as never));
    expect(error.issues).toEqual([{ path: 'actions.0.option.text', message: 'Required' }]);
    expect(stub.requests).toHaveLength(1);
  });

  it('refuses an action of a type it was not given, saying how to add it, and sends nothing', async () => {
    const stub = stubFetch();
    const client = createLeanClient({ token: 't', fetch: stub.fetch, actions: [TalkActionSchema] });
    const error = await refusal(
      client.calls.create(
        call([talk({ text: 'Hi' }), play(['https://example.com/a.wav'])]) as never,
      ),
    );
    expect(error.issues).toEqual([
      {
        path: 'actions.1.type',
        message:
          'Unknown action type "play" for this client; expected one of talk (createClient\'s `actions` lists the schemas of the actions it sends; ACTION_SCHEMAS has all 40)',
      },
    ]);
    // The same for a flow's actions.
    await refusal(
      client.flows.create({ name: 'f', detail: '', actions: [{ type: 'echo' }] } as never),
    );
    expect(stub.requests).toHaveLength(0);
  });

  it('says what `actions` takes when given something else', () => {
    for (const actions of [ActionSchema, [TalkActionSchema, 'play'], [{}], 'talk']) {
      expect(() => createLeanClient({ token: 't', actions: actions as never })).toThrow(
        'createClient: `actions` takes a list of action schemas, e.g. [TalkActionSchema] or ACTION_SCHEMAS',
      );
    }
  });

  it('given no actions, places a call that runs a flow and refuses any action', async () => {
    const stub = stubFetch(json({ calls: [rawCall()], groupcalls: [] }));
    const client = createLeanClient({ token: 't', fetch: stub.fetch });
    await client.calls.create({ source: tel, destinations: [tel], flow_id: FLOW_ID });
    const error = await refusal(client.calls.create(call([talk({ text: 'Hi' })]) as never));
    expect(error.issues).toEqual([
      {
        path: 'actions.0.type',
        message:
          'Action type "talk" cannot be sent: this client sends no actions (createClient\'s `actions` lists the schemas of the actions it sends; ACTION_SCHEMAS has all 40)',
      },
    ]);
    expect(stub.requests).toHaveLength(1);
  });

  it('sends the actions of every schema it lists, and refuses garbage with each path', async () => {
    const stub = stubFetch(json({ calls: [rawCall()], groupcalls: [] }));
    const client = createLeanClient({
      token: 't',
      fetch: stub.fetch,
      actions: [TalkActionSchema, PlayActionSchema],
    });
    await client.calls.create(call([talk({ text: 'Hi' }), play(['https://example.com/a.wav'])]));
    expect(ACTION_SCHEMAS.map((schema) => schema.entries.type.literal)).toEqual([...ACTION_TYPES]);
    const error = await refusal(
      createLeanClient({ token: 't', fetch: stub.fetch, actions: ACTION_SCHEMAS }).calls.create(
        call([{ type: 'dance' }, {}, 'talk']) as never,
      ),
    );
    expect(error.issues.map(({ path }) => path)).toEqual([
      'actions.0.type',
      'actions.1.type',
      'actions.2',
    ]);
    expect(error.issues.map(({ message }) => message.slice(0, 50))).toEqual([
      `Unknown action type "dance" for this client; expec`,
      'Required',
      'Expected an action: an object with a `type`',
    ]);
    expect(error.issues[0]?.message).toContain(ACTION_TYPES.join(', '));
    expect(stub.requests).toHaveLength(1);
  });
});
