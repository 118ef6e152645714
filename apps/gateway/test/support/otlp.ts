/**
 * An OTLP/HTTP receiver for the tests: a node:http server on 127.0.0.1 that takes what an
 * exporter POSTs to /v1/traces (JSON) and keeps each body's text and its spans.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QUICKSTART } from './graphql.ts';

/** The talk text the tracing tests send: it must never be in a span. */
export const TRACED_TALK = 'Tracing canary words: never in a span.';

/** The quickstart's numbers and TRACED_TALK, as `mutation PlaceCall`; `$key` its idempotency key. */
export const PLACE_CALL = /* GraphQL */ `
  mutation PlaceCall($key: String) {
    createCall(idempotencyKey: $key, input: {
      source: { type: TEL, target: "${QUICKSTART.source}" }
      destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }]
      actions: [{ talk: { text: "${TRACED_TALK}" } }]
    }) { calls { id status } }
  }`;

type Value = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
type KeyValue = { key: string; value: Value };

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  /** Nanoseconds since the epoch, as OTLP's JSON writes them (strings). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number };
  attributes: Record<string, string | number | boolean | undefined>;
  resource: Record<string, string | number | boolean | undefined>;
}

export interface Receiver {
  /** The collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT). */
  endpoint: string;
  /** Every body received, as text (protobuf's as latin1): what the canary checks read. */
  bodies: string[];
  /** The content type of each export. */
  types: string[];
  /** The headers of each export. */
  headers: IncomingHttpHeaders[];
  spans: ReceivedSpan[];
  /** Resolves with the spans (JSON exports) once `test` holds of them; rejects after `timeoutMs`. */
  waitFor(test: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const plain = (value: Value | undefined) =>
  value?.stringValue ?? (value?.intValue === undefined ? value?.boolValue : Number(value.intValue));

const record = (list: KeyValue[] | undefined) =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, plain(value)]));

export async function startReceiver(): Promise<Receiver> {
  const bodies: string[] = [];
  const types: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const spans: ReceivedSpan[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const type = request.headers['content-type'] ?? '';
      types.push(type);
      headers.push(request.headers);
      if (type !== 'application/json') {
        // OTLP's protobuf: kept as bytes read as latin1 (its strings are UTF-8 inside), not decoded.
        bodies.push(Buffer.concat(chunks).toString('latin1'));
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        for (const wake of waiters) wake();
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      bodies.push(text);
      const body = JSON.parse(text) as {
        resourceSpans?: {
          resource?: { attributes?: KeyValue[] };
          scopeSpans?: {
            spans?: (Omit<ReceivedSpan, 'attributes' | 'resource'> & { attributes?: KeyValue[] })[];
          }[];
        }[];
      };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = record(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({ ...span, attributes: record(span.attributes), resource });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bodies,
    types,
    headers,
    spans,
    waitFor(test, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!test(spans)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(spans);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `the receiver did not get the spans within ${timeoutMs} ms; it has: ${spans.map((s) => s.name).join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The spans of `trace`, each with its parent's name (or `-` for the root). */
export function tree(spans: ReceivedSpan[], traceId: string): string[] {
  const mine = spans.filter((span) => span.traceId === traceId);
  const byId = new Map(mine.map((span) => [span.spanId, span]));
  return mine.map(
    (span) =>
      `${span.name} <- ${span.parentSpanId ? (byId.get(span.parentSpanId)?.name ?? '?') : '-'}`,
  );
}
