/**
 * Fault injection, as a client sees it: each fault gives core's client the error a user must
 * handle, both in-process (the emulator's `fetch`) and over real HTTP (`listen()`), and the
 * emulator serves normally again once the faults are cleared.
 */
import {
  ACTION_SCHEMAS,
  type CreateCallRequest,
  createClient,
  VoipbinApiError,
  type VoipbinClient,
  VoipbinNetworkError,
  VoipbinResponseError,
  VoipbinTimeoutError,
} from '@voipbin-kit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type FaultRule } from '../src/index.ts';
import { listen } from '../src/node.ts';
import { conforming } from './support/conforming.ts';

const CALL: CreateCallRequest = {
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [{ type: 'talk', option: { text: 'Hello.' } }],
};
/** Well beyond the client timeout below (itself loose enough for a loaded machine: a healthy
 * answer over HTTP took over 150 ms under the full check), short enough to keep the suite quick. */
const TIMEOUT = 500;
const LATENCY = 3_000;

interface Transport {
  name: string;
  start(
    emulator: Emulator,
  ): Promise<{ baseURL: string; fetch: typeof fetch; close(): Promise<void> }>;
}

/** The deadlines of the client's requests under way (see `setup`). */
const inFlight = new Set<AbortSignal | null | undefined>();

const TRANSPORTS: Transport[] = [
  {
    name: 'in-process',
    start: async (emulator) => ({
      baseURL: 'http://emulator.test/v1.0',
      fetch: (input, init) => emulator.fetch(new Request(input, init)),
      close: async () => {},
    }),
  },
  {
    name: 'over HTTP',
    start: async (emulator) => {
      const running = await listen(emulator, { port: 0 });
      return { baseURL: running.url, fetch: globalThis.fetch, close: () => running.close() };
    },
  },
];

