/**
 * What a frontend gets when VoIPBIN fails: each upstream error as its `extensions.code` with
 * VoIPBIN's status, reason and request id; timeouts and network failures, with whether a call
 * may have been placed; anything unexpected masked. And no credential ever in an answer.
 */
import { DEFAULT_CUSTOMER_ID } from '@voipbin-kit/emulator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway, type GatewayConfig } from '../src/index.ts';
import {
  callJson,
  emulatedGateway,
  graphql,
  hang,
  jsonResponse,
  postGraphQL,
  recordingFetch,
  recordRequests,
  stubUpstream,
  voipbinError,
} from './support/graphql.ts';

const CANARY = 'CANARY-s3cr3t-key';
const CANARY_TOKEN = 'CANARY-s3cr3t-jwt';
const BASE_URL = 'http://voipbin.test/v1.0';
const CALL_ID = '9b0c3f0e-1d2e-4f5a-8b6c-7d8e9f0a1b2c';

const CREATE_CALL = /* GraphQL */ `
  mutation {
    createCall(input: {
      source: { type: TEL, target: "+821028286521" }
      destinations: [{ type: TEL, target: "+821021656521" }]
      actions: [{ talk: { text: "Hello" } }]
    }) { calls { id status } }
  }`;
const LIST_CALLS = '{ calls(first: 5) { nodes { id } } }';
/** CREATE_CALL sent with an idempotency key. */
const keyedCall = (key: string) =>
  CREATE_CALL.replace('createCall(input:', `createCall(idempotencyKey: "${key}", input:`);

/** A gateway in front of a stub VoIPBIN, with the server's access key set to the canary. */
function stubbedGateway(
  answer: Parameters<typeof stubUpstream>[0],
  config: Omit<GatewayConfig, 'upstream'> = {},
) {
  const stub = stubUpstream(answer);
  // Its responses are searched for the canaries too, `fetch` included (test/support/canary.ts).
  const gateway = recordingFetch(
    createGateway({
      upstream: { kind: 'voipbin', baseURL: BASE_URL, accessKey: CANARY },
      // These tests are about upstream errors, not gateway auth (tested in test/security).
      security: { insecureNoAuth: true },
      ...config,
      client: { fetch: stub.fetch, retry: 0, timeout: 50, ...config.client },
    }),
  );
  return { gateway, stub };
}

