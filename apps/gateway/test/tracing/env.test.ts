/**
 * OpenTelemetry's environment variables as the gateway reads them (src/runtime/tracing/env.ts),
 * and what each Worker entry's bundle carries of tracing.
 */
import { describe, expect, it } from 'vitest';
import { describeTracing, readTracingEnv } from '../../src/runtime/tracing/env.ts';

describe('readTracingEnv', () => {
  it('is off without an endpoint, and when disabled', () => {
    expect(readTracingEnv({})).toBeUndefined();
    expect(readTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeUndefined();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(readTracingEnv({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(readTracingEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('sends to <endpoint>/v1/traces, or to the traces endpoint as it is', () => {
    expect(readTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 10_000,
      serviceName: 'voipbin-kit-gateway',
      resource: {},
      sampler: 'parentbased_always_on',
      ratio: 1,
    });
    expect(
      readTracingEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp/spans',
      })?.url,
    ).toBe('https://traces.example/otlp/spans');
  });

  it('reads headers, resource attributes, the service name, the timeout and the sampler', () => {
    const config = readTracingEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team = calls',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=voice',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment=prod',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(config).toMatchObject({
      headers: { authorization: 'Bearer abc', 'x-team': 'voice' },
      resource: { 'deployment.environment': 'prod' },
      serviceName: 'from-resource',
      timeoutMs: 2500,
      sampler: 'parentbased_traceidratio',
      ratio: 0.25,
    });
    expect(
      readTracingEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example',
        OTEL_SERVICE_NAME: 'calls-gateway',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource',
      })?.serviceName,
    ).toBe('calls-gateway');
  });

  it('refuses what it cannot do, naming the variable and never quoting a header', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(() => readTracingEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => readTracingEnv({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL: .*http\/protobuf \(the default\) or http\/json, not grpc/,
    );
    expect(readTracingEnv({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })?.protocol).toBe(
      'http/json',
    );
    expect(
      readTracingEnv({
        ...base,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      })?.protocol,
    ).toBe('http/protobuf');
    expect(() => readTracingEnv({ ...base, OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /OTEL_TRACES_SAMPLER: expected one of always_on/,
    );
    expect(() =>
      readTracingEnv({
        ...base,
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }),
    ).toThrow(/OTEL_TRACES_SAMPLER_ARG: expected a ratio from 0 to 1/);
    expect(() => readTracingEnv({ ...base, OTEL_EXPORTER_OTLP_TIMEOUT: '5s' })).toThrow(
      /OTEL_EXPORTER_OTLP_TIMEOUT/,
    );
    let message = '';
    try {
      readTracingEnv({ ...base, OTEL_EXPORTER_OTLP_HEADERS: 'Bearer-secret-token-value' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs/);
    expect(message).not.toContain('secret-token');
  });

  it('refuses a user, password or query in the URL, without quoting them', () => {
    for (const url of [
      'https://user:pass@collector.example/v1/traces',
      'https://collector.example/v1/traces?key=abc',
    ]) {
      let message = '';
      try {
        readTracingEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(
        /^Invalid tracing configuration: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: /,
      );
      expect(message).not.toMatch(/pass@|abc/);
    }
    expect(() =>
      readTracingEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '0',
      }),
    ).toThrow(/OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: expected a number of milliseconds, above 0/);
    const config = readTracingEnv({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/v1/traces',
    });
    expect(describeTracing(config as NonNullable<typeof config>)).toBe(
      'https://collector.example/v1/traces (OTLP http/protobuf)',
    );
  });
});

describe('the Worker bundles', () => {
  it("keep OpenTelemetry out of wrangler.toml's main, and have it in worker-traced.ts", async () => {
    const budgets = new URL('../../scripts/budgets.mjs', import.meta.url).href;
    const { measureWorkerBundle } = (await import(budgets)) as {
      measureWorkerBundle(options?: { entry?: string }): Promise<{ inputs: { path: string }[] }>;
    };
    const tracing = (inputs: { path: string }[]) =>
      inputs
        .map((input) => input.path)
        .filter((path) => /@opentelemetry|src\/runtime\/tracing\//.test(path));
    expect(tracing((await measureWorkerBundle()).inputs)).toEqual([]);
    const traced = await measureWorkerBundle({
      entry: new URL('../../src/runtime/worker-traced.ts', import.meta.url).pathname,
    });
    expect(tracing(traced.inputs)).toContainEqual(
      expect.stringMatching(/src\/runtime\/tracing\/index\.ts$/),
    );
  }, 60_000);
});
