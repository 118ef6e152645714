/**
 * Traces, in the process (Node, with OpenTelemetry's AsyncLocalStorage context manager as the
 * Node entry registers it): an OTLP/HTTP receiver inside the test gets a createCall's
 * operation span with the VoIPBIN request (and, on Redis, the store's operations) as its
 * children, and none
 * of the spans holds the server's credential, a phone number, a talk text or a query string.
 */
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.ts';
import { readTracingEnv } from '../../src/runtime/tracing/env.ts';
import type { Tracing } from '../../src/runtime/tracing/index.ts';
import { startTracing } from '../../src/runtime/tracing/start.ts';
import { describeOnRedis } from '../security/redis-server.ts';
import { postGraphQL, QUICKSTART, recordingFetch } from '../support/graphql.ts';
import {
  PLACE_CALL,
  type ReceivedSpan,
  type Receiver,
  startReceiver,
  TRACED_TALK,
  tree,
} from '../support/otlp.ts';

const CANARY = 'CANARY-s3cr3t-key';
const BASE_URL = 'http://voipbin.test/v1.0';

let receiver: Receiver;
let emulator: Emulator;
let tracing: Tracing;
let gateway: Gateway;

beforeAll(async () => {
  receiver = await startReceiver();
  emulator = createEmulator({ clock: 'manual' });
  const config = readTracingEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    // JSON, which the receiver reads; protobuf (the default) is tested below.
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=collector%20secret',
    OTEL_SERVICE_NAME: 'gateway-under-test',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
  });
  if (!config) throw new Error('tracing should be on');
  tracing = startTracing(config, { scheduledDelayMs: 50 });
  gateway = recordingFetch(
    createGateway({
      // The emulator as VoIPBIN, reached with the server's access key (a query parameter).
      upstream: { kind: 'voipbin', baseURL: BASE_URL, accessKey: CANARY },
      security: {
        insecureNoAuth: true,
        policy: { deniedPrefixes: ['+1900'] },
        rateLimit: { perMinute: 600 },
      },
      client: { fetch: (input, init) => emulator.fetch(new Request(input, init)), retry: 0 },
      observer: tracing.observer,
    }),
  );
});

afterEach(async () => {
  await tracing.flush();
});

afterAll(async () => {
  await gateway?.close();
  await tracing?.shutdown();
  await receiver?.close();
});

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);

