/**
 * A catalogue of hostile or malformed requests, as one table: documents, variables, headers,
 * body size, encodings, unicode tricks in numbers, prototype-pollution keys, toll-fraud
 * destinations hidden in actions, oversize inputs, forged JWTs. Each row is sent to one gateway
 * (production mode, HS256 JWT auth, a destination policy) in front of a manual-clock emulator;
 * each must get a clear error, the one the row names, and leave the emulator without a call.
 * After the table, the same gateway still places a normal call, and it logged no unexpected error.
 *
 * Requests send `accept: application/json`, as the test helpers do: Yoga then answers parse and
 * validation errors, and variables it cannot coerce (BAD_USER_INPUT, src/errors.ts), with HTTP
 * 200 (the GraphQL-over-HTTP rule for that media type), and errors outside GraphQL (CSRF, auth,
 * size, method, encoding) with their own 4xx.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  emulatedGateway,
  type GraphQLResult,
  QUICKSTART,
  type Recorded,
  recordRequests,
} from '../support/graphql.ts';

/** The JWT secret; also a canary (test/support/canary.ts): no answer may quote it. */
const SECRET = 'CANARY-hostile-jwt-secret-0123456789abcdef';
const OTHER_SECRET = 'not-the-gateway-secret-0123456789abcdefgh';
const URL_ = 'http://gateway.test/graphql';

const { emulator, gateway } = emulatedGateway(
  {},
  {
    production: true,
    security: {
      auth: { jwt: { secret: SECRET } },
      policy: {
        allowedPrefixes: ['+82', '+1'],
        deniedPrefixes: ['+1900'],
        maxDestinations: 10,
        maxActions: 100,
        maxTalkLength: 10_000,
      },
      limits: { depth: 10, aliases: 15, tokens: 1000, directives: 10, batch: 5 },
    },
  },
);
let upstream: Recorded[] = [];

// ---- tokens -------------------------------------------------------------------------------

const encoder = new TextEncoder();
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

interface Claims {
  sub?: string;
  scope?: string;
  exp?: number;
  nbf?: number;
}

async function sign(
  { sub = 'user-1', scope = 'calls:create calls:read', exp = now() + 300, nbf }: Claims = {},
  { secret = SECRET, alg = 'HS256' } = {},
): Promise<string> {
  const jwt = new SignJWT({ scope, ...(nbf ? { nbf } : {}) })
    .setProtectedHeader({ alg })
    .setExpirationTime(exp);
  if (sub) jwt.setSubject(sub);
  return jwt.sign(encoder.encode(secret));
}

/** Filled in `beforeAll` (signing is async); rows read them when they run. */
const tokens = {
  valid: '',
  wrongKey: '',
  expired: '',
  noSub: '',
  noExp: '',
  readOnly: '',
  noScope: '',
  notYet: '',
  hs512: '',
  algNone: '',
  tampered: '',
};

/** console.error, watched (still printing): Yoga logs there the error behind a masked one. */
let logged: MockInstance<typeof console.error>;

