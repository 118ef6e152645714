/**
 * Traces from each runtime's entry, as a user starts it (Node's built dist, Bun and Deno on the
 * TypeScript source): with OTEL_EXPORTER_OTLP_ENDPOINT set, a receiver inside the test gets the
 * createCall's operation span with its VoIPBIN request as a child, and a span for each call
 * state the event source publishes while the call is followed live. Without the endpoint, the
 * entry says nothing of traces.
 */
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bunEntry,
  denoEntry,
  ensureBuilt,
  followQuickstartLive,
  type Launch,
  NODE_ENTRY,
  type Running,
  startGateway,
} from '../runtimes/support.ts';
import { QUICKSTART } from '../support/graphql.ts';
import { type Receiver, startReceiver } from '../support/otlp.ts';
import { type Found, findBun, findDeno } from '../support/runtimes.ts';

const node: Found = { path: process.execPath, version: process.version, tried: [] };
const RUNTIMES: [string, Found, (binary: string) => Launch][] = [
  [
    'Node',
    node,
    (binary) => ({ command: binary, args: [NODE_ENTRY], env: { GATEWAY_WEB_DIR: '' } }),
  ],
  ['Bun', findBun(), (binary) => bunEntry(binary)],
  ['Deno', findDeno(), denoEntry()],
];

for (const [name, found, launch] of RUNTIMES) {
  describe.skipIf(found.path === undefined)(`traces from the ${name} entry`, () => {
    let receiver: Receiver;
    let gateway: Running | undefined;

    beforeAll(async () => {
      if (name === 'Node') ensureBuilt();
      receiver = await startReceiver();
      const started = launch(found.path as string);
      gateway = await startGateway({
        ...started,
        env: {
          ...started.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          // Polled: the poller a subscription starts outlives the subscription's span.
          GATEWAY_EVENTS_SOURCE: 'poll',
          OTEL_SERVICE_NAME: `gateway-on-${name.toLowerCase()}`,
        },
      });
    }, READY_TIMEOUT_MS + 30_000);

    afterAll(async () => {
      await gateway?.stop(3_000);
      await receiver?.close();
    });

    it('says where traces go, and sends a followed call as spans', async () => {
      expect(gateway?.output()).toContain(
        `traces to ${receiver.endpoint}/v1/traces (OTLP http/json)`,
      );
      // Polled, a state may fall between two polls (the poll source's own tests cover it).
      const run = await followQuickstartLive((gateway as Running).base, { gaps: true });
      const spans = await receiver.waitFor((all) => {
        const post = all.find((span) => span.name === 'POST /v1.0/calls');
        const parent = post && all.find((span) => span.spanId === post.parentSpanId);
        const hangup = all.some(
          (span) =>
            span.name.startsWith('call event ') &&
            span.attributes['voipbin.call.id'] === run.id &&
            String(span.attributes['voipbin.call.status']).toLowerCase() === 'hangup',
        );
        return parent?.attributes['graphql.operation.type'] === 'mutation' && hangup;
      }, 20_000);
      const post = spans.find((span) => span.name === 'POST /v1.0/calls');
      const operation = spans.find((span) => span.spanId === post?.parentSpanId);
      expect(operation).toMatchObject({
        kind: 2,
        traceId: post?.traceId,
        attributes: { 'http.route': '/graphql', 'http.response.status_code': 200 },
        resource: { 'service.name': `gateway-on-${name.toLowerCase()}` },
      });
      // No span starts after its parent ended: a subscription's poller, which outlives the
      // subscription's own span, starts traces of its own. The SDK stamps a start with
      // Date.now() (whole milliseconds) and an end as its start plus the monotonic duration, so
      // a child begun in the parent's last millisecond can read up to 1 ms past its end (the
      // poller's first GET starts a few ms before the subscription's span ends). 2 ms: that 1 ms
      // and as much again for the two clocks' drift; a later poll comes 200 ms or more after.
      const CLOCK_TOLERANCE_NS = 2_000_000n;
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const late = spans.filter((span) => {
        const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
        return (
          parent &&
          BigInt(span.startTimeUnixNano) > BigInt(parent.endTimeUnixNano) + CLOCK_TOLERANCE_NS
        );
      });
      expect(
        late.map((span) => `${span.name} after ${byId.get(span.parentSpanId ?? '')?.name}`),
      ).toEqual([]);
      const text = receiver.bodies.join('\n');
      for (const secret of [
        QUICKSTART.source,
        QUICKSTART.destination,
        QUICKSTART.source.slice(1),
        QUICKSTART.text,
        '?',
      ]) {
        expect(text).not.toContain(secret);
      }
    }, 60_000);
  });
}

describe('the Node entry without an OTLP endpoint', () => {
  it(
    'says nothing of traces',
    async () => {
      ensureBuilt();
      const gateway = await startGateway({
        command: process.execPath,
        args: [NODE_ENTRY],
        env: { GATEWAY_WEB_DIR: '' },
      });
      try {
        expect(gateway.output()).not.toContain('traces to');
      } finally {
        await gateway.stop(3_000);
      }
    },
    READY_TIMEOUT_MS + 30_000,
  );
});