describe('traces of a createCall', () => {
  it('are one trace: the operation, and under it the VoIPBIN request', async () => {
    const { response, json } = await postGraphQL(gateway, PLACE_CALL, {
      variables: { key: 'trace-test-key-1' },
      headers: { 'x-request-id': 'trace-test-1' },
    });
    expect(json.errors).toBeUndefined();
    expect(response.headers.get('x-request-id')).toBe('trace-test-1');
    await tracing.flush();
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'mutation PlaceCall'));
    const [operation] = byName(spans, 'mutation PlaceCall');
    expect(operation).toMatchObject({
      kind: 2, // SERVER
      attributes: {
        'graphql.operation.type': 'mutation',
        'graphql.operation.name': 'PlaceCall',
        'http.request.method': 'POST',
        'http.route': '/graphql',
        'http.response.status_code': 200,
        'voipbin_kit.request_id': 'trace-test-1',
      },
      resource: { 'service.name': 'gateway-under-test', 'deployment.environment': 'test' },
    });
    expect(operation?.parentSpanId ?? '').toBe('');
    const upstream = byName(spans, 'POST /v1.0/calls').find(
      (s) => s.traceId === operation?.traceId,
    );
    expect(upstream).toMatchObject({
      kind: 3, // CLIENT
      parentSpanId: operation?.spanId,
      attributes: {
        'http.request.method': 'POST',
        'url.template': '/v1.0/calls',
        'server.address': 'voipbin.test',
        'http.response.status_code': 200,
        'voipbin.request_id': 'trace-test-1',
      },
    });
    // The process's own memory store is not I/O: no span for its operations.
    const names = tree(spans, operation?.traceId as string);
    expect(names.sort()).toEqual(
      ['POST /v1.0/calls <- mutation PlaceCall', 'mutation PlaceCall <- -'].sort(),
    );
    // Sent with the collector's headers.
    expect(receiver.headers.at(-1)?.['x-collector-key']).toBe('collector secret');
  });

  it('never carries the credential, a phone number, the talk text or a query string', async () => {
    await postGraphQL(gateway, PLACE_CALL);
    await tracing.flush();
    await receiver.waitFor((all) => byName(all, 'mutation PlaceCall').length >= 2);
    const text = receiver.bodies.join('\n');
    for (const secret of [
      CANARY,
      's3cr3t',
      'accesskey',
      QUICKSTART.source,
      QUICKSTART.destination,
      QUICKSTART.source.slice(1),
      QUICKSTART.destination.slice(1),
      TRACED_TALK,
      'canary words',
      'collector secret',
      '?',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("joins the caller's trace when it sends a traceparent", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    await postGraphQL(gateway, '{ calls(first: 1) { nodes { id } } }', {
      headers: { traceparent: `00-${traceId}-${parent}-01` },
    });
    await tracing.flush();
    const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === traceId));
    const operation = spans.find(
      (s) => s.traceId === traceId && s.attributes['graphql.operation.type'],
    );
    expect(operation).toMatchObject({ name: 'query', parentSpanId: parent });
    expect(tree(spans, traceId)).toContain('GET /v1.0/calls <- query');
  });

  it('says a refusal by its code, and a refused call makes no VoIPBIN request', async () => {
    const { json } = await postGraphQL(
      gateway,
      `mutation Refused { createCall(input: {
        source: { type: TEL, target: "${QUICKSTART.source}" }
        destinations: [{ type: TEL, target: "+19005550100" }]
        actions: [{ talk: { text: "${TRACED_TALK}" } }]
      }) { calls { id } } }`,
    );
    expect(json.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await tracing.flush();
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'mutation Refused'));
    const [operation] = byName(spans, 'mutation Refused');
    expect(operation?.attributes['graphql.error.code']).toBe('FORBIDDEN');
    // A caller's refusal is not the gateway's fault: the span's status stays unset.
    expect(operation?.status?.code ?? 0).toBe(0);
    expect(tree(spans, operation?.traceId as string).some((line) => line.startsWith('POST'))).toBe(
      false,
    );
    expect(receiver.bodies.join('\n')).not.toContain('19005550100');
  });

  it('marks a VoIPBIN failure as an error, by its status', async () => {
    emulator.faults.set([{ path: '/v1.0/calls', method: 'GET', status: 503, times: 1 }]);
    const { json } = await postGraphQL(
      gateway,
      'query Failing { calls(first: 1) { nodes { id } } }',
    );
    expect(json.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    await tracing.flush();
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'query Failing'));
    const [operation] = byName(spans, 'query Failing');
    expect(operation).toMatchObject({
      status: { code: 2 },
      attributes: {
        'graphql.error.code': 'UPSTREAM_UNAVAILABLE',
        'error.type': 'UPSTREAM_UNAVAILABLE',
      },
    });
    const upstream = spans.find(
      (s) => s.traceId === operation?.traceId && s.name === 'GET /v1.0/calls',
    );
    expect(upstream).toMatchObject({
      status: { code: 2 },
      attributes: { 'http.response.status_code': 503, 'error.type': '503' },
    });
  });
});

describe("a VoIPBIN request's span", () => {
  it('carries the request id it was sent with, however its headers were given', async () => {
    // A fetch that answers without echoing the id: the span's id is the one it was sent.
    const fetch = tracing.observer.wrapFetch?.(
      async () => new Response('{}', { status: 200 }),
      BASE_URL,
    ) as typeof globalThis.fetch;
    const url = `${BASE_URL}/calls/abc?accesskey=${CANARY}`;
    await fetch(url, { headers: new Headers({ 'X-Request-Id': 'sent-as-headers' }) });
    await fetch(url, { headers: { 'X-Request-Id': 'sent-as-record' } });
    await fetch(url, { headers: [['x-request-id', 'sent-as-pairs']] });
    await fetch(new Request(url, { headers: { 'x-request-id': 'sent-in-request' } }));
    await fetch(url);
    await tracing.flush();
    const ids = ['sent-as-headers', 'sent-as-record', 'sent-as-pairs', 'sent-in-request'];
    const spans = await receiver.waitFor((all) =>
      ids.every((id) => all.some((span) => span.attributes['voipbin.request_id'] === id)),
    );
    const gets = spans.filter((span) => span.name === 'GET /v1.0/calls/{id}');
    for (const id of ids)
      expect(gets.filter((span) => span.attributes['voipbin.request_id'] === id)).toHaveLength(1);
    expect(receiver.bodies.join('\n')).not.toContain(CANARY);
  });
});