beforeAll(async () => {
  upstream = recordRequests(emulator);
  logged = vi.spyOn(console, 'error');
  tokens.valid = await sign();
  tokens.wrongKey = await sign({}, { secret: OTHER_SECRET });
  tokens.expired = await sign({ exp: now() - 3600 });
  tokens.noSub = await sign({ sub: '' });
  tokens.noExp = await new SignJWT({ scope: 'calls:create' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .sign(encoder.encode(SECRET));
  tokens.readOnly = await sign({ scope: 'calls:read' });
  tokens.noScope = await sign({ scope: '' });
  tokens.notYet = await sign({ nbf: now() + 3600 });
  tokens.hs512 = await sign({}, { alg: 'HS512' });
  // `alg: none`, no signature: the oldest JWT forgery.
  tokens.algNone = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'admin', scope: 'calls:create', exp: now() + 300 })}.`;
  // A valid token whose payload was swapped for another subject: the signature no longer fits.
  const [header, , signature] = tokens.valid.split('.');
  tokens.tampered = `${header}.${base64url({ sub: 'admin', scope: 'calls:create', exp: now() + 300 })}.${signature}`;
});

afterAll(() => {
  logged.mockRestore();
});

// ---- requests -----------------------------------------------------------------------------

const CREATE = /* GraphQL */ `mutation Place($input: CreateCallInput!, $key: String) {
  createCall(input: $input, idempotencyKey: $key) { calls { id } replayed }
}`;

type Json = Record<string, unknown>;

/** A valid createCall input, with `fields` replaced. */
const input = (fields: Json = {}): Json => ({
  source: { type: 'TEL', target: QUICKSTART.source },
  destinations: [{ type: 'TEL', target: QUICKSTART.destination }],
  actions: [{ talk: { text: 'Hi' } }],
  ...fields,
});
const tel = (target: string) => ({ type: 'TEL', target });
const to = (...targets: string[]) => input({ destinations: targets.map(tel) });

interface Send {
  method?: string;
  /** A string or bytes as they are; anything else as JSON. */
  body?: unknown;
  /** Replaces the default headers (JSON content type and accept, the valid token). */
  headers?: HeadersInit;
  /** Added to the defaults. */
  extra?: Record<string, string>;
  /** `undefined` sends the valid token, `null` none. */
  token?: string | null;
  url?: string;
}

function request({ method = 'POST', body, headers, extra, token, url = URL_ }: Send): Request {
  const h = new Headers(
    headers ?? { 'content-type': 'application/json', accept: 'application/json' },
  );
  const bearer = token === undefined ? tokens.valid : token;
  if (bearer !== null && !h.has('authorization')) h.set('authorization', `Bearer ${bearer}`);
  for (const [name, value] of Object.entries(extra ?? {})) h.set(name, value);
  const raw =
    body === undefined || typeof body === 'string' || body instanceof Uint8Array
      ? body
      : JSON.stringify(body);
  return new Request(url, {
    method,
    headers: h,
    ...(raw === undefined ? {} : { body: raw as BodyInit }),
  });
}

/** createCall with `variables` (the input and the key). */
const place = (vars: Json, send: Omit<Send, 'body'> = {}) =>
  request({ ...send, body: { query: CREATE, variables: vars } });
/** createCall of `fields` over a valid input. */
const call = (fields: Json = {}, send: Omit<Send, 'body'> = {}) =>
  place({ input: input(fields) }, send);
/** A document, as it is. */
const doc = (query: string, variables?: Json) => request({ body: { query, variables } });

/** The input as a GraphQL literal (for documents that must not use variables). */
const INLINE_INPUT = `{ source: { type: TEL, target: "${QUICKSTART.source}" }, destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }], actions: [{ talk: { text: "Hi" } }] }`;

/** Most of a call's fields, for a costly page. */
const CALL_FIELDS = `id status direction type flowId
  source { type target targetName name detail }
  destination { type target targetName name detail }
  action { type } hangupBy hangupReason ringingAt progressingAt hangupAt createdAt`;

const nested = (field: string, levels: number) =>
  `{ calls(first: 1) { nodes { ${`${field} { `.repeat(levels)}id${' }'.repeat(levels)} } } }`;

/** The valid body's bytes with `bad` (raw bytes) put in the middle of the destination number. */
function bytesInNumber(bad: number[]): Uint8Array {
  const json = JSON.stringify({ query: CREATE, variables: { input: to('+8210@@21656521') } });
  const [before, after] = json.split('@@') as [string, string];
  return new Uint8Array([...encoder.encode(before), ...bad, ...encoder.encode(after)]);
}

// ---- the table ----------------------------------------------------------------------------

interface Row {
  /** What is sent. */
  name: string;
  send: () => Request;
  /** The HTTP status expected. */
  status: number;
  /** `errors[0].extensions.code` expected. */
  code: string;
  /** `errors[0].message` must match: what a person reads. */
  message: RegExp;
  /** `errors[0].extensions.issues[0].path` expected, for an input refused before anything ran. */
  issue?: string;
}

const E164 = /Expected an E\.164 phone number/;
const INVALID_JSON = /POST body sent invalid JSON/;
const CSRF = /cross-site request forgery/;

const rows: Row[] = [
  // -- documents
  {
    name: 'a syntax error',
    send: () => doc('mutation { createCall(input: { source: '),
    status: 200,
    code: 'GRAPHQL_PARSE_FAILED',
    message: /^Syntax Error: /,
  },
  {
    name: 'an empty document',
    send: () => doc(''),
    status: 200,
    code: 'GRAPHQL_PARSE_FAILED',
    message: /^Syntax Error: Unexpected <EOF>\./,
  },
  {
    name: 'no query at all',
    send: () => request({ body: { variables: { input: input() } } }),
    status: 200,
    code: 'BAD_REQUEST',
    message: /^Must provide query string\.$/,
  },
  {
    name: 'a query that is not a string',
    send: () => request({ body: { query: { createCall: true } } }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /Expected "query" param to be a string, but given object/,
  },
  {
    name: 'a JSON body that is not an object (null)',
    send: () => request({ body: 'null' }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /POST body is expected to be object but received null/,
  },
  {
    name: 'a NUL byte in the document',
    send: () => doc(`mutation {\u0000 createCall(input: ${INLINE_INPUT}) { replayed } }`),
    status: 200,
    code: 'GRAPHQL_PARSE_FAILED',
    message: /Unexpected character: U\+0000/,
  },
  {
    name: 'a huge document (5,000 tokens)',
    send: () =>
      doc(`mutation { createCall(input: ${INLINE_INPUT}) { ${'replayed '.repeat(5000)}} }`),
    status: 200,
    code: 'TOKEN_LIMIT_EXCEEDED',
    message: /more than 1000 tokens/,
  },
  {
    name: '1,001 comments',
    send: () =>
      doc(`${'#\n'.repeat(1001)}mutation { createCall(input: ${INLINE_INPUT}) { replayed } }`),
    status: 200,
    code: 'TOKEN_LIMIT_EXCEEDED',
    message: /more than 1000 comments/,
  },
  {
    name: '1,000 aliases of createCall (the token limit stops it first)',
    send: () =>
      request({
        body: {
          query: `mutation($input: CreateCallInput!) { ${Array.from({ length: 1000 }, (_, i) => `a${i}: createCall(input: $input) { replayed }`).join(' ')} }`,
          variables: { input: input() },
        },
      }),
    status: 200,
    code: 'TOKEN_LIMIT_EXCEEDED',
    message: /more than 1000 tokens/,
  },
  {
    name: '16 aliases of createCall',
    send: () =>
      request({
        body: {
          query: `mutation($input: CreateCallInput!) { ${Array.from({ length: 16 }, (_, i) => `a${i}: createCall(input: $input) { replayed }`).join(' ')} }`,
          variables: { input: input() },
        },
      }),
    status: 200,
    code: 'ALIAS_LIMIT_EXCEEDED',
    message: /Aliases limit of 15 exceeded, found 16/,
  },
  {
    name: 'masterCall nested 30 deep',
    send: () => doc(nested('masterCall', 30)),
    status: 200,
    code: 'DEPTH_LIMIT_EXCEEDED',
    message: /Query depth limit of 10 exceeded/,
  },
  {
    name: 'chainedCalls nested 30 deep',
    send: () => doc(nested('chainedCalls', 30)),
    status: 200,
    code: 'DEPTH_LIMIT_EXCEEDED',
    message: /Query depth limit of 10 exceeded/,
  },
  {
    name: 'createCall selecting masterCall/chainedCalls 12 deep',
    send: () =>
      request({
        body: {
          query: `mutation($input: CreateCallInput!) { createCall(input: $input) { calls { ${'masterCall { chainedCalls { '.repeat(6)}id${' } }'.repeat(6)} } } }`,
          variables: { input: input() },
        },
      }),
    status: 200,
    code: 'DEPTH_LIMIT_EXCEEDED',
    message: /Query depth limit of 10 exceeded/,
  },
  {
    name: 'a page of 100 calls with related calls (cost)',
    send: () =>
      doc(
        `{ calls(first: 100) { nodes { ${CALL_FIELDS} masterCall { ${CALL_FIELDS} chainedCalls { ${CALL_FIELDS} masterCall { id } } } } } }`,
      ),
    status: 200,
    code: 'COST_LIMIT_EXCEEDED',
    message: /Query Cost limit of 10000 exceeded/,
  },
  {
    name: '11 directives',
    send: () =>
      request({
        body: {
          query: `mutation($input: CreateCallInput!) { createCall(input: $input) { ${Array.from({ length: 11 }, (_, i) => `r${i}: replayed @include(if: true)`).join(' ')} } }`,
          variables: { input: input() },
        },
      }),
    status: 200,
    code: 'DIRECTIVE_LIMIT_EXCEEDED',
    message: /Directives limit of 10 exceeded, found 11/,
  },
  {
    name: 'an unknown directive',
    send: () => doc(`mutation { createCall(input: ${INLINE_INPUT}) @admin { replayed } }`),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Unknown directive "@admin"/,
  },
  {
    name: 'a fragment cycle',
    send: () =>
      doc(
        `mutation { createCall(input: ${INLINE_INPUT}) { calls { ...A } } } fragment A on Call { masterCall { ...B } } fragment B on Call { chainedCalls { ...A } }`,
      ),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Cannot spread fragment "A" within itself/,
  },
  {
    name: 'a fragment spreading itself',
    send: () =>
      doc(
        `mutation { createCall(input: ${INLINE_INPUT}) { calls { ...A } } } fragment A on Call { id ...A }`,
      ),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Cannot spread fragment "A" within itself/,
  },
  {
    name: 'an unknown field, without suggestions in production',
    send: () => doc(`mutation { createCall(input: ${INLINE_INPUT}) { calls { accessKey } } }`),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /^Cannot query field "accessKey" on type "Call"\.$/,
  },
  {
    name: 'an unknown mutation',
    send: () => doc('mutation { deleteAllCalls }'),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Cannot query field "deleteAllCalls" on type "Mutation"/,
  },
  {
    name: 'createCall in a query operation',
    send: () => doc(`query { createCall(input: ${INLINE_INPUT}) { replayed } }`),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Cannot query field "createCall" on type "Query"/,
  },
  {
    name: 'a subscription to a field that does not exist',
    send: () => doc('subscription { calls { id } }'),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Cannot query field "calls" on type "Subscription"/,
  },
  {
    name: 'two operations and no operationName',
    send: () =>
      doc(
        `mutation A { createCall(input: ${INLINE_INPUT}) { replayed } } mutation B { createCall(input: ${INLINE_INPUT}) { replayed } }`,
      ),
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
    message: /Could not determine what operation to execute/,
  },
  {
    name: 'an operationName that is not in the document',
    send: () =>
      request({ body: { query: CREATE, operationName: 'Other', variables: { input: input() } } }),
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
    message: /Could not determine what operation to execute/,
  },
  {
    name: 'introspection (__schema) in production',
    send: () => doc('{ __schema { types { name } } }'),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /introspection has been disabled/i,
  },
  {
    name: 'introspection (__type) in production',
    send: () => doc('{ __type(name: "CreateCallInput") { inputFields { name } } }'),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /introspection has been disabled/i,
  },

  // -- variables
  {
    name: 'the input as a string',
    send: () => place({ input: JSON.stringify(input()) }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message:
      /^Variable "\$input" got invalid value; Expected type "CreateCallInput" to be an object\.$/,
    issue: 'input',
  },
  {
    name: 'null for the non-null input',
    send: () => place({ input: null }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Variable "\$input" of non-null type "CreateCallInput!" must not be null/,
    issue: 'input',
  },
  {
    name: 'no input variable',
    send: () => place({}),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Variable "\$input" of required type "CreateCallInput!" was not provided/,
    issue: 'input',
  },
  {
    name: 'a lowercase address type',
    send: () =>
      place({ input: input({ destinations: [{ type: 'tel', target: QUICKSTART.destination }] }) }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Value "tel" does not exist in "AddressType" enum/,
    issue: 'input.destinations.0.type',
  },
  {
    name: 'a number where the destination list goes',
    send: () => call({ destinations: 821021656521 }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected type "AddressInput" to be an object/,
    issue: 'input.destinations',
  },
  {
    name: 'nested arrays of destinations',
    send: () => call({ destinations: [[[tel(QUICKSTART.destination)]]] }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected type "AddressInput" to be an object/,
    issue: 'input.destinations.0',
  },
  {
    name: 'variables that are a string',
    send: () => request({ body: { query: CREATE, variables: JSON.stringify({ input: input() }) } }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /Expected "variables" param to be empty or an object, but given string/,
  },
  {
    name: '`__proto__` in variables (the input hidden behind it)',
    send: () =>
      request({
        body: `{"query": ${JSON.stringify(CREATE)}, "variables": {"__proto__": {"input": ${JSON.stringify(input())}}}}`,
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Variable "\$input" of required type "CreateCallInput!" was not provided/,
    issue: 'input',
  },
  {
    name: '`constructor.prototype` in variables',
    send: () =>
      request({
        body: `{"query": ${JSON.stringify(CREATE)}, "variables": {"constructor": {"prototype": {"input": ${JSON.stringify(input())}}}}}`,
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Variable "\$input" of required type "CreateCallInput!" was not provided/,
    issue: 'input',
  },
  {
    name: '`__proto__` in the flow variables (JSONObject), as JSON',
    send: () =>
      request({
        body: `{"query": ${JSON.stringify(CREATE)}, "variables": {"input": ${JSON.stringify(input()).replace(/}$/, ', "variables": {"__proto__": {"polluted": "yes"}}}')}}}`,
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected no variable named __proto__, constructor or prototype/,
  },
  {
    name: '`constructor` in the flow variables (JSONObject)',
    send: () => call({ variables: { constructor: 'x' } }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected no variable named __proto__, constructor or prototype/,
  },
  {
    name: '`__proto__` in the flow variables, as a literal in the document',
    send: () =>
      doc(
        `mutation { createCall(input: { source: { type: TEL, target: "${QUICKSTART.source}" }, destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }], actions: [{ talk: { text: "Hi" } }], variables: { __proto__: { polluted: "yes" } } }) { replayed } }`,
      ),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected no variable named __proto__, constructor or prototype/,
  },
  {
    name: '`__proto__` in a branch target_ids (JSONObject), as raw JSON',
    send: () =>
      request({
        body: `{"query": ${JSON.stringify(CREATE)}, "variables": {"input": ${JSON.stringify(input({ actions: [{ branch: { targetIds: {} } }] })).replace('"targetIds":{}', '"targetIds":{"__proto__":"00000000-0000-4000-8000-000000000001"}')}}}`,
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message:
      /input\.actions\.0\.branch\.targetIds\.__proto__: Expected no key named __proto__, constructor or prototype/,
  },
  {
    name: '`constructor` in a branch target_ids (JSONObject)',
    send: () =>
      call({
        actions: [
          { talk: { text: 'Hi' } },
          { branch: { targetIds: { constructor: '00000000-0000-4000-8000-000000000001' } } },
        ],
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message:
      /input\.actions\.1\.branch\.targetIds\.constructor: Expected no key named __proto__, constructor or prototype/,
  },
  {
    name: '`prototype` in a branch target_ids (JSONObject), nested',
    send: () =>
      call({ actions: [{ branch: { targetIds: { a: { b: { prototype: { x: 1 } } } } } }] }),
    status: 200,
    code: 'BAD_USER_INPUT',
    // No action takes open JSON any more (VoIPBIN's Go structs type every option): a nested
    // object is refused as not an ID before the key guard would look.
    message: /input\.actions\.0\.branch\.targetIds\.a: Invalid type: Expected string/,
  },
  {
    name: 'a branch target_ids (JSONObject) nested 100,000 levels deep',
    send: () =>
      request({
        body: `{"query": ${JSON.stringify(CREATE)}, "variables": {"input": ${JSON.stringify(input({ actions: [{ branch: { targetIds: {} } }] })).replace('"targetIds":{}', `"targetIds":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)}}}`,
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    // Refused at once as not an ID (the depth guard no longer has an open action option to walk).
    message: /input\.actions\.0\.branch\.targetIds\.deep: Invalid type: Expected string/,
  },
  {
    name: '101 flow variables',
    send: () =>
      call({
        variables: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, 'x'])),
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected at most 100 variables/,
  },
  {
    name: '101 GraphQL variables, each a flow variable',
    send: () => {
      const names = Array.from({ length: 101 }, (_, i) => `v${i}`);
      return request({
        body: {
          query: `mutation(${names.map((n) => `$${n}: String!`).join(' ')}) { createCall(input: { source: { type: TEL, target: "${QUICKSTART.source}" }, destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }], actions: [{ answer: {} }], variables: { ${names.map((n) => `${n}: $${n}`).join(' ')} } }) { replayed } }`,
          variables: Object.fromEntries(names.map((n) => [n, 'x'])),
        },
      });
    },
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /input\.variables: Expected at most 100 variables/,
  },
  {
    name: 'a 40 KB flow variable',
    send: () => call({ variables: { note: 'x'.repeat(40 * 1024) } }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected a value of at most 32 KB/,
  },
  {
    name: 'flow variables of 90 KB in all',
    send: () =>
      call({ variables: { a: 'x'.repeat(30_000), b: 'x'.repeat(30_000), c: 'x'.repeat(30_000) } }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected variables of at most 64 KB in all/,
  },
  {
    name: 'a flow variable nested 10,000 levels deep',
    send: () =>
      request({
        body: `{"query": ${JSON.stringify(CREATE)}, "variables": {"input": ${JSON.stringify(input()).replace(/}$/, `, "variables": {"deep": ${'['.repeat(10_000)}${']'.repeat(10_000)}}}`)}}}`,
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /input\.variables\.deep: Invalid type: Expected string but received Array/,
  },
  {
    name: 'a flowId that is not a UUID',
    send: () => call({ actions: undefined, flowId: "' OR 1=1 --" }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /input\.flowId: Expected a UUID/,
  },
  {
    name: 'an action with two types set (@oneOf)',
    send: () => call({ actions: [{ talk: { text: 'Hi' }, hangup: {} }] }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Exactly one key must be specified for OneOf type "ActionInput"/,
    issue: 'input.actions.0',
  },
  {
    name: 'an email destination',
    send: () => call({ destinations: [{ type: 'EMAIL', target: 'a@example.com' }] }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /An e-mail address cannot be called/,
  },
  {
    name: 'no destination',
    send: () => call({ destinations: [] }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /Expected at least one destination/,
  },

  // -- headers
  {
    name: 'no content-type',
    send: () => call({}, { headers: { accept: 'application/json' } }),
    status: 403,
    code: 'CSRF_HEADER_REQUIRED',
    message: CSRF,
  },
  {
    name: 'content-type: text/plain',
    send: () => call({}, { headers: { 'content-type': 'text/plain', accept: 'application/json' } }),
    status: 403,
    code: 'CSRF_HEADER_REQUIRED',
    message: CSRF,
  },
  {
    name: 'a form-encoded body',
    send: () =>
      request({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          query: `mutation { createCall(input: ${INLINE_INPUT}) { replayed } }`,
        }).toString(),
      }),
    status: 403,
    code: 'CSRF_HEADER_REQUIRED',
    message: CSRF,
  },
  {
    name: 'a multipart/form-data body',
    send: () =>
      request({
        headers: { 'content-type': 'multipart/form-data; boundary=hostile' },
        body: [
          '--hostile',
          'Content-Disposition: form-data; name="operations"',
          '',
          JSON.stringify({ query: CREATE, variables: { input: input() } }),
          '--hostile--',
          '',
        ].join('\r\n'),
      }),
    status: 403,
    code: 'CSRF_HEADER_REQUIRED',
    message: CSRF,
  },
  {
    name: 'accept: image/png only',
    send: () => call({}, { headers: { 'content-type': 'application/json', accept: 'image/png' } }),
    status: 406,
    code: 'NOT_ACCEPTABLE',
    message:
      /The Accept header allows none of the media types this gateway answers in .*; nothing was run/,
  },
  {
    name: 'accept: application/json in a charset other than UTF-8',
    send: () =>
      call(
        {},
        {
          headers: {
            'content-type': 'application/json',
            accept: 'application/json; charset=iso-8859-1',
          },
        },
      ),
    status: 406,
    code: 'NOT_ACCEPTABLE',
    message: /The Accept header allows none/,
  },
  {
    name: 'a 100 KB Accept header of media types the gateway does not answer in',
    send: () =>
      call(
        {},
        { headers: { 'content-type': 'application/json', accept: 'text/html,'.repeat(10_000) } },
      ),
    status: 406,
    code: 'NOT_ACCEPTABLE',
    message: /The Accept header allows none/,
  },
  {
    name: 'a 100 KB Authorization header',
    send: () => call({}, { token: `${'A'.repeat(50_000)}.${'B'.repeat(50_000)}.C` }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token is too long/,
  },
  {
    name: 'two Authorization headers',
    send: () => {
      const headers = new Headers({
        'content-type': 'application/json',
        accept: 'application/json',
      });
      headers.append('authorization', `Bearer ${tokens.valid}`);
      headers.append('authorization', `Bearer ${tokens.valid}`);
      return request({ headers, body: { query: CREATE, variables: { input: input() } } });
    },
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the Authorization header must be `Bearer <JWT>`/,
  },
  {
    name: 'a Basic Authorization header',
    send: () => call({}, { extra: { authorization: `Basic ${btoa('admin:admin')}` } }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the Authorization header must be `Bearer <JWT>`/,
  },
  {
    name: 'no credentials',
    send: () => call({}, { token: null }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /authentication required: send `Authorization: Bearer <JWT>`/,
  },
  {
    name: 'an X-API-Key where only JWTs are accepted',
    send: () => call({}, { token: null, extra: { 'x-api-key': 'k-123456789' } }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /API keys are not accepted here/,
  },

  // -- body size and encodings
  {
    name: 'a body over the 1 MiB limit',
    send: () => call({ variables: { note: 'x'.repeat(1024 * 1024) } }),
    status: 413,
    code: 'REQUEST_ENTITY_TOO_LARGE',
    message: /Request body too large/,
  },
  {
    name: 'invalid UTF-8 bytes in the JSON',
    send: () =>
      request({
        body: new Uint8Array([
          ...encoder.encode('{"query": '),
          0xff,
          0xfe,
          0xc3,
          ...encoder.encode('}'),
        ]),
      }),
    status: 400,
    code: 'BAD_REQUEST',
    message: INVALID_JSON,
  },
  {
    name: 'invalid UTF-8 bytes in the destination number',
    send: () => request({ body: bytesInNumber([0xc0, 0xaf]) }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: E164,
  },
  {
    name: 'a UTF-16 body with its BOM',
    send: () => {
      const text = `\ufeff${JSON.stringify({ query: CREATE, variables: { input: input() } })}`;
      const bytes = new Uint8Array(text.length * 2);
      for (let i = 0; i < text.length; i++) {
        bytes[2 * i] = text.charCodeAt(i) & 0xff;
        bytes[2 * i + 1] = text.charCodeAt(i) >> 8;
      }
      return request({
        body: bytes,
        extra: { 'content-type': 'application/json; charset=utf-16le' },
      });
    },
    status: 400,
    code: 'BAD_REQUEST',
    message: INVALID_JSON,
  },
  {
    name: 'a UTF-8 BOM before the JSON body',
    send: () =>
      request({
        body: `\ufeff${JSON.stringify({ query: CREATE, variables: { input: input() } })}`,
      }),
    status: 400,
    code: 'BAD_REQUEST',
    message: INVALID_JSON,
  },
  {
    name: 'a BOM before the destination number',
    send: () => call({ destinations: [tel(`\ufeff${QUICKSTART.destination}`)] }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: E164,
  },
  {
    name: 'content-encoding: gzip on a body that is not gzip',
    send: () => call({}, { extra: { 'content-encoding': 'gzip' } }),
    status: 415,
    code: 'UNSUPPORTED_CONTENT_ENCODING',
    message:
      /a Content-Encoding \(gzip, br, deflate\.\.\.\) is not accepted; send the body uncompressed/,
  },
  {
    name: 'content-encoding: br',
    send: () => call({}, { extra: { 'content-encoding': 'br' } }),
    status: 415,
    code: 'UNSUPPORTED_CONTENT_ENCODING',
    message: /Content-Encoding .* is not accepted/,
  },

  // -- unicode tricks in numbers
  ...(
    [
      ['fullwidth digits', '+８２１０２１６５６５２１'],
      ['a fullwidth plus', '＋821021656521'],
      ['Arabic-Indic digits', '+٨٢١٠٢١٦٥٦٥٢١'],
      ['Devanagari digits', '+८२१०२१६५६५२१'],
      ['superscript digits', '+⁸²1021656521'],
      ['a zero-width joiner', '+82\u200d1021656521'],
      ['a zero-width space', '+8210\u200b21656521'],
      ['a right-to-left mark', '\u200f+821021656521'],
      ['a right-to-left override', '+\u202e125656120128'],
      ['spaces', '+82 10 2165 6521'],
      ['a no-break space', '+82\u00a01021656521'],
      ['dashes', '+82-10-2165-6521'],
      ['a Unicode minus and en dashes', '\u221282\u20131021656521'],
      ['a leading 00 instead of +', '00821021656521'],
      ['a trailing newline', '+821021656521\n'],
      ['the denied +1900 in fullwidth digits', '+１９００5550100'],
    ] as const
  ).map(
    ([what, number]): Row => ({
      name: `a number with ${what}`,
      send: () => call({ destinations: [tel(number)] }),
      status: 200,
      code: 'BAD_USER_INPUT',
      message: E164,
    }),
  ),

  // -- the destination policy
  {
    name: 'a denied number (+1900)',
    send: () => call({ destinations: [tel('+19005550100')] }),
    status: 200,
    code: 'FORBIDDEN',
    message: /input\.destinations\.0\.target: Destination 0 is in a denied range \(\+1900\)$/,
  },
  {
    name: 'a denied number as the third destination',
    send: () =>
      call({ destinations: [tel('+821021656521'), tel('+12025550100'), tel('+19005550100')] }),
    status: 200,
    code: 'FORBIDDEN',
    message: /input\.destinations\.2\.target: Destination 2 is in a denied range/,
  },
  {
    name: 'a number outside the allowed prefixes',
    send: () => call({ destinations: [tel('+447700900123')] }),
    status: 200,
    code: 'FORBIDDEN',
    message: /Destination 0 is outside the allowed prefixes \(\+82, \+1\)$/,
  },
  {
    name: 'a denied number hidden in a connect action',
    send: () =>
      call({
        actions: [{ talk: { text: 'Hi' } }, { connect: { destinations: [tel('+19005550100')] } }],
      }),
    status: 200,
    code: 'FORBIDDEN',
    message:
      /input\.actions\.1\.connect\.destinations\.0\.target: Destination 0 is in a denied range/,
  },
  {
    name: 'a denied number hidden in a call action',
    send: () =>
      call({
        actions: [{ call: { destinations: [tel('+19005550100')], actions: [{ answer: {} }] } }],
      }),
    status: 200,
    code: 'FORBIDDEN',
    message: /input\.actions\.0\.call\.destinations\.0\.target/,
  },
  {
    name: 'a denied number in a connect inside a call action',
    send: () =>
      call({
        actions: [
          {
            call: {
              destinations: [tel('+12025550100')],
              actions: [{ connect: { destinations: [tel('+19005550199')] } }],
            },
          },
        ],
      }),
    status: 200,
    code: 'FORBIDDEN',
    message:
      /input\.actions\.0\.call\.actions\.0\.connect\.destinations\.0\.target: Destination 0 is in a denied range/,
  },
  {
    name: 'a number outside the allowed prefixes in a call action',
    send: () =>
      call({
        actions: [{ call: { destinations: [tel('+881612345678')], flowId: QUICKSTART.flowId } }],
      }),
    status: 200,
    code: 'FORBIDDEN',
    message: /outside the allowed prefixes/,
  },

  {
    name: 'a fetch action (its URL would hand VoIPBIN actions this gateway never checks)',
    send: () =>
      call({
        actions: [
          { talk: { text: 'Hi' } },
          { fetch: { eventUrl: 'https://attacker.example/actions', eventMethod: 'POST' } },
        ],
      }),
    status: 200,
    code: 'FORBIDDEN',
    message: /input\.actions\.1\.fetch: A fetch action runs actions this gateway cannot check/,
  },
  {
    name: 'a fetch_flow action inside a call action',
    send: () =>
      call({
        actions: [
          {
            call: {
              destinations: [tel('+12025550100')],
              actions: [{ fetchFlow: { flowId: QUICKSTART.flowId } }],
            },
          },
        ],
      }),
    status: 200,
    code: 'FORBIDDEN',
    message:
      /input\.actions\.0\.call\.actions\.0\.fetchFlow: A fetch_flow action runs actions this gateway cannot check/,
  },
  {
    name: '31 tel destinations in all, no list over 10 (top level and three connect actions)',
    send: () => {
      const list = (from: number, n = 10) =>
        Array.from({ length: n }, (_, i) => tel(`+8210000${String(from + i).padStart(5, '0')}`));
      return call({
        destinations: list(0),
        actions: [
          { connect: { destinations: list(100) } },
          { connect: { destinations: list(200) } },
          { connect: { destinations: list(300, 1) } },
        ],
      });
    },
    status: 200,
    code: 'BAD_USER_INPUT',
    message:
      /input\.actions\.2\.connect\.destinations: At most 30 tel destinations per request, those in actions included/,
  },

  // -- sizes
  {
    name: 'a talk of 10,001 characters',
    send: () => call({ actions: [{ talk: { text: 'a'.repeat(10_001) } }] }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /input\.actions\.0\.talk\.text: A talk text has at most 10000 characters/,
  },
  {
    name: 'a talk of 10,001 characters inside a call action',
    send: () =>
      call({
        actions: [
          {
            call: {
              destinations: [tel('+12025550100')],
              actions: [{ talk: { text: 'é'.repeat(10_001) } }],
            },
          },
        ],
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /A talk text has at most 10000 characters/,
  },
  {
    name: '11 destinations',
    send: () =>
      call({
        destinations: Array.from({ length: 11 }, (_, i) =>
          tel(`+8210000000${String(i).padStart(2, '0')}`),
        ),
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /At most 10 destinations per call/,
  },
  {
    name: '11 destinations in a connect action',
    send: () =>
      call({
        actions: [
          {
            connect: {
              destinations: Array.from({ length: 11 }, (_, i) =>
                tel(`+8210000000${String(i).padStart(2, '0')}`),
              ),
            },
          },
        ],
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /At most 10 destinations per call/,
  },
  {
    name: '101 actions',
    send: () => call({ actions: Array.from({ length: 101 }, () => ({ answer: {} })) }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /At most 100 actions per request, nested ones included/,
  },
  {
    name: '101 actions, most of them nested in call actions',
    send: () =>
      call({
        actions: Array.from({ length: 20 }, () => ({
          call: {
            destinations: [tel('+12025550100')],
            actions: Array.from({ length: 5 }, () => ({ answer: {} })),
          },
        })),
      }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /At most 100 actions per request/,
  },

  // -- forged or unfit JWTs
  {
    name: 'a JWT with alg: none',
    send: () => call({}, { token: tokens.algNone }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token's algorithm is not accepted \(accepted: HS256\)/,
  },
  {
    name: 'a JWT signed with another key',
    send: () => call({}, { token: tokens.wrongKey }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token's signature is not valid/,
  },
  {
    name: 'a JWT whose payload was swapped',
    send: () => call({}, { token: tokens.tampered }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token's signature is not valid/,
  },
  {
    name: 'an expired JWT',
    send: () => call({}, { token: tokens.expired }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token has expired/,
  },
  {
    name: 'a JWT not valid yet (nbf)',
    send: () => call({}, { token: tokens.notYet }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token is not valid yet \(nbf\)/,
  },
  {
    name: 'a JWT without a subject',
    send: () => call({}, { token: tokens.noSub }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token has no subject \(sub\)/,
  },
  {
    name: 'a JWT without an expiry',
    send: () => call({}, { token: tokens.noExp }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token has no expiry \(exp\)/,
  },
  {
    name: 'a JWT signed HS512 (not in the allowlist)',
    send: () => call({}, { token: tokens.hs512 }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token's algorithm is not accepted \(accepted: HS256\)/,
  },
  {
    name: 'a JWT that is not a JWT',
    send: () => call({}, { token: 'eyJ.not-a.jwt' }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /the token is malformed/,
  },
  {
    name: 'a JWT with calls:read only',
    send: () => call({}, { token: tokens.readOnly }),
    status: 403,
    code: 'FORBIDDEN',
    message: /This needs the scope calls:create/,
  },
  {
    name: 'a JWT with no scope',
    send: () => call({}, { token: tokens.noScope }),
    status: 403,
    code: 'FORBIDDEN',
    message: /This needs the scope calls:create/,
  },
  {
    name: 'the token in the query string',
    send: () => call({}, { token: null, url: `${URL_}?access_token=${tokens.valid}` }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /authentication required/,
  },
  {
    name: 'the token in a cookie',
    send: () => call({}, { token: null, extra: { cookie: `token=${tokens.valid}` } }),
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /authentication required/,
  },

  // -- methods, batching, idempotency
  {
    name: 'a mutation over GET (no preflight header)',
    send: () =>
      request({
        method: 'GET',
        url: `${URL_}?${new URLSearchParams({ query: `mutation { createCall(input: ${INLINE_INPUT}) { replayed } }` })}`,
        headers: { accept: 'application/json' },
      }),
    status: 403,
    code: 'CSRF_HEADER_REQUIRED',
    message: CSRF,
  },
  {
    name: 'a mutation over GET (with a preflight header)',
    send: () =>
      request({
        method: 'GET',
        url: `${URL_}?${new URLSearchParams({ query: `mutation { createCall(input: ${INLINE_INPUT}) { replayed } }` })}`,
        headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
      }),
    status: 405,
    code: 'BAD_REQUEST',
    message: /Can only perform a mutation operation from a POST request/,
  },
  {
    name: 'a PUT',
    send: () => request({ method: 'PUT', body: { query: CREATE, variables: { input: input() } } }),
    status: 405,
    code: 'BAD_REQUEST',
    message: /GraphQL only supports GET and POST requests/,
  },
  {
    name: 'a batch of 6 createCall',
    send: () =>
      request({
        body: Array.from({ length: 6 }, () => ({ query: CREATE, variables: { input: input() } })),
      }),
    status: 413,
    code: 'BAD_REQUEST',
    message: /Batching is limited to 5 operations per request/,
  },
  {
    name: 'a batch of 1,000 createCall',
    send: () =>
      request({
        body: Array.from({ length: 1000 }, () => ({
          query: CREATE,
          variables: { input: input() },
        })),
      }),
    status: 413,
    code: 'BAD_REQUEST',
    message: /Batching is limited to 5 operations per request/,
  },
  {
    name: 'an idempotency key of 256 characters',
    send: () => place({ input: input(), key: 'k'.repeat(256) }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /An idempotency key must have 1 to 255 characters/,
  },
  {
    name: 'an empty idempotency key',
    send: () => place({ input: input(), key: '' }),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /An idempotency key must have 1 to 255 characters/,
  },
];

// ---- the test -----------------------------------------------------------------------------

interface Outcome {
  status: number;
  code: unknown;
  message: unknown;
}

async function send(
  row: Row,
): Promise<{ outcome: Outcome; text: string; json: GraphQLResult | undefined }> {
  const response = await gateway.fetch(row.send());
  const text = await response.text();
  let json: GraphQLResult | undefined;
  try {
    json = JSON.parse(text) as GraphQLResult;
  } catch {}
  const error = json?.errors?.[0];
  return {
    outcome: { status: response.status, code: error?.extensions?.code, message: error?.message },
    text,
    json,
  };
}

describe('hostile and malformed requests', () => {
  it('has at least 60 rows, each with its own name', () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
  });

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const { outcome, text, json } = await send(row);

    expect(outcome, text.slice(0, 500)).toEqual({
      status: row.status,
      code: row.code,
      message: expect.any(String),
    });
    // A message a person understands: the row's, never the mask of an unexpected error.
    expect(outcome.message).toMatch(row.message);
    expect(outcome.message).not.toBe('Unexpected error.');
    if (row.issue) expect(json?.errors?.[0]?.extensions?.issues?.[0]?.path).toBe(row.issue);
    expect(String(outcome.message).length).toBeGreaterThan(20);
    // Nothing placed, nothing half-answered, nothing polluted.
    expect(json?.data?.createCall ?? null).toBeNull();
    expect(emulator.calls()).toHaveLength(0);
    expect(upstream.filter((r) => r.method === 'POST')).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(text).not.toContain(SECRET);
  });

  it('keeps serving: a normal createCall succeeds after the table', async () => {
    const response = await gateway.fetch(call());
    const json = (await response.json()) as GraphQLResult;
    expect(response.status).toBe(200);
    expect(json.errors).toBeUndefined();
    expect(json.data?.createCall.calls).toEqual([{ id: expect.any(String) }]);
    expect(emulator.calls()).toHaveLength(1);
    // No row was an unexpected error: Yoga logs the original of each masked one.
    expect(logged).not.toHaveBeenCalled();
  });
});
