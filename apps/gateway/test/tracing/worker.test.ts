/**
 * Traces on workerd: src/runtime/worker-traced.ts bundled by `wrangler deploy --dry-run` as a
 * deploy would, run by Miniflare, with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a receiver in
 * this test. A createCall's operation span and its VoIPBIN request arrive as parent and child
 * (found by the request id, an isolate having no AsyncLocalStorage), sent after the answer with
 * `waitUntil`; none holds a phone number or the talk text. The Worker of wrangler.toml's
 * `main` carries no tracing and says so when the endpoint is set.
 */
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, dispose, runBundle, type WorkerBundle } from '../runtimes/miniflare.ts';
import { QUICKSTART } from '../support/graphql.ts';
import { PLACE_CALL, type Receiver, startReceiver, TRACED_TALK, tree } from '../support/otlp.ts';

let receiver: Receiver;
let bundle: WorkerBundle | undefined;
let mf: Miniflare | undefined;

beforeAll(
  async () => {
    receiver = await startReceiver();
    bundle = await bundleWorker({}, { script: 'src/runtime/worker-traced.ts' });
    ({ mf } = await runBundle(bundle, {
      EMULATOR_SPEED: '100',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'gateway-on-workerd',
    }));
  },
  2 * READY_TIMEOUT_MS + 30_000,
);

afterAll(async () => {
  await dispose(mf);
  await bundle?.remove();
  await receiver?.close();
});

describe('traces of the Worker with worker-traced.ts (workerd)', () => {
  it("sends a createCall's operation and its VoIPBIN request as one trace, after the answer", async () => {
    const response = await (mf as Miniflare).dispatchFetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-request-id': 'worker-trace-1',
      },
      body: JSON.stringify({ query: PLACE_CALL }),
    });
    const json = (await response.json()) as { errors?: unknown[] };
    expect(json.errors).toBeUndefined();
    const spans = await receiver.waitFor((all) =>
      all.some((span) => span.name === 'mutation PlaceCall'),
    );
    const operation = spans.find((span) => span.name === 'mutation PlaceCall');
    expect(operation).toMatchObject({
      kind: 2,
      attributes: { 'voipbin_kit.request_id': 'worker-trace-1', 'http.response.status_code': 200 },
      resource: { 'service.name': 'gateway-on-workerd' },
    });
    await receiver.waitFor((all) =>
      tree(all, operation?.traceId as string).includes('POST /v1.0/calls <- mutation PlaceCall'),
    );
    const text = receiver.bodies.join('\n');
    for (const secret of [
      QUICKSTART.source,
      QUICKSTART.destination,
      QUICKSTART.source.slice(1),
      TRACED_TALK,
      '?',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