describe.each(TRANSPORTS)('faults, $name', (transport) => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  /** An emulator with these faults, a client counting the requests it sends, and a raw fetch. */
  async function setup(rules: FaultRule[]) {
    const emulator = conforming(createEmulator());
    emulator.faults.set(rules);
    const served = await transport.start(emulator);
    closers.push(served.close);
    const requests: string[] = [];
    const voipbin = createClient({
      actions: ACTION_SCHEMAS,
      baseURL: served.baseURL,
      token: 'test-token-123',
      timeout: TIMEOUT,
      retryDelay: 0,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        requests.push(`${request.method} ${new URL(request.url).pathname}`);
        // The client's deadline (an AbortSignal.timeout) is held here until the answer: the
        // client itself keeps no strong reference to it while the request is under way, so a
        // garbage collection could drop it before it fires, and the timeout never come.
        inFlight.add(init?.signal);
        try {
          return await served.fetch(request);
        } finally {
          inFlight.delete(init?.signal);
        }
      },
    });
    const raw = (path: string, init: RequestInit = {}) =>
      served.fetch(`${served.baseURL}${path}?token=test-token-123`, {
        ...init,
        signal: AbortSignal.timeout(5_000),
      });
    // The same server without the short deadline: on a loaded machine a normal answer may take
    // longer than TIMEOUT, and no wall-clock figure may decide whether it served normally.
    const steady = createClient({
      actions: ACTION_SCHEMAS,
      baseURL: served.baseURL,
      token: 'test-token-123',
      fetch: (input, init) => served.fetch(new Request(input, init)),
    });
    return { emulator, voipbin, requests, raw, steady };
  }

  /** After clearing the faults, the emulator places, reads and lists calls as usual. */
  async function expectServesNormally(emulator: Emulator, voipbin: VoipbinClient) {
    emulator.faults.clear();
    const { calls } = await voipbin.calls.create(CALL);
    const id = calls[0]?.id as string;
    expect((await voipbin.calls.get(id)).status).toBe('dialing');
    expect((await voipbin.calls.list({ page_size: 100 })).result.map((c) => c.id)).toContain(id);
    expect((await voipbin.flows.list()).result.length).toBeGreaterThan(0);
  }

  it('latency beyond the timeout: a POST times out once, never retried, outcome unknown', async () => {
    const { emulator, voipbin, requests, steady } = await setup([
      { method: 'POST', path: '/v1.0/calls', latency: LATENCY },
    ]);
    // A timeout error: the client gave up, it did not wait for the late answer.
    const error = await voipbin.calls.create(CALL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinTimeoutError);
    expect(error).toMatchObject({ outcomeUnknown: true, timeout: TIMEOUT });
    expect(requests).toEqual(['POST /v1.0/calls']);
    await expectServesNormally(emulator, steady);
  });

  it('latency on a GET: retried, and answered once the fault is used up', async () => {
    const { emulator, voipbin, requests, steady } = await setup([
      { method: 'GET', path: '/v1.0/calls', latency: LATENCY, times: 2 },
    ]);
    expect((await voipbin.calls.list()).result).toEqual([]);
    expect(requests).toEqual(['GET /v1.0/calls', 'GET /v1.0/calls', 'GET /v1.0/calls']);
    await expectServesNormally(emulator, steady);
  });

  it('503 on a GET: retried, and answered once the fault is used up', async () => {
    const { emulator, voipbin, requests, steady } = await setup([
      { method: 'GET', path: '/v1.0/calls', status: 503, times: 2 },
    ]);
    expect((await voipbin.calls.list()).result).toEqual([]);
    expect(requests).toHaveLength(3);
    await expectServesNormally(emulator, steady);
  });

  it('503 on every try of a GET: VoipbinApiError UNAVAILABLE after the retries', async () => {
    const { emulator, voipbin, requests, steady } = await setup([
      { path: '/v1.0/flows', status: 503 },
    ]);
    const error = await voipbin.flows.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinApiError);
    expect(error).toMatchObject({
      httpStatus: 503,
      status: 'UNAVAILABLE',
      reason: 'INJECTED_FAULT',
    });
    expect(requests).toHaveLength(3);
    await expectServesNormally(emulator, steady);
  });

  it('500 and 503 on POST /calls: VoipbinApiError, one request each, nothing placed', async () => {
    for (const status of [500, 503] as const) {
      const { emulator, voipbin, requests, steady } = await setup([
        { method: 'POST', path: '/v1.0/calls', status },
      ]);
      const error = await voipbin.calls.create(CALL).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VoipbinApiError);
      expect(error).toMatchObject({
        httpStatus: status,
        status: status === 500 ? 'INTERNAL' : 'UNAVAILABLE',
        requestId: expect.any(String),
      });
      expect(requests).toEqual(['POST /v1.0/calls']);
      expect(emulator.calls()).toEqual([]);
      await expectServesNormally(emulator, steady);
    }
  });

  it('500 on a GET is not retried (it is not a transient status)', async () => {
    const { emulator, voipbin, requests, steady } = await setup([{ method: 'GET', status: 500 }]);
    await expect(voipbin.calls.list()).rejects.toMatchObject({ httpStatus: 500 });
    expect(requests).toHaveLength(1);
    await expectServesNormally(emulator, steady);
  });

  it('a dropped connection: VoipbinNetworkError; a GET is retried and then answered', async () => {
    const { emulator, voipbin, requests, steady } = await setup([
      { method: 'GET', path: /^\/v1\.0\/calls$/, drop: true, times: 1 },
    ]);
    expect((await voipbin.calls.list()).result).toEqual([]);
    expect(requests).toHaveLength(2);

    emulator.faults.set([{ path: '/v1.0/calls', drop: true }]);
    const error = await voipbin.calls.create(CALL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: true });
    // Dropped before it was handled: nothing placed.
    expect(emulator.calls()).toEqual([]);
    await expectServesNormally(emulator, steady);
  });

  it('a dropped connection leaves a bare fetch without an answer', async () => {
    const { emulator, steady, raw } = await setup([{ path: '/v1.0/calls', drop: true }]);
    await expect(raw('/calls')).rejects.toThrow(TypeError);
    await expectServesNormally(emulator, steady);
  });

  it('a drop after POST /calls was handled: the call WAS placed, the client cannot know', async () => {
    const { emulator, voipbin, requests } = await setup([
      { method: 'POST', path: '/v1.0/calls', drop: true, after: true, times: 1 },
    ]);
    const error = await voipbin.calls.create(CALL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: true, request: { method: 'POST' } });
    expect(requests).toEqual(['POST /v1.0/calls']);
    const placed = emulator.calls();
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({
      status: 'dialing',
      destination: { target: '+821021656521' },
    });
    // The call is there to be found by listing.
    expect((await voipbin.calls.list()).result.map((c) => c.id)).toEqual([placed[0]?.id]);
  });

  it.each([
    ['timeout', 'REQUEST_TIMEOUT', 'The request timed out.'],
    ['canceled', 'REQUEST_CANCELED', 'The request was canceled.'],
  ] as const)(
    "VoIPBIN gave up (%s) after placing the call: 503 %s, as am's error_translate.go answers",
    async (gaveUp, reason, message) => {
      const { emulator, voipbin, requests } = await setup([
        { method: 'POST', path: '/v1.0/calls', gaveUp, after: true, times: 1 },
      ]);
      const error = await voipbin.calls.create(CALL).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VoipbinApiError);
      expect(error).toMatchObject({
        httpStatus: 503,
        status: 'UNAVAILABLE',
        reason,
        upstreamMessage: message,
        outcomeUnknown: true,
      });
      expect(requests).toEqual(['POST /v1.0/calls']);
      // It rang all the same.
      expect(emulator.calls()).toHaveLength(1);
    },
  );

  it('malformed JSON: VoipbinResponseError', async () => {
    const { emulator, voipbin, steady } = await setup([{ path: '/v1.0/calls', malformed: true }]);
    const error = await voipbin.calls.create(CALL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinResponseError);
    expect(error).toMatchObject({ httpStatus: 200, issues: [{ message: 'Expected a JSON body' }] });
    await expect(voipbin.calls.list()).rejects.toThrow(VoipbinResponseError);
    await expectServesNormally(emulator, steady);
  });

  it('a 200 with a body of the wrong shape: VoipbinResponseError naming the field', async () => {
    const { emulator, voipbin, steady } = await setup([]);
    const id = (await voipbin.calls.create(CALL)).calls[0]?.id as string;
    emulator.faults.set([
      { method: 'GET', path: `/v1.0/calls/${id}`, body: '{"call": {"id": "x"}}' },
      { method: 'GET', path: '/v1.0/calls', body: '{"result": "none"}' },
    ]);
    const error = await voipbin.calls.get(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinResponseError);
    expect(error).toMatchObject({
      issues: expect.arrayContaining([{ path: 'id', message: 'Required' }]),
    });
    await expect(voipbin.calls.list()).rejects.toMatchObject({
      name: 'VoipbinResponseError',
      issues: [expect.objectContaining({ path: 'result' })],
    });
    await expectServesNormally(emulator, steady);
  });

  it('a fault hits only its method and path, and only `times` requests', async () => {
    const { emulator, voipbin, requests } = await setup([
      { method: 'POST', path: /\/hangup$/, status: 503, times: 1 },
    ]);
    const id = (await voipbin.calls.create(CALL)).calls[0]?.id as string;
    expect((await voipbin.calls.get(id)).status).toBe('dialing');
    await expect(voipbin.calls.hangup(id)).rejects.toMatchObject({ httpStatus: 503 });
    expect((await voipbin.calls.hangup(id)).status).toBe('canceling');
    expect(requests).toHaveLength(4);
    expect(emulator.calls()).toHaveLength(1);
  });
});

it('faults belong to one emulator: another one serves normally', async () => {
  const faulty = conforming(createEmulator({ faults: [{ status: 503 }] }));
  const healthy = conforming(createEmulator());
  const request = () => new Request('http://emulator.test/v1.0/calls?token=test-token-123');
  expect((await faulty.fetch(request())).status).toBe(503);
  expect((await healthy.fetch(request())).status).toBe(200);
  faulty.faults.clear();
  expect((await faulty.fetch(request())).status).toBe(200);
});

it('reset() clears the faults', async () => {
  const emulator = conforming(createEmulator({ faults: [{ status: 500 }] }));
  emulator.reset();
  const answer = await emulator.fetch(new Request('http://emulator.test/v1.0/calls?token=abc123'));
  expect(answer.status).toBe(200);
});
