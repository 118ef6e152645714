import { ACTION_SCHEMAS, createClient } from '@voipbin-kit/core';
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { getIntrospectionQuery } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { beforeEach, describe, expect, it } from 'vitest';
import { createContext } from '../context.ts';
import { createEvents } from '../events/index.ts';
import { SEED_QUERY } from '../gateway.ts';
import { schema } from '../schema/index.ts';
import { DEFAULT_LIMITS, type HygieneConfig, hygiene } from './hygiene.ts';
import { createSecurity, type Principal } from './index.ts';

const URL_ = 'http://gateway.test/graphql';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the gateway answers
type Json = Record<string, any>;

let emulator: Emulator;
beforeEach(() => {
  emulator = createEmulator({ clock: 'manual' });
});

/** A caller with both scopes: authentication is not what these tests are about. */
const PRINCIPAL: Principal = {
  id: 'test',
  scopes: new Set(['calls:create', 'calls:read']),
  via: 'api-key',
};

/** Yoga as the gateway builds it (schema, context, masked errors) plus `hygiene(config)`. */
function gateway(config: Partial<HygieneConfig> = {}) {
  const h = hygiene({ production: false, corsOrigins: [], ...config });
  // The rest of the gateway's protections, off (no auth, no rate limit), for the context.
  const security = createSecurity(
    {},
    { serverCredential: false, production: h.graphiql === false },
  );
  const voipbin = createClient({
    baseURL: 'http://emulator.local/v1.0',
    token: 'emulator',
    actions: ACTION_SCHEMAS,
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
  });
  const events = createEvents(
    { source: 'poll' },
    { ownership: security.ownership, baseURL: 'http://emulator.local/v1.0' },
  );
  return createYoga({
    schema,
    ...h,
    graphiql: h.graphiql ?? { title: 'test' },
    landingPage: false,
    maskedErrors: { isDev: false },
    context: () =>
      createContext({
        voipbin,
        requestId: 'req_hygiene',
        principal: PRINCIPAL,
        security,
        owner: null,
        events,
        upstream: { key: 'server', client: voipbin, credential: { token: 'emulator' } },
      }),
    plugins: h.plugins,
  });
}
type Yoga = ReturnType<typeof gateway>;
const yoga = gateway;

async function post(yoga: Yoga, body: unknown, headers: Record<string, string> = {}) {
  const response = await yoga.fetch(URL_, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { response, text, json: JSON.parse(text) as Json };
}

const query = (yoga: Yoga, document: string, variables?: Json) =>
  post(yoga, { query: document, variables });

async function get(
  yoga: Yoga,
  params: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const response = await yoga.fetch(`${URL_}?${new URLSearchParams(params)}`, {
    headers: { accept: 'application/json', ...headers },
  });
  const text = await response.text();
  return { response, text, json: (text.startsWith('{') ? JSON.parse(text) : {}) as Json };
}

const sha256 = async (text: string) =>
  Array.from(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))),
    (b) => b.toString(16).padStart(2, '0'),
  ).join('');

/** The quickstart's call with every field the quickstart test reads. */
const CALL_FIELDS = `id status direction type flowId
  source { type target targetName name detail }
  destination { type target targetName name detail }
  action { type }
  hangupBy hangupReason ringingAt progressingAt hangupAt createdAt`;
const QUICKSTART_MUTATION = `mutation ManualActions($text: String!) {
  createCall(input: {
    source: { type: TEL, target: "+821028286521" }
    destinations: [{ type: TEL, target: "+821021656521" }]
    actions: [{ talk: { text: $text, gender: FEMALE, language: "en-US" } }]
  }) {
    calls { ${CALL_FIELDS} }
    groupcalls { id }
  }
}`;
const TEXT = 'Hello. This is voipbin test. Thank you, bye.';

/** `createCall` aliased `n` times. */
const aliasedCreateCalls = (n: number) =>
  `mutation { ${Array.from(
    { length: n },
    (_, i) =>
      `c${i}: createCall(input: { source: { type: TEL, target: "+821028286521" } destinations: [{ type: TEL, target: "+821021656521" }] actions: [{ talk: { text: "x" } }] }) { calls { id } }`,
  ).join('\n')} }`;