/** Asserts that no form of a credential is in the answer's body or headers. */
function expectNoCredential(answer: { response: Response; text: string }) {
  const forms = [CANARY, CANARY_TOKEN, 'CANARY', 's3cr3t'];
  for (const form of forms) expect(answer.text).not.toContain(form);
  for (const [name, value] of answer.response.headers) {
    for (const form of forms) expect(`${name}: ${value}`).not.toContain(form);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('VoIPBIN error answers', () => {
  const cases = [
    [400, 'INVALID_ARGUMENT', 'INVALID_REQUEST_BODY', 'BAD_USER_INPUT'],
    [401, 'UNAUTHENTICATED', 'AUTHENTICATION_REQUIRED', 'UNAUTHENTICATED'],
    [402, 'PAYMENT_REQUIRED', 'INSUFFICIENT_BALANCE', 'PAYMENT_REQUIRED'],
    [403, 'PERMISSION_DENIED', 'IDENTITY_VERIFICATION_REQUIRED', 'FORBIDDEN'],
    [404, 'NOT_FOUND', 'FLOW_NOT_FOUND', 'NOT_FOUND'],
    [409, 'ALREADY_EXISTS', 'CALL_EXISTS', 'CONFLICT'],
    [409, 'FAILED_PRECONDITION', 'CALL_ALREADY_HUNG_UP', 'CONFLICT'],
    [429, 'RESOURCE_EXHAUSTED', 'TOO_MANY_REQUESTS', 'RATE_LIMITED'],
    [500, 'INTERNAL', 'INTERNAL_ERROR', 'UPSTREAM_UNAVAILABLE'],
    [503, 'UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE'],
  ] as const;

  it.each(cases)(
    'maps HTTP %i %s (%s) to %s with VoIPBIN status, reason and request id',
    async (httpStatus, status, reason, code) => {
      const { gateway } = stubbedGateway(() =>
        voipbinError(httpStatus, status, reason, 'Something went wrong.', 'req_ABC123'),
      );

      const answer = await postGraphQL(gateway, CREATE_CALL);

      expect(answer.json.data).toBeNull();
      expect(answer.json.errors).toHaveLength(1);
      const [error] = answer.json.errors ?? [];
      expect(error?.path).toEqual(['createCall']);
      expect(error?.message).toBe('VoIPBIN: Something went wrong.');
      expect(error?.extensions).toEqual({
        code,
        voipbin: { httpStatus, status, reason, requestId: 'req_ABC123' },
      });
      expectNoCredential(answer);
    },
  );

  it.each(cases)(
    'maps HTTP %i %s on a read (calls) the same way',
    async (httpStatus, status, reason, code) => {
      const { gateway } = stubbedGateway(() => voipbinError(httpStatus, status, reason, 'No.'));
      const { data, errors } = await graphql(gateway, LIST_CALLS);
      expect(data).toBeNull();
      expect(errors?.[0]?.extensions).toMatchObject({ code, voipbin: { status, reason } });
    },
  );

  it('reads a call VoIPBIN says is not there as null, and a forbidden one as FORBIDDEN', async () => {
    const { gateway } = stubbedGateway((request) =>
      request.url.includes(CALL_ID)
        ? voipbinError(403, 'PERMISSION_DENIED', 'PERMISSION_DENIED', 'Not yours.')
        : voipbinError(404, 'NOT_FOUND', 'CALL_NOT_FOUND', 'No call.'),
    );
    const query = 'query($id: ID!) { call(id: $id) { id } }';

    expect(await graphql(gateway, query, { id: '00000000-0000-4000-8000-000000000001' })).toEqual({
      data: { call: null },
    });
    const forbidden = await graphql(gateway, query, { id: CALL_ID });
    expect(forbidden.data).toEqual({ call: null });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('answers a proxy error page (not a VoIPBIN body) as UPSTREAM_UNAVAILABLE', async () => {
    const { gateway } = stubbedGateway(
      () => new Response('<html>502 Bad Gateway</html>', { status: 502 }),
    );
    const { errors } = await graphql(gateway, CREATE_CALL);
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      voipbin: { httpStatus: 502, reason: 'UNEXPECTED_ERROR_BODY', requestId: null },
    });
  });
});

describe('no answer, or an unreadable one', () => {
  it('answers UPSTREAM_TIMEOUT with outcomeUnknown for a createCall VoIPBIN did not answer', async () => {
    const { gateway, stub } = stubbedGateway(hang);
    const answer = await postGraphQL(gateway, CREATE_CALL);

    expect(answer.json.data).toBeNull();
    expect(answer.json.errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_TIMEOUT',
      outcomeUnknown: true,
    });
    expect(answer.json.errors?.[0]?.message).toMatch(/did not answer.*50 ms/);
    // A POST is never sent twice: a second one would ring the phone again.
    expect(stub.requests).toHaveLength(1);
    expectNoCredential(answer);
  });

  it('answers UPSTREAM_TIMEOUT without outcomeUnknown for a read', async () => {
    const { gateway } = stubbedGateway(hang);
    const { errors } = await graphql(gateway, LIST_CALLS);
    expect(errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT', outcomeUnknown: false });
  });

  it('answers UPSTREAM_UNAVAILABLE with outcomeUnknown when the connection fails', async () => {
    const { gateway } = stubbedGateway((request) => {
      throw new TypeError(`fetch failed: ECONNRESET ${request.url}`);
    });
    const answer = await postGraphQL(gateway, CREATE_CALL);

    expect(answer.json.errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      outcomeUnknown: true,
    });
    expectNoCredential(answer);
  });

  it.each([
    ['valid JSON of the wrong shape', '{"calls": "none"}'],
    ['JSON cut short', '{"calls": [{"id": "'],
    ['an HTML page', '<html>maintenance</html>'],
  ])('answers a 200 with %s as UPSTREAM_UNAVAILABLE', async (_what, body) => {
    const { gateway } = stubbedGateway(
      () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    const { data, errors } = await graphql(gateway, CREATE_CALL);
    expect(data).toBeNull();
    // The call was accepted: the client must not place it again.
    expect(errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      httpStatus: 200,
      outcomeUnknown: true,
    });
    expect(errors?.[0]?.message).toBe('VoIPBIN answered with a body this gateway cannot read.');
  });

  it('keeps an idempotency key whose createCall was accepted with an unreadable answer: no second call', async () => {
    const { gateway, stub } = stubbedGateway(
      () =>
        new Response('<html>ok</html>', { status: 201, headers: { 'content-type': 'text/html' } }),
    );
    const keyed = keyedCall('k-1');
    const first = await graphql(gateway, keyed);
    const again = await graphql(gateway, keyed);
    expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const extensions = { code: 'UPSTREAM_UNAVAILABLE', httpStatus: 201, outcomeUnknown: true };
    expect(first.errors?.[0]?.extensions).toEqual(extensions);
    // The second answer says it is the first one again: nothing was sent.
    expect(again.errors?.[0]?.extensions).toEqual({ ...extensions, replayed: true });
  });

  it.each([502, 504])(
    "keeps the idempotency key of a createCall a proxy answered %i (not VoIPBIN's body): no second call",
    async (httpStatus) => {
      const { gateway, stub } = stubbedGateway(
        () => new Response(`<html>${httpStatus}</html>`, { status: httpStatus }),
      );
      const keyed = keyedCall('proxy-1');
      const first = await graphql(gateway, keyed);
      const again = await graphql(gateway, keyed);

      // The proxy may have passed it on before giving up: the call may be ringing.
      expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      const extensions = {
        code: 'UPSTREAM_UNAVAILABLE',
        voipbin: {
          httpStatus,
          status: 'INTERNAL',
          reason: 'UNEXPECTED_ERROR_BODY',
          requestId: null,
        },
        outcomeUnknown: true,
      };
      expect(first.errors?.[0]?.extensions).toEqual(extensions);
      expect(again.errors?.[0]?.extensions).toEqual({ ...extensions, replayed: true });
      expect(again.errors?.[0]?.message).toBe(first.errors?.[0]?.message);
    },
  );

  it.each(['REQUEST_TIMEOUT', 'REQUEST_CANCELED'])(
    'keeps the idempotency key of a createCall VoIPBIN gave up on (503 %s): no second call',
    async (reason) => {
      // bin-api-manager/server/error_translate.go (step 3): its request to call-manager timed
      // out or was canceled, after call-manager may have placed the call.
      const message =
        reason === 'REQUEST_TIMEOUT' ? 'The request timed out.' : 'The request was canceled.';
      const { gateway, stub } = stubbedGateway(() =>
        voipbinError(503, 'UNAVAILABLE', reason, message, 'req_GAVE_UP'),
      );
      const keyed = keyedCall(`gave-up-${reason}`);
      const first = await graphql(gateway, keyed);
      const again = await graphql(gateway, keyed);

      expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      const extensions = {
        code: 'UPSTREAM_UNAVAILABLE',
        voipbin: { httpStatus: 503, status: 'UNAVAILABLE', reason, requestId: 'req_GAVE_UP' },
        outcomeUnknown: true,
      };
      expect(first.errors?.[0]?.extensions).toEqual(extensions);
      expect(first.errors?.[0]?.message).toBe(`VoIPBIN: ${message}`);
      // Its first outcome again, word for word.
      expect(again.errors?.[0]?.extensions).toEqual({ ...extensions, replayed: true });
      expect(again.errors?.[0]?.message).toBe(first.errors?.[0]?.message);
    },
  );

  it.each([
    ['an empty object', {}],
    ['both lists null', { calls: null, groupcalls: null }],
    ['a list page', { result: [], next_page_token: '' }],
    ['one call, not in a list', { call: { id: 'e2a65df2-4e50-4e37-8628-df07b3cec579' } }],
    ['null', null],
    ['a string', 'placed'],
  ])(
    'never reads a 2xx createCall answer in neither shape (%s) as "no calls placed": outcome unknown, key kept, logged',
    async (_, body) => {
      const { gateway, stub } = stubbedGateway(
        () =>
          new Response(JSON.stringify(body), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          }),
      );
      const logged: string[] = [];
      vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(' '));
      });
      const keyed = keyedCall('odd-1');
      const first = await graphql(gateway, keyed);
      const again = await graphql(gateway, keyed);
      expect(first.data).toBeNull();
      expect(first.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        httpStatus: 200,
        outcomeUnknown: true,
      });
      expect(again.errors?.[0]?.extensions).toMatchObject({ outcomeUnknown: true, replayed: true });
      expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      // Logged for the operator: by status and path, never the credential or VoIPBIN's words.
      expect(logged.join('\n')).toMatch(/POST \/calls/);
      expect(logged.join('\n')).not.toContain(CANARY);
    },
  );

  it('says a read answered with an unreadable body can be sent again', async () => {
    const { gateway } = stubbedGateway(() => new Response('<html>ok</html>', { status: 200 }));
    const { errors } = await graphql(gateway, LIST_CALLS);
    expect(errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      httpStatus: 200,
      outcomeUnknown: false,
    });
  });

  it("logs nothing for a caller's malformed id (core refuses it before sending)", async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { gateway, stub } = stubbedGateway(() => jsonResponse({}));

    const { errors } = await graphql(gateway, 'mutation { hangupCall(id: "nope") { id } }');

    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stub.requests).toHaveLength(0);
    expect(logged).not.toHaveBeenCalled();
  });

  it.each([
    [
      'an error answer',
      () => voipbinError(503, 'UNAVAILABLE', 'BUSY', 'Call +821099998888 is busy.'),
    ],
    ['an unreadable 2xx', () => jsonResponse({ calls: '+821099998888' })],
  ])(
    "logs %s without VoIPBIN's words: what was asked and what came back, no number",
    async (_, answer) => {
      const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
      const { gateway } = stubbedGateway(answer);

      const { errors } = await graphql(gateway, CREATE_CALL);

      expect(errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      const lines = logged.mock.calls.flat().map(String);
      expect(lines.join('\n')).toMatch(/VoIPBIN answered .*POST \/calls/);
      expect(lines.join('\n')).not.toContain('+821099998888');
    },
  );

  it('masks an unexpected error as INTERNAL_SERVER_ERROR "Unexpected error." without its details', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { gateway } = stubbedGateway(() => voipbinError(503, 'UNAVAILABLE', 'BUSY', 'Busy.'), {
      client: {
        retry: 1,
        // Not core's: a helper of ours that fails, quoting the URL with the credential.
        retryDelay: () => {
          throw new Error(`retry budget exhausted for ${BASE_URL}/calls?accesskey=${CANARY}`);
        },
      },
    });

    const answer = await postGraphQL(gateway, LIST_CALLS);

    expect(answer.json.data).toBeNull();
    expect(answer.json.errors).toEqual([
      expect.objectContaining({
        message: 'Unexpected error.',
        path: ['calls'],
        extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }),
      }),
    ]);
    expect(answer.text).not.toContain('retry budget');
    expectNoCredential(answer);
    // The error's log line names the request that answered it.
    const id = answer.response.headers.get('x-request-id');
    const lines = logged.mock.calls.map((args) => args.map(String).join(' '));
    expect(lines.some((line) => line.startsWith(`[gateway] [${id}] `))).toBe(true);
  });
});

