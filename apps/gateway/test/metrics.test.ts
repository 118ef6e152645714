/**
 * The Node entry's Prometheus metrics (GATEWAY_METRICS=true): served on GATEWAY_METRICS_PORT
 * only, each counter moved by a subscription, a createCall, its replay, a rate-limited and a
 * refused one; and without GATEWAY_METRICS, no metrics port and no /metrics anywhere.
 */
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureBuilt,
  freePort,
  NODE_ENTRY,
  type Running,
  startGateway,
} from './runtimes/support.ts';
import { expectCountersMove, listeningPorts, METRICS_SCENARIO_ENV } from './support/metrics.ts';

const node = (env: Record<string, string>) => ({
  command: process.execPath,
  args: [NODE_ENTRY],
  env: { GATEWAY_WEB_DIR: '', ...env },
});

describe('the Node entry with GATEWAY_METRICS=true', () => {
  let gateway: Running | undefined;
  let metricsPort = 0;

  beforeAll(async () => {
    ensureBuilt();
    metricsPort = await freePort();
    gateway = await startGateway(
      node({
        ...METRICS_SCENARIO_ENV,
        GATEWAY_METRICS: 'true',
        GATEWAY_METRICS_PORT: String(metricsPort),
      }),
    );
  }, READY_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await gateway?.stop(3_000);
  });

  it('says where the metrics are, and serves them there and only there', async () => {
    const { base, port, child, output } = gateway as Running;
    expect(output()).toContain(`metrics on http://localhost:${metricsPort}/metrics`);
    const ports = listeningPorts(child.pid as number);
    if (ports) expect(ports).toEqual([port, metricsPort].sort((a, b) => a - b));
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const metrics = `http://127.0.0.1:${metricsPort}`;
    expect((await fetch(`${metrics}/graphql`)).status).toBe(404);
    expect((await fetch(`${metrics}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('moves each counter: requests and latency by operation, calls, replays, rate-limit hits, refusals by code, upstream requests, subscriptions, frames, events', async () => {
    await expectCountersMove((gateway as Running).base, `http://127.0.0.1:${metricsPort}/metrics`);
  }, 30_000);
});

it("keeps prom-client, Yoga's Prometheus plugin and the wrappers out of the Worker bundle", async () => {
  const budgets = new URL('../scripts/budgets.mjs', import.meta.url).href;
  const { measureWorkerBundle } = (await import(budgets)) as {
    measureWorkerBundle(): Promise<{ inputs: { path: string }[] }>;
  };
  const { inputs } = await measureWorkerBundle();
  expect(inputs.map((input) => input.path)).toContainEqual(
    expect.stringMatching(/src\/gateway\.ts$/),
  );
  expect(
    inputs
      .map((input) => input.path)
      .filter((path) =>
        /prom-client|prometheus|tdigest|src\/runtime\/(metrics|observe)\.ts$/.test(path),
      ),
  ).toEqual([]);
}, 60_000);

describe('the Node entry without GATEWAY_METRICS', () => {
  let gateway: Running | undefined;

  beforeAll(async () => {
    ensureBuilt();
    gateway = await startGateway(node({ GATEWAY_METRICS: 'false' }));
  }, READY_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await gateway?.stop(3_000);
  });

  it('listens on its API port alone, and has no /metrics there', async () => {
    const { base, port, child, output } = gateway as Running;
    expect(output()).not.toContain('metrics on');
    const ports = listeningPorts(child.pid as number);
    if (ports) expect(ports).toEqual([port]);
    else console.log('no /proc: the ports the entry listens on were not checked');
    const answer = await fetch(`${base}/metrics`);
    expect(answer.status).toBe(404);
    expect(await answer.text()).not.toMatch(/^# (HELP|TYPE) /m);
  });
});