/** `call { masterCall { masterCall ... { id } } }`: depth `n`. */
const nested = (n: number) =>
  `{ call(id: "00000000-0000-4000-8000-000000000001") { ${'masterCall { '.repeat(n - 2)}id${' }'.repeat(n - 2)} } }`;

/** Every refusal seen: checked for masking at the end. */
const refusals: Json[] = [];
function refused(json: Json, code: string, message?: RegExp, count = 1) {
  expect(json.data ?? null).toBeNull();
  expect(json.errors).toHaveLength(count);
  const [error] = json.errors;
  refusals.push(error);
  expect(error.extensions?.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

describe('what must keep working', () => {
  it.each([false, true])(
    'the seed mutation and the quickstart call (production: %s)',
    async (production) => {
      const yoga = gateway({ production });
      const seed = await query(yoga, SEED_QUERY);
      expect(seed.json.errors).toBeUndefined();
      expect(seed.json.data.createCall.calls).toHaveLength(1);
      const manual = await query(yoga, QUICKSTART_MUTATION, { text: TEXT });
      expect(manual.json.errors).toBeUndefined();
      expect(manual.json.data.createCall.calls[0].destination.target).toBe('+821021656521');
      expect(emulator.calls()).toHaveLength(2);
    },
  );

  it('the largest page (calls(first: 100)) with the quickstart call fields, within the cost limit', async () => {
    const { json } = await query(
      yoga(),
      `{ calls(first: 100) { nodes { ${CALL_FIELDS} } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(json.errors).toBeUndefined();
    expect(json.data.calls.nodes).toEqual([]);
  });

  it("GraphiQL's full introspection query, in development", async () => {
    const document = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const { json } = await query(yoga(), document);
    expect(json.errors).toBeUndefined();
    expect(json.data.__schema.mutationType.name).toBe('Mutation');
  });

  it('a batch of 5', async () => {
    const { response, json } = await post(
      yoga(),
      Array.from({ length: 5 }, () => ({ query: '{ __typename }' })),
    );
    expect(response.status).toBe(200);
    expect(json).toEqual(Array.from({ length: 5 }, () => ({ data: { __typename: 'Query' } })));
  });
});

describe('CSRF prevention', () => {
  it('refuses a GET without a preflight header, 403, and answers it with one', async () => {
    const bare = await get(yoga(), { query: '{ __typename }' });
    expect(bare.response.status).toBe(403);
    refused(bare.json, 'CSRF_HEADER_REQUIRED', /cross-site request forgery.*x-graphql-yoga-csrf/);
    for (const header of [
      'x-graphql-yoga-csrf',
      'graphql-require-preflight',
      'apollo-require-preflight',
      'x-api-key',
    ]) {
      const ok = await get(yoga(), { query: '{ __typename }' }, { [header]: '1' });
      expect(ok.response.status).toBe(200);
      expect(ok.json).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it.each([
    ['text/plain', '{"query":"{ __typename }"}'],
    ['application/x-www-form-urlencoded', 'query=%7B__typename%7D'],
  ])('refuses a POST a form could send (%s)', async (contentType, body) => {
    const response = await yoga().fetch(URL_, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/json' },
      body,
    });
    expect(response.status).toBe(403);
    refused(await response.json(), 'CSRF_HEADER_REQUIRED');
  });

  it('takes a JSON POST as it is (it was preflighted)', async () => {
    expect((await query(yoga(), '{ __typename }')).json).toEqual({ data: { __typename: 'Query' } });
  });

  const SUBSCRIPTION = 'subscription { callEvents { id status } }';
  /** A subscription over SSE, as an EventSource (GET) or a form (POST) could send it. */
  const stream = (init: RequestInit & { search?: string }) =>
    yoga().fetch(`${URL_}${init.search ?? ''}`, {
      ...init,
      headers: { accept: 'text/event-stream', ...(init.headers as Record<string, string>) },
    });
  /** Reads an open stream's first bytes (Yoga's ping), then closes it as a client would. */
  const opened = async (response: Response) => {
    const reader = (response.body as ReadableStream<Uint8Array<ArrayBuffer>>).getReader();
    const { value } = await reader.read();
    await reader.cancel();
    return new TextDecoder().decode(value);
  };
  /** The first event of an SSE answer (the refusal comes as one), its stream closed after. */
  const firstEvent = async (response: Response) => {
    const reader = (response.body as ReadableStream<Uint8Array<ArrayBuffer>>)
      .pipeThrough(new TextDecoderStream())
      .getReader();
    let text = '';
    while (!text.includes('event: next')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel();
    return text;
  };

  it('refuses a GET subscription over SSE without a preflight header (what an EventSource sends, and GraphiQL did), 403', async () => {
    const response = await stream({ search: `?query=${encodeURIComponent(SUBSCRIPTION)}` });
    expect(response.status).toBe(403);
    expect(await firstEvent(response)).toContain('CSRF_HEADER_REQUIRED');
  });

  it('streams the same GET subscription sent with x-graphql-yoga-csrf (a preflighted request)', async () => {
    const response = await stream({
      search: `?query=${encodeURIComponent(SUBSCRIPTION)}`,
      headers: { 'x-graphql-yoga-csrf': '1' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await opened(response)).toMatch(/^:/);
  });

  it.each([
    ['text/plain', JSON.stringify({ query: SUBSCRIPTION })],
    // A form's enctype, with "application/json" where a lax check would find it.
    ['text/plain; application/json', JSON.stringify({ query: SUBSCRIPTION })],
    ['application/x-www-form-urlencoded', `query=${encodeURIComponent(SUBSCRIPTION)}`],
    [
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${SUBSCRIPTION}\r\n--x--\r\n`,
    ],
  ])(
    'refuses a subscription posted as a form could post it (%s), 403',
    async (contentType, body) => {
      const response = await stream({
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      expect(response.status).toBe(403);
      expect(await firstEvent(response)).toContain('CSRF_HEADER_REQUIRED');
    },
  );

  it('streams a subscription posted as JSON (as GraphiQL, graphql-sse and urql post it)', async () => {
    const response = await stream({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await opened(response)).toMatch(/^:/);
  });
});

describe('CORS allowlist', () => {
  const ALLOWED = 'https://app.example.com';
  const preflight = (y: Yoga, origin: string) =>
    y.fetch(URL_, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  it('answers an allowed origin with itself, no credentials, and Vary: Origin', async () => {
    const y = yoga({ corsOrigins: [ALLOWED, 'https://admin.example.com'] });
    const { response } = await post(y, { query: '{ __typename }' }, { origin: ALLOWED });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toMatch(/Origin/);
    const pre = await preflight(y, ALLOWED);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    // PUT and DELETE for graphql-sse's single connection mode, which also sends its token header.
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE, OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization.*x-api-key/);
    expect(pre.headers.get('access-control-allow-headers')).toContain(
      'x-graphql-event-stream-token',
    );
  });

  it.each([
    ['two origins allowed', [ALLOWED, 'https://admin.example.com']],
    // Yoga's own option would echo a lone origin to anyone; ours does not.
    ['one origin allowed', [ALLOWED]],
    ['none allowed (same-origin only)', []],
  ])('gives a disallowed origin no access-control-allow-origin (%s)', async (_, corsOrigins) => {
    const y = yoga({ corsOrigins });
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.example']) {
      const { response } = await post(y, { query: '{ __typename }' }, { origin });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const pre = await preflight(y, origin);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it("'*' allows any origin, still without credentials", async () => {
    const { response } = await post(
      yoga({ corsOrigins: ['*'] }),
      { query: '{ __typename }' },
      { origin: 'https://anyone.example' },
    );
    expect(response.headers.get('access-control-allow-origin')).toBe('https://anyone.example');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses a malformed origin in the configuration', () => {
    expect(() =>
      hygiene({ production: false, corsOrigins: ['https://app.example.com/path'] }),
    ).toThrow(/not an origin/);
    expect(() => hygiene({ production: false, corsOrigins: ['app.example.com'] })).toThrow(
      /not an origin/,
    );
    expect(hygiene({ production: false, corsOrigins: ['https://App.Example.com/'] }).cors).not.toBe(
      false,
    );
  });
});

describe('limits', () => {
  it('depth: 10 levels run, 11 are refused', async () => {
    expect((await query(yoga(), nested(10))).json).toEqual({ data: { call: null } });
    refused(
      (await query(yoga(), nested(11))).json,
      'DEPTH_LIMIT_EXCEEDED',
      /^Query depth limit of 10 exceeded, found 11\.$/,
    );
  });

  it('aliases: 1,000 aliases of createCall are refused and place no call', async () => {
    // With the defaults the token limit stops it first; without it, the alias limit does.
    const document = aliasedCreateCalls(1000);
    refused((await query(yoga(), document)).json, 'TOKEN_LIMIT_EXCEEDED');
    refused(
      (await query(yoga({ limits: { tokens: 100_000 } }), document)).json,
      'ALIAS_LIMIT_EXCEEDED',
      /^Aliases limit of 15 exceeded, found 1000\.$/,
    );
    refused((await query(yoga(), aliasedCreateCalls(16))).json, 'ALIAS_LIMIT_EXCEEDED', /found 16/);
    expect(emulator.calls()).toHaveLength(0);
  });

  it('tokens: 1,000 run, 1,001 are refused, and so are 1,001 comments', async () => {
    // `{ a0: __typename ... }`: 2 braces + 3 tokens an alias; __typename aliases are not counted.
    const fields = (n: number) =>
      Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ');
    expect(
      (await query(yoga(), `{ ${fields(332)} __typename __typename }`)).json.errors,
    ).toBeUndefined();
    refused(
      (await query(yoga(), `{ ${fields(333)} }`)).json,
      'TOKEN_LIMIT_EXCEEDED',
      /^The document has more than 1000 tokens \(the limit\); send large inputs as variables\.$/,
    );
    refused(
      (await query(yoga(), `${'#\n'.repeat(1001)}{ __typename }`)).json,
      'TOKEN_LIMIT_EXCEEDED',
      /1000 comments/,
    );
  });

  it('directives: 10 run, 11 are refused', async () => {
    const document = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename @include(if: true)`).join(' ')} }`;
    expect((await query(yoga(), document(10))).json.errors).toBeUndefined();
    refused(
      (await query(yoga(), document(11))).json,
      'DIRECTIVE_LIMIT_EXCEEDED',
      /^Directives limit of 10 exceeded, found 11\.$/,
    );
  });

  it('cost: a page of 100 calls with their related calls three levels down is refused', async () => {
    const related = `masterCall { ${CALL_FIELDS} chainedCalls { ${CALL_FIELDS} masterCall { id } } }`;
    refused(
      (await query(yoga(), `{ calls(first: 100) { nodes { ${CALL_FIELDS} ${related} } } }`)).json,
      'COST_LIMIT_EXCEEDED',
      /^Query Cost limit of 10000 exceeded, found \d+(\.\d+)?\.$/,
    );
    refused(
      (await query(yoga({ limits: { cost: 50 } }), QUICKSTART_MUTATION, { text: TEXT })).json,
      'COST_LIMIT_EXCEEDED',
    );
    expect(emulator.calls()).toHaveLength(0);
  });

  it('batching: 6 operations are refused, 413', async () => {
    const { response, json } = await post(
      yoga(),
      Array.from({ length: 6 }, () => ({ query: '{ __typename }' })),
    );
    expect(response.status).toBe(413);
    refused(json, 'BAD_REQUEST', /^Batching is limited to 5 operations per request\.$/);
    const off = await post(yoga({ limits: { batch: 1 } }), [{ query: '{ __typename }' }]);
    refused(off.json, 'BAD_REQUEST', /^Batching is not supported\.$/);
  });

  it('body size: over 1 MiB is refused, 413', async () => {
    const { response } = await query(yoga(), QUICKSTART_MUTATION, {
      text: 'x'.repeat(DEFAULT_LIMITS.bodyBytes),
    });
    expect(response.status).toBe(413);
    expect(emulator.calls()).toHaveLength(0);
  });

  it('refuses a limit that is not a whole number >= 1', () => {
    expect(() => hygiene({ production: false, corsOrigins: [], limits: { depth: 0 } })).toThrow(
      /depth limit/,
    );
    expect(() => hygiene({ production: false, corsOrigins: [], limits: { cost: 1.5 } })).toThrow(
      /cost limit/,
    );
  });
});

describe('mutations only over POST', () => {
  it('refuses createCall over GET, 405 Allow: POST, and places nothing', async () => {
    const { response, json } = await get(
      yoga(),
      { query: SEED_QUERY },
      { 'x-graphql-yoga-csrf': '1' },
    );
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    refused(json, 'BAD_REQUEST', /^Can only perform a mutation operation from a POST request\.$/);
    expect(emulator.calls()).toHaveLength(0);
  });
});

describe('production', () => {
  it('refuses introspection (__schema and __type); development allows it', async () => {
    for (const document of [
      '{ __schema { types { name } } }',
      '{ __type(name: "Call") { fields { name } } }',
    ]) {
      // One error per introspection field: `__schema` and `types`, or `__type` and `fields`.
      refused(
        (await query(yoga({ production: true }), document)).json,
        'GRAPHQL_VALIDATION_FAILED',
        /^GraphQL introspection has been disabled, but the requested query contained the field "__(schema|type)"\.$/,
        2,
      );
      expect((await query(yoga(), document)).json.errors).toBeUndefined();
    }
    expect((await query(yoga({ production: true }), '{ __typename }')).json).toEqual({
      data: { __typename: 'Query' },
    });
  });

  it('hides field suggestions', async () => {
    const dev = refused(
      (await query(yoga(), '{ cals { nodes { id } } }')).json,
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(dev.message).toMatch(/Did you mean "call" or "calls"\?/);
    const prod = refused(
      (await query(yoga({ production: true }), '{ cals { nodes { id } } }')).json,
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(prod.message).toBe('Cannot query field "cals" on type "Query".');
  });

  it('serves no GraphiQL', async () => {
    const page = (y: Yoga) => y.fetch(URL_, { headers: { accept: 'text/html' } });
    expect(await (await page(yoga())).text()).toMatch(/<html/i);
    const prod = await page(yoga({ production: true }));
    expect(await prod.text()).not.toMatch(/<html/i);
    expect(hygiene({ production: true, corsOrigins: [] }).graphiql).toBe(false);
    expect('graphiql' in hygiene({ production: false, corsOrigins: [] })).toBe(false);
  });
});

describe('trusted documents', () => {
  let hash: string;
  let trusted: Yoga;
  beforeEach(async () => {
    hash = await sha256(SEED_QUERY);
    trusted = yoga({ production: true, trustedDocuments: { [hash]: SEED_QUERY } });
  });
  const byHash = (sha256Hash: string) => ({
    extensions: { persistedQuery: { version: 1, sha256Hash } },
  });

  it('runs the registered quickstart mutation by its hash, or as a documentId', async () => {
    const first = await post(trusted, byHash(hash));
    expect(first.json.errors).toBeUndefined();
    expect(first.json.data.createCall.calls[0].destination.target).toBe('+821021656521');
    const second = await post(trusted, { documentId: hash, operationName: 'PlaceQuickstartCall' });
    expect(second.json.errors).toBeUndefined();
    expect(emulator.calls()).toHaveLength(2);
  });

  it('refuses an ad-hoc document, an unknown hash, no hash at all, and a mutation by GET', async () => {
    refused(
      (await query(trusted, SEED_QUERY)).json,
      'PERSISTED_QUERY_ONLY',
      /only runs trusted documents/,
    );
    refused((await query(trusted, '{ __typename }')).json, 'PERSISTED_QUERY_ONLY');
    refused(
      (await post(trusted, byHash('0'.repeat(64)))).json,
      'PERSISTED_QUERY_NOT_FOUND',
      /No trusted document/,
    );
    refused((await post(trusted, byHash('__proto__'))).json, 'PERSISTED_QUERY_NOT_FOUND');
    refused((await post(trusted, { variables: {} })).json, 'PERSISTED_QUERY_ID_REQUIRED');
    const viaGet = await get(
      trusted,
      { extensions: JSON.stringify(byHash(hash).extensions) },
      { 'x-graphql-yoga-csrf': '1' },
    );
    expect(viaGet.response.status).toBe(405);
    expect(emulator.calls()).toHaveLength(0);
  });

  it('refuses a registered document that does not parse, at once', () => {
    expect(() =>
      hygiene({ production: true, corsOrigins: [], trustedDocuments: { abc: '{ broken' } }),
    ).toThrow(/Trusted document abc does not parse/);
  });
});

describe('errors', () => {
  it('every refusal is a GraphQL error with its own message, never masked', () => {
    expect(refusals.length).toBeGreaterThan(20);
    for (const error of refusals) {
      expect(error.message).not.toMatch(/Unexpected error|Syntax Error/);
      expect(error.extensions?.unexpected).toBeUndefined();
    }
  });
});