describe('the emulator with injected faults', () => {
  it.each([
    [500, 'INTERNAL'],
    [503, 'UNAVAILABLE'],
  ] as const)(
    'answers an injected %i as UPSTREAM_UNAVAILABLE and places nothing',
    async (status, voipbinStatus) => {
      const { gateway, emulator } = emulatedGateway({
        faults: [{ method: 'POST', path: '/v1.0/calls', status }],
      });
      const { data, errors } = await graphql(gateway, CREATE_CALL);

      expect(data).toBeNull();
      expect(errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        voipbin: { httpStatus: status, status: voipbinStatus, reason: 'INJECTED_FAULT' },
      });
      expect(errors?.[0]?.extensions?.voipbin.requestId).toMatch(/^req_/);
      expect(emulator.calls()).toHaveLength(0);
    },
  );

  it('never retries createCall: one 503 is one POST and an error', async () => {
    const { gateway, emulator } = emulatedGateway({
      faults: [{ method: 'POST', path: '/v1.0/calls', status: 503, times: 1 }],
    });
    const recorded = recordRequests(emulator);

    const { errors } = await graphql(gateway, CREATE_CALL);

    expect(errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(recorded.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(emulator.calls()).toHaveLength(0);
  });

  it('retries a read that met a 503 and answers the data', async () => {
    const { gateway, emulator } = emulatedGateway(
      { faults: [{ method: 'GET', path: '/v1.0/calls', status: 503, times: 1 }] },
      { client: { retry: 1, retryDelay: 0 } },
    );
    await graphql(gateway, CREATE_CALL);

    const { data, errors } = await graphql(gateway, LIST_CALLS);

    expect(errors).toBeUndefined();
    expect(data?.calls.nodes).toEqual([{ id: emulator.calls()[0]?.id }]);
  });

  it('answers a dropped connection as UPSTREAM_UNAVAILABLE with outcomeUnknown', async () => {
    const { gateway, emulator } = emulatedGateway({
      faults: [{ method: 'POST', path: '/v1.0/calls', drop: true }],
    });
    const { errors } = await graphql(gateway, CREATE_CALL);
    expect(errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', outcomeUnknown: true });
    expect(emulator.calls()).toHaveLength(0);
  });

  it('says the outcome is unknown when the answer is lost after the call was placed', async () => {
    const { gateway, emulator } = emulatedGateway({
      faults: [{ method: 'POST', path: '/v1.0/calls', drop: true, after: true }],
    });
    const { errors } = await graphql(gateway, CREATE_CALL);
    expect(errors?.[0]?.extensions).toMatchObject({ outcomeUnknown: true });
    // It was placed: a frontend must look before placing it again.
    expect(emulator.calls()).toHaveLength(1);
  });

  it('keeps the key when VoIPBIN gave up on a createCall it placed: the retry places nothing more', async () => {
    const { gateway, emulator } = emulatedGateway({
      faults: [{ method: 'POST', path: '/v1.0/calls', gaveUp: 'timeout', after: true, times: 1 }],
    });
    const keyed = keyedCall('gave-up-placed');
    const first = await graphql(gateway, keyed);
    expect(first.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      voipbin: { httpStatus: 503, reason: 'REQUEST_TIMEOUT' },
      outcomeUnknown: true,
    });
    // It rang. The page, or its user, sends the same key again: the first outcome, no new call.
    const again = await graphql(gateway, keyed);
    expect(again.errors?.[0]?.extensions).toMatchObject({ outcomeUnknown: true, replayed: true });
    expect(emulator.calls()).toHaveLength(1);
  });

  it('refuses a phone call for a customer whose identity VoIPBIN has not verified: FORBIDDEN, nothing placed, the key free', async () => {
    const { gateway, emulator } = emulatedGateway({
      unverifiedCustomers: [DEFAULT_CUSTOMER_ID],
    });
    const keyed = keyedCall('unverified');
    // A known refusal releases the key: once verified, the same key places the call.
    for (let attempt = 0; attempt < 2; attempt++) {
      const { errors } = await graphql(gateway, keyed);
      expect(errors?.[0]?.message).toBe(
        'VoIPBIN: Customer identity verification is required for this operation.',
      );
      expect(errors?.[0]?.extensions).toEqual({
        code: 'FORBIDDEN',
        voipbin: {
          httpStatus: 403,
          status: 'PERMISSION_DENIED',
          reason: 'IDENTITY_VERIFICATION_REQUIRED',
          requestId: expect.any(String),
        },
      });
    }
    expect(emulator.calls()).toHaveLength(0);
  });

  it('answers a slow emulator as UPSTREAM_TIMEOUT within the client timeout', async () => {
    const { gateway } = emulatedGateway(
      { faults: [{ method: 'POST', path: '/v1.0/calls', latency: 2_000 }] },
      { client: { timeout: 50 } },
    );
    // UPSTREAM_TIMEOUT comes only from the client's 50 ms timeout, never from the 2 s answer.
    const { errors } = await graphql(gateway, CREATE_CALL);
    expect(errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true });
  });

  it.each([
    ['malformed', { malformed: true }],
    ['wrong-shape', { body: '{"calls": 42}' }],
  ] as const)('answers a %s 200 body as UPSTREAM_UNAVAILABLE', async (_what, fault) => {
    const { gateway } = emulatedGateway({
      faults: [{ method: 'POST', path: '/v1.0/calls', ...fault }],
    });
    const { errors } = await graphql(gateway, CREATE_CALL);
    expect(errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it.each([
    ['latency beyond the timeout', { latency: 2_000 }, 'UPSTREAM_TIMEOUT'],
    ['a 500', { status: 500 }, 'UPSTREAM_UNAVAILABLE'],
    ['a 503', { status: 503 }, 'UPSTREAM_UNAVAILABLE'],
    ['a dropped connection', { drop: true }, 'UPSTREAM_UNAVAILABLE'],
    ['malformed JSON', { malformed: true }, 'UPSTREAM_UNAVAILABLE'],
    ['a 200 of the wrong shape', { body: '{"calls": 42}' }, 'UPSTREAM_UNAVAILABLE'],
  ] as const)(
    'keeps serving after %s: the next createCall places exactly one call',
    async (_what, fault, code) => {
      const { gateway, emulator } = emulatedGateway(
        { faults: [{ method: 'POST', path: '/v1.0/calls', times: 1, ...fault }] },
        // Reads would be retried twice: a POST must not be, faulted or not.
        { client: { timeout: 50, retry: 2, retryDelay: 0 } },
      );
      const recorded = recordRequests(emulator);

      const failed = await graphql(gateway, CREATE_CALL);
      expect(failed.data).toBeNull();
      expect(failed.errors?.[0]?.extensions?.code).toBe(code);
      expect(emulator.calls()).toHaveLength(0);

      // The same gateway, the fault used up: a normal createCall goes through.
      const placed = await graphql(gateway, CREATE_CALL);
      expect(placed.errors).toBeUndefined();
      expect(placed.data?.createCall.calls).toEqual([
        { id: emulator.calls()[0]?.id, status: 'DIALING' },
      ]);
      expect(emulator.calls()).toHaveLength(1);
      // One POST each: neither the failed one nor the good one was sent twice.
      expect(recorded.filter((r) => r.method === 'POST')).toHaveLength(2);
    },
  );

  it('answers a failing masterCall read with its code on that field, keeping the rest', async () => {
    const { gateway, emulator } = emulatedGateway();
    await graphql(gateway, CREATE_CALL);
    const [call] = emulator.calls();
    // The emulator's calls have no master: a stub knows one that fails.
    const stub = stubUpstream((request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1.0/calls')
        return jsonResponse({
          result: [callJson(call?.id as string, { master_call_id: CALL_ID })],
          next_page_token: '',
        });
      return voipbinError(503, 'UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'Try later.');
    });
    const stubbed = createGateway({
      upstream: { kind: 'voipbin', baseURL: BASE_URL, accessKey: CANARY },
      // These tests are about upstream errors, not gateway auth (tested in test/security).
      security: { insecureNoAuth: true },
      client: { fetch: stub.fetch, retry: 0 },
    });

    const { data, errors } = await graphql(
      stubbed,
      '{ calls(first: 5) { nodes { id masterCallId masterCall { id } } } }',
    );

    expect(data?.calls.nodes).toEqual([{ id: call?.id, masterCallId: CALL_ID, masterCall: null }]);
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.path).toEqual(['calls', 'nodes', 0, 'masterCall']);
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      voipbin: { status: 'UNAVAILABLE', reason: 'SERVICE_UNAVAILABLE' },
    });
  });
});

describe('credentials', () => {
  /** A VoIPBIN that quotes back the URL and the Authorization header in its error messages. */
  const echo = (request: Request) =>
    voipbinError(
      400,
      'INVALID_ARGUMENT',
      'INVALID_REQUEST_BODY',
      `Bad request to ${request.url} (${request.headers.get('authorization') ?? 'no auth'}) ${decodeURIComponent(request.url)}`,
    );

  it("keeps the server's access key out of answers, even when VoIPBIN quotes the URL", async () => {
    const { gateway, stub } = stubbedGateway(echo);
    const answer = await postGraphQL(gateway, CREATE_CALL);

    expect(answer.json.errors?.[0]?.message).toContain(
      'Bad request to http://voipbin.test/v1.0/calls',
    );
    expect(new URL(stub.requests[0]?.url as string).searchParams.get('accesskey')).toBe(CANARY);
    expectNoCredential(answer);
  });

  it('keeps a pass-through Bearer token out of answers, even when VoIPBIN quotes it', async () => {
    const { gateway, stub } = stubbedGateway(echo, { passThrough: true });
    const answer = await postGraphQL(gateway, CREATE_CALL, {
      headers: { authorization: `Bearer ${CANARY_TOKEN}` },
    });

    expect(stub.requests[0]?.headers.get('authorization')).toBe(`Bearer ${CANARY_TOKEN}`);
    expect(answer.json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expectNoCredential(answer);
  });

  it.each([
    ['a timeout', hang],
    [
      'a network failure',
      (request: Request): Response => {
        throw new TypeError(
          `connect ECONNREFUSED ${request.url} ${request.headers.get('authorization')}`,
        );
      },
    ],
    ['an unreadable body', () => new Response(`{"echo": "${CANARY}"`, { status: 200 })],
    ['a non-VoIPBIN error page', (request: Request) => new Response(request.url, { status: 500 })],
  ])('keeps both credentials out of answers on %s', async (_what, answer) => {
    const { gateway } = stubbedGateway(answer, { passThrough: true });
    for (const headers of [{}, { authorization: `Bearer ${CANARY_TOKEN}` }] as Record<
      string,
      string
    >[]) {
      for (const query of [CREATE_CALL, LIST_CALLS]) {
        const result = await postGraphQL(gateway, query, { headers });
        expect(result.json.errors?.length).toBeGreaterThan(0);
        expectNoCredential(result);
      }
    }
  });

  it('keeps credentials out of the GraphiQL page and /health', async () => {
    const { gateway } = stubbedGateway(echo, { passThrough: true });
    for (const path of ['/graphql', '/health']) {
      const response = await gateway.fetch(
        new Request(`http://gateway.test${path}`, { headers: { accept: 'text/html' } }),
      );
      expect(response.status).toBe(200);
      expectNoCredential({ response, text: await response.text() });
    }
  });
});

describe('pass-through', () => {
  const ok = () => jsonResponse({ result: [], next_page_token: '' });

  it("sends the caller's Bearer token instead of the server's access key", async () => {
    const { gateway, stub } = stubbedGateway(ok, { passThrough: true });
    const { errors } = await graphql(gateway, LIST_CALLS, undefined, {
      authorization: 'Bearer tok-1',
    });

    expect(errors).toBeUndefined();
    const [request] = stub.requests;
    expect(request?.headers.get('authorization')).toBe('Bearer tok-1');
    expect(new URL(request?.url as string).searchParams.has('accesskey')).toBe(false);
    expect(request?.url).not.toContain(CANARY);
  });

  it("uses the server's access key for a caller without a Bearer token", async () => {
    const { gateway, stub } = stubbedGateway(ok, { passThrough: true });
    await graphql(gateway, LIST_CALLS);
    await graphql(gateway, LIST_CALLS, undefined, { authorization: 'Basic dXNlcjpwYXNz' });

    for (const request of stub.requests) {
      expect(new URL(request.url).searchParams.get('accesskey')).toBe(CANARY);
      expect(request.headers.get('authorization')).toBeNull();
    }
  });

  it("ignores the caller's Authorization header without passThrough", async () => {
    const { gateway, stub } = stubbedGateway(ok);
    await graphql(gateway, LIST_CALLS, undefined, { authorization: 'Bearer tok-1' });

    const [request] = stub.requests;
    expect(new URL(request?.url as string).searchParams.get('accesskey')).toBe(CANARY);
    expect(request?.headers.get('authorization')).toBeNull();
  });

  it('ignores it too when the server has a token of its own', async () => {
    const stub = stubUpstream(ok);
    const gateway = createGateway({
      upstream: { kind: 'voipbin', baseURL: BASE_URL, token: 'server-jwt' },
      // These tests are about upstream errors, not gateway auth (tested in test/security).
      security: { insecureNoAuth: true },
      client: { fetch: stub.fetch, retry: 0 },
    });
    await graphql(gateway, LIST_CALLS, undefined, { authorization: 'Bearer tok-1' });
    expect(stub.requests[0]?.headers.get('authorization')).toBe('Bearer server-jwt');
  });

  it('keeps callers apart on the emulator: each sees only the calls of its own token', async () => {
    const { gateway } = emulatedGateway(
      {
        credentials: {
          'tok-a': '11111111-1111-4111-8111-111111111111',
          'tok-b': '22222222-2222-4222-8222-222222222222',
        },
      },
      { passThrough: true },
    );
    const as = (token: string) => ({ authorization: `Bearer ${token}` });

    const placed = await graphql(gateway, CREATE_CALL, undefined, as('tok-a'));
    const id = placed.data?.createCall.calls[0].id;

    expect((await graphql(gateway, LIST_CALLS, undefined, as('tok-a'))).data?.calls.nodes).toEqual([
      { id },
    ]);
    expect((await graphql(gateway, LIST_CALLS, undefined, as('tok-b'))).data?.calls.nodes).toEqual(
      [],
    );
    const stranger = await graphql(gateway, LIST_CALLS, undefined, as('tok-z'));
    expect(stranger.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      voipbin: { reason: 'INVALID_CREDENTIALS' },
    });
  });
});