describe('traces with a shared store', () => {
  describeOnRedis((connect) => {
    it("put each of the store's operations under the operation that made it", async () => {
      const store = await connect();
      const shared = recordingFetch(
        createGateway({
          upstream: { kind: 'voipbin', baseURL: BASE_URL, accessKey: CANARY },
          security: { insecureNoAuth: true, store, rateLimit: { perMinute: 600 } },
          client: { fetch: (input, init) => emulator.fetch(new Request(input, init)), retry: 0 },
          observer: tracing.observer,
        }),
      );
      try {
        const { json } = await postGraphQL(
          shared,
          PLACE_CALL.replace('mutation PlaceCall', 'mutation OnRedis'),
          { variables: { key: 'trace-redis-key-1' } },
        );
        expect(json.errors).toBeUndefined();
        await tracing.flush();
        const spans = await receiver.waitFor((all) =>
          all.some((s) => s.name === 'mutation OnRedis'),
        );
        const [operation] = byName(spans, 'mutation OnRedis');
        const names = tree(spans, operation?.traceId as string);
        // The rate-limit bucket taken, the idempotency key claimed and answered.
        expect(names).toEqual(
          expect.arrayContaining([
            'store take <- mutation OnRedis',
            'store setIfAbsent <- mutation OnRedis',
            'store set <- mutation OnRedis',
            'POST /v1.0/calls <- mutation OnRedis',
          ]),
        );
        const take = spans.find((s) => s.traceId === operation?.traceId && s.name === 'store take');
        expect(take).toMatchObject({ kind: 3, attributes: { 'db.operation.name': 'take' } });
        expect(receiver.bodies.join('\n')).not.toContain('trace-redis-key-1');
      } finally {
        await shared.close();
      }
    });
  });
});

describe('traces in protobuf, the default encoding', () => {
  it('are sent as application/x-protobuf, and carry no number or talk text either', async () => {
    const sink = await startReceiver();
    const config = readTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint });
    if (!config) throw new Error('tracing should be on');
    const proto = startTracing(config, { scheduledDelayMs: 50 });
    const traced = recordingFetch(
      createGateway({
        upstream: { kind: 'voipbin', baseURL: BASE_URL, accessKey: CANARY },
        security: { insecureNoAuth: true },
        client: { fetch: (input, init) => emulator.fetch(new Request(input, init)), retry: 0 },
        observer: proto.observer,
      }),
    );
    try {
      const { json } = await postGraphQL(traced, PLACE_CALL);
      expect(json.errors).toBeUndefined();
      await proto.flush();
      expect(sink.types).toContain('application/x-protobuf');
      const bytes = sink.bodies.join('\n');
      // OTLP's protobuf keeps strings as they are: the names are there, and nothing else.
      expect(bytes).toContain('mutation PlaceCall');
      expect(bytes).toContain('POST /v1.0/calls');
      // (Not '?': a binary id or timestamp may hold that byte. The query's key is `accesskey`.)
      for (const secret of [
        CANARY,
        'accesskey',
        QUICKSTART.source,
        QUICKSTART.destination,
        TRACED_TALK,
      ]) {
        expect(bytes).not.toContain(secret);
      }
    } finally {
      await traced.close();
      await proto.shutdown();
      await sink.close();
    }
  });
});

describe('a collector that refuses the spans', () => {
  it('is said in a warning, once, by its status: no URL, no header', async () => {
    const sink = await startReceiver();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const config = readTracingEnv({
      // The receiver answers 404 anywhere but /v1/traces.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.endpoint}/refused`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=refused%20secret',
    });
    if (!config) throw new Error('tracing should be on');
    const refused = startTracing(config, { scheduledDelayMs: 10 });
    const traced = createGateway({
      upstream: { kind: 'emulator', emulator },
      observer: refused.observer,
    });
    try {
      await postGraphQL(traced, '{ calls(first: 1) { nodes { id } } }');
      await refused.flush();
      await postGraphQL(traced, '{ calls(first: 1) { nodes { id } } }');
      await refused.flush();
      const lines = warn.mock.calls.map((args) => args.join(' '));
      expect(lines.filter((line) => line.includes('traces not exported'))).toEqual([
        'traces not exported: the collector answered HTTP 404 (said once a minute at most)',
      ]);
      expect(lines.join('\n')).not.toMatch(/refused secret|127\.0\.0\.1/);
    } finally {
      warn.mockRestore();
      await traced.close();
      await refused.shutdown();
      await sink.close();
    }
  });
});
