/**
 * The metrics of a running entry (GATEWAY_METRICS=true): its Prometheus text scraped and read,
 * the ports a process listens on, and the scenario every entry runs: a subscription that
 * receives a frame, a createCall, its replay, a rate-limited one and a refused one, each counter
 * compared before and after (never to a fixed number). What the scenario needs of the entry:
 * GATEWAY_RATE_LIMIT_PER_MINUTE=1 and GATEWAY_RATE_LIMIT_BURST=1 (METRICS_SCENARIO_ENV), and
 * +1900 denied (as every runtime test has it).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { expect } from 'vitest';
import { recordText } from './canary.ts';
import { QUICKSTART } from './graphql.ts';
import { CALL_EVENTS, PLACE } from './live.ts';
import { subscribe } from './sse.ts';

/** Added to an entry's environment for `expectCountersMove`: one createCall a minute. */
export const METRICS_SCENARIO_ENV = {
  GATEWAY_RATE_LIMIT_PER_MINUTE: '1',
  GATEWAY_RATE_LIMIT_BURST: '1',
};

/** One sample of a scrape: its metric name, its labels, its value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, read: every sample line (comments and blanks skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** A scrape: the text as served, and a sample's value by name and labels (0 when absent). */
export interface Scrape {
  text: string;
  contentType: string | null;
  value(name: string, labels?: Record<string, string>): number;
}

/** GETs `url` (a metrics port's `/metrics`) and reads it. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  expect(response.status, url).toBe(200);
  const text = await response.text();
  recordText(`GET ${url}`, text);
  const samples = parseMetrics(text);
  return {
    text,
    contentType: response.headers.get('content-type'),
    value: (name, labels = {}) =>
      samples
        .filter(
          (sample) =>
            sample.name === name &&
            Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
        )
        .reduce((sum, sample) => sum + sample.value, 0),
  };
}

/** Scrapes until `ready` holds of a scrape (bounded), and returns that scrape. */
async function scrapeUntil(url: string, ready: (now: Scrape) => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = await scrape(url);
    if (ready(now)) return now;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${now.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The TCP ports `pid` listens on (Linux: its socket inodes in /proc/net/tcp and tcp6), or
 * undefined where there is no /proc.
 */
export function listeningPorts(pid: number): number[] | undefined {
  let inodes: Set<string>;
  try {
    inodes = new Set(
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
          } catch {
            return undefined; // closed meanwhile
          }
        })
        .filter((inode) => inode !== undefined),
    );
  } catch {
    return undefined;
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      // local_address is fields[1] (hex ip:port), st fields[3] (0A: LISTEN), inode fields[9].
      if (fields[3] === '0A' && inodes.has(fields[9] as string)) {
        ports.add(Number.parseInt((fields[1] as string).split(':')[1] as string, 16));
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}

const mutation = (destination: string, idempotencyKey?: string) =>
  PLACE.replace(`target: "${QUICKSTART.destination}"`, `target: "${destination}"`).replace(
    '}) { calls',
    `}${idempotencyKey ? `, idempotencyKey: "${idempotencyKey}"` : ''}) { calls`,
  );

async function post(base: string, query: string) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(5_000),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever the gateway answers
  return (await response.json()) as Record<string, any>;
}

/**
 * Runs the scenario against the gateway at `base` whose metrics are at `metricsUrl`, and checks
 * that each counter moved by what it did, and that the scrape names no number, id or key.
 */
export async function expectCountersMove(base: string, metricsUrl: string): Promise<void> {
  const before = await scrape(metricsUrl);
  expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  const open = 'voipbin_gateway_subscriptions_open';
  const events = await subscribe(fetch, CALL_EVENTS, { url: `${base}/graphql` });
  let ids: string[] = [];
  const key = `metrics-${crypto.randomUUID()}`;
  try {
    await scrapeUntil(metricsUrl, (now) => now.value(open) === before.value(open) + 1, 'open');

    const placed = await post(base, mutation(QUICKSTART.destination, key));
    expect(placed.errors).toBeUndefined();
    ids = placed.data.createCall.calls.map((call: { id: string }) => call.id);
    const replayed = await post(base, mutation(QUICKSTART.destination, key));
    expect(replayed.data?.createCall.calls.map((call: { id: string }) => call.id)).toEqual(ids);
    const limited = await post(base, mutation(QUICKSTART.destination));
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const denied = await post(base, mutation('+19005550100'));
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The call's first state, handed over by createCall, then its next from the event socket.
    expect((await events.next()).data?.callEvents.id).toBe(ids[0]);
    const websocket = { source: 'websocket' };
    const after = await scrapeUntil(
      metricsUrl,
      (now) =>
        now.value('voipbin_gateway_events_received_total', websocket) >
        before.value('voipbin_gateway_events_received_total', websocket),
      'an event from the socket',
    );

    const moved = (name: string, labels?: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    const createCall = { operationType: 'mutation', operation: 'createCall' };
    expect({
      requests: moved('graphql_envelop_request', createCall),
      latencies: moved('graphql_envelop_request_duration_count', createCall),
      placed: moved('voipbin_gateway_calls_placed_total'),
      replays: moved('voipbin_gateway_idempotency_replays_total'),
      rateLimited: moved('voipbin_gateway_rate_limited_total'),
      forbidden: moved('voipbin_gateway_refusals_total', { code: 'FORBIDDEN' }),
      limitedCode: moved('voipbin_gateway_refusals_total', { code: 'RATE_LIMITED' }),
      upstreamCreate: moved('voipbin_gateway_upstream_requests_total', {
        method: 'POST',
        path: '/v1.0/calls',
        status: '200',
      }),
      upstreamLatency: moved('voipbin_gateway_upstream_request_duration_seconds_count', {
        method: 'POST',
        path: '/v1.0/calls',
      }),
      open: moved(open),
    }).toEqual({
      // The first, its replay and the limited one reach the resolver; the denied one too.
      requests: 4,
      latencies: 4,
      placed: 1,
      replays: 1,
      rateLimited: 1,
      forbidden: 1,
      limitedCode: 1,
      upstreamCreate: 1,
      upstreamLatency: 1,
      open: 1,
    });
    expect(moved('voipbin_gateway_subscription_frames_total')).toBeGreaterThanOrEqual(1);
    expect(moved('voipbin_gateway_events_received_total', websocket)).toBeGreaterThanOrEqual(1);

    // Bounded labels only: no number, call id, idempotency key, talk text or query string.
    const samples = after.text
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    for (const secret of [
      QUICKSTART.source,
      QUICKSTART.destination,
      '19005550100',
      QUICKSTART.text,
      key,
      ...ids,
      '?',
    ]) {
      expect(samples).not.toContain(secret);
    }
  } finally {
    events.close();
  }
  // A subscription's operation is counted, and timed, when its stream ends.
  const callEvents = { operationType: 'subscription', operation: 'callEvents' };
  await scrapeUntil(
    metricsUrl,
    (now) =>
      now.value(open) === before.value(open) &&
      now.value('graphql_envelop_request', callEvents) ===
        before.value('graphql_envelop_request', callEvents) + 1 &&
      now.value('graphql_envelop_request_duration_count', callEvents) ===
        before.value('graphql_envelop_request_duration_count', callEvents) + 1,
    'the subscription closed and counted',
  );
}
