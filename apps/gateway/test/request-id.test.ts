import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../src/index.ts';
import { singleConnection } from '../src/single-connection.ts';
import { STREAM_TOKEN_HEADER } from '../src/transports.ts';

const CREATE = `mutation CreateCall($input: CreateCallInput!) {
  createCall(input: $input) { calls { id } }
}`;
const INPUT = {
  source: { type: 'TEL', target: '+821028286521' },
  destinations: [{ type: 'TEL', target: '+821021656521' }],
  actions: [{ talk: { text: 'Hello' } }],
};

/** The embedded emulator, with the `X-Request-Id` of every request it gets written down. */
function recordingEmulator() {
  const emulator = createEmulator({ clock: 'manual' });
  const seen: (string | null)[] = [];
  const recorded: Emulator = {
    ...emulator,
    fetch: async (request: Request) => {
      seen.push(request.headers.get('x-request-id'));
      return emulator.fetch(request);
    },
  };
  return { emulator: recorded, seen };
}

const post = (
  gateway: ReturnType<typeof createGateway>,
  body: unknown,
  headers: Record<string, string> = {},
) =>
  gateway.fetch(
    new Request('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }),
  );

afterEach(async () => {
  vi.restoreAllMocks();
  // The format is the process's: the next gateway made sets its own, text by default.
  await createGateway().close();
});

describe('one request id end to end', () => {
  it("sends a caller's safe X-Request-Id to VoIPBIN and answers it in the header", async () => {
    const { emulator, seen } = recordingEmulator();
    const gateway = createGateway({ upstream: { kind: 'emulator', emulator } });
    const response = await post(
      gateway,
      { query: CREATE, variables: { input: INPUT } },
      { 'x-request-id': 'trace_4f2a-91' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace_4f2a-91');
    expect((await response.json()).data.createCall.calls).toHaveLength(1);
    // Every VoIPBIN request made for it (the POST, the reads after) carries the same id.
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['trace_4f2a-91']));
    await gateway.close();
  });

  it('makes a new id for a request without one, or with one that is not safe', async () => {
    const { emulator, seen } = recordingEmulator();
    const gateway = createGateway({ upstream: { kind: 'emulator', emulator } });
    const ids: string[] = [];
    for (const given of [undefined, 'has spaces', 'x'.repeat(65), 'semi;colon', '']) {
      const response = await post(
        gateway,
        { query: CREATE, variables: { input: INPUT } },
        given === undefined ? {} : { 'x-request-id': given },
      );
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^req_[A-Za-z0-9_-]+$/);
      ids.push(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(seen)).toEqual(new Set(ids));
    await gateway.close();
  });

  it("puts the id in every error's extensions, and on the answers of other routes", async () => {
    const gateway = createGateway({ upstream: { kind: 'emulator', emulator: createEmulator() } });
    const bad = await post(
      gateway,
      { query: CREATE, variables: { input: { ...INPUT, destinations: [] } } },
      { 'x-request-id': 'trace_bad' },
    );
    const json = await bad.json();
    expect(json.errors.length).toBeGreaterThan(0);
    for (const error of json.errors) expect(error.extensions.requestId).toBe('trace_bad');
    const unknownField = await post(gateway, { query: '{ nope }' }, { 'x-request-id': 'trace_v' });
    expect((await unknownField.json()).errors[0].extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      requestId: 'trace_v',
    });
    const health = await gateway.fetch(
      new Request('http://gateway.test/health', { headers: { 'x-request-id': 'trace_h' } }),
    );
    expect(health.headers.get('x-request-id')).toBe('trace_h');
    await gateway.close();
  });

  it('writes one JSON line per request with GATEWAY_LOG_FORMAT=json: id, operation, caller hash, duration, code', async () => {
    const lines: string[] = [];
    for (const level of ['info', 'warn', 'error'] as const)
      vi.spyOn(console, level).mockImplementation((line: unknown) => lines.push(String(line)));
    const gateway = createGateway({
      upstream: { kind: 'emulator', emulator: createEmulator() },
      logFormat: 'json',
    });
    await post(
      gateway,
      { query: CREATE, variables: { input: INPUT } },
      { 'x-request-id': 'trace_j' },
    );
    await post(gateway, { query: '{ nope }' }, { 'x-request-id': 'trace_k' });
    await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(2));
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries.find((e) => e.requestId === 'trace_j')).toMatchObject({
      level: 'info',
      message: 'request',
      operation: 'CreateCall',
      caller: expect.stringMatching(/^[0-9a-f]{12}$/),
      status: 200,
      code: 'OK',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(entries.find((e) => e.requestId === 'trace_j').durationMs).toBeGreaterThanOrEqual(0);
    expect(entries.find((e) => e.requestId === 'trace_k')).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
    });
    // Nothing the caller sent: no number, no text.
    expect(lines.join('\n')).not.toMatch(/\+8210|Hello/);
    await gateway.close();
  });

  it('leaves an operation name that may hold a number out of the line, naming its type', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'info').mockImplementation((line: unknown) => lines.push(String(line)));
    const gateway = createGateway({
      upstream: { kind: 'emulator', emulator: createEmulator() },
      logFormat: 'json',
    });
    const named = (name: string) => CREATE.replace('mutation CreateCall', `mutation ${name}`);
    await post(gateway, { query: named('Call_821099998888'), variables: { input: INPUT } });
    await post(gateway, { query: named(`Call${'x'.repeat(70)}`), variables: { input: INPUT } });
    await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(2));

    expect(lines.map((line) => JSON.parse(line).operation)).toEqual(['mutation', 'mutation']);
    expect(lines.join('\n')).not.toContain('821099998888');
    await gateway.close();
  });

  it('writes no line per request in the text format (the default)', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const gateway = createGateway({ upstream: { kind: 'emulator', emulator: createEmulator() } });
    await post(gateway, { query: CREATE, variables: { input: INPUT } });
    expect(info).not.toHaveBeenCalled();
    await gateway.close();
  });

  it("keeps one id in graphql-sse's single connection mode, from the POST to VoIPBIN", async () => {
    const { emulator, seen } = recordingEmulator();
    const gateway = createGateway({
      upstream: { kind: 'emulator', emulator },
      singleConnection: singleConnection(),
    });
    const placed = await post(gateway, { query: CREATE, variables: { input: INPUT } });
    const id = (await placed.json()).data.createCall.calls[0].id as string;
    const url = 'http://gateway.test/graphql';
    const token = await (await gateway.fetch(new Request(url, { method: 'PUT' }))).text();
    const abort = new AbortController();
    const stream = await gateway.fetch(
      new Request(url, {
        headers: { accept: 'text/event-stream', [STREAM_TOKEN_HEADER]: token },
        signal: abort.signal,
      }),
    );
    try {
      seen.length = 0;
      // No id sent: the one the gateway makes must be the one VoIPBIN gets.
      const operation = await gateway.fetch(
        new Request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [STREAM_TOKEN_HEADER]: token },
          body: JSON.stringify({
            query: 'query ($id: ID!) { call(id: $id) { id } }',
            variables: { id },
            extensions: { operationId: 'op-1' },
          }),
        }),
      );
      expect(operation.status).toBe(202);
      const answered = operation.headers.get('x-request-id');
      expect(answered).toMatch(/^req_/);
      await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
      expect(new Set(seen)).toEqual(new Set([answered]));
    } finally {
      abort.abort();
      void stream.body?.cancel().catch(() => {});
      await gateway.close();
    }
  });

  it('puts the id in the error bodies answered outside GraphQL, and lets browsers send and read it', async () => {
    const gateway = createGateway({
      upstream: { kind: 'emulator', emulator: createEmulator() },
      security: { corsOrigins: ['https://app.example.com'] },
    });
    const upgrade = await gateway.fetch(
      new Request('http://gateway.test/graphql', {
        headers: { upgrade: 'websocket', connection: 'Upgrade', 'x-request-id': 'trace_ws' },
      }),
    );
    expect((await upgrade.json()).errors[0].extensions).toEqual({
      code: 'WEBSOCKET_NOT_SUPPORTED',
      requestId: 'trace_ws',
    });
    const preflight = await gateway.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-request-id',
        },
      }),
    );
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-request-id/i);
    const cross = await post(
      gateway,
      { query: '{ __typename }' },
      { origin: 'https://app.example.com', 'x-request-id': 'trace_cors' },
    );
    expect(cross.headers.get('access-control-expose-headers')).toMatch(/x-request-id/i);
    expect(cross.headers.get('x-request-id')).toBe('trace_cors');
    await gateway.close();
  });
});
