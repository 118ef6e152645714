/**
 * VoIPBIN's call quickstarts, run as written against the emulator over real HTTP: the 2023 one's
 * two curl requests (method, `?token=`, Content-Type, the --data-raw body, trailing comma and
 * all) and the current one's (an extension by `target_name`) are read from their .rst and sent
 * to 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@voipbin-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, DEFAULT_CUSTOMER_ID, type Emulator } from '../src/index.ts';
import { listen, type RunningEmulator } from '../src/node.ts';
import { conforming } from './support/conforming.ts';
import {
  currentQuickstart,
  type QuickstartRequest,
  quickstartRequests,
} from './support/quickstart.ts';

const [manual, existing] = quickstartRequests() as [QuickstartRequest, QuickstartRequest];
const QUICKSTART_FLOW_ID = 'ed95a3c4-22d4-11ee-add7-8742a741581e';

/** Where curl is installed, if it is. */
const CURL = (process.env.PATH ?? '')
  .split(path.delimiter)
  .map((dir) => path.join(dir, 'curl'))
  .find((file) => existsSync(file));

/** Sends a quickstart request as its curl command does, to the emulator instead of VoIPBIN. */
async function send(
  running: RunningEmulator,
  request: Pick<QuickstartRequest, 'method' | 'url' | 'headers' | 'body'>,
) {
  const url = new URL(`${request.url.pathname}${request.url.search}`, running.url);
  const response = await fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(5_000),
  });
  return { response, body: await response.json() };
}

/**
 * What every call of the quickstart's own (2023) answers shows, whatever the request, as
 * VoIPBIN writes it now: the empty strings and lists of 2023 are left out (omitempty).
 */
function constantFieldsOf(answer: Record<string, unknown>) {
  const { type, master_call_id, recording_id, status, direction, customer_id } = answer;
  const action = answer.action as { id: string; next_id: string };
  return {
    ...{ type, master_call_id, recording_id, status, direction, customer_id },
    action: { id: action.id, next_id: action.next_id },
  };
}

it('reads both requests of the quickstart, as curl sends them', () => {
  expect(manual.title).toBe('Make your first voice call with manual actions');
  expect(existing.title).toBe('Make your first voice call with existing flow');
  for (const request of [manual, existing]) {
    expect(request.method).toBe('POST');
    expect(request.url.pathname).toBe('/v1.0/calls');
    expect(request.url.searchParams.get('token')).toBe('your-voipbin-token');
    expect(request.headers).toEqual({ 'Content-Type': 'application/json' });
  }
  // The second body is sent as written: with its trailing comma, not strict JSON.
  expect(existing.body).toMatch(/"flow_id": "ed95a3c4-22d4-11ee-add7-8742a741581e",\s*}$/);
  expect(() => JSON.parse(existing.body)).toThrow(SyntaxError);
  expect(JSON.parse(manual.body)).toMatchObject({ source: { target: manual.source } });
});

describe('the 2023 quickstart over HTTP, trailing comma accepted (strictJson: false)', () => {
  let emulator: Emulator;
  let running: RunningEmulator;

  beforeAll(async () => {
    emulator = conforming(createEmulator({ strictJson: false }));
    running = await listen(emulator, { port: 0 });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('listens on 127.0.0.1 on a free port', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
    expect(running.port).toBeGreaterThan(0);
  });

  it.each([
    ['manual actions', manual],
    ['existing flow', existing],
  ])('places the call of "%s": 200, { calls, groupcalls: [] }, dialing', async (_name, request) => {
    const { response, body } = await send(running, request);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(body).sort()).toEqual(['calls', 'groupcalls']);
    expect(body.groupcalls).toEqual([]);
    expect(body.calls).toHaveLength(1);
    const [call] = body.calls;
    for (const empty of ['hangup_by', 'hangup_reason', 'chained_call_ids', 'tm_update']) {
      expect(call[empty]).toBeUndefined();
    }
    expect(call).toMatchObject({
      ...constantFieldsOf(request.answer[0] as Record<string, unknown>),
      status: 'dialing',
      customer_id: DEFAULT_CUSTOMER_ID,
      source: { type: 'tel', target: request.source },
      destination: { type: 'tel', target: request.destination },
    });
    if (request === existing) {
      expect(call.flow_id).toBe(QUICKSTART_FLOW_ID);
      // The trailing comma is accepted, and said so.
      expect(response.headers.get('warning')).toMatch(/trailing comma/);
    } else {
      expect(call.flow_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(call.flow_id).not.toBe(QUICKSTART_FLOW_ID);
      expect(response.headers.get('warning')).toBeNull();
    }

    // core's client reads the call back over the same HTTP server.
    const client = createClient({ baseURL: running.url, token: 'your-voipbin-token' });
    const read = await client.calls.get(call.id);
    expect(read).toMatchObject({
      id: call.id,
      status: 'dialing',
      flow_id: call.flow_id,
      source: { type: 'tel', target: request.source },
      destination: { type: 'tel', target: request.destination },
      action: { id: '00000000-0000-0000-0000-000000000001', type: null },
    });
    const { result } = await client.calls.list({ page_size: 100 });
    expect(result.map((c) => c.id)).toContain(call.id);
  });

  it.skipIf(!CURL)(
    'answers the first request sent by the curl binary itself (skipped when curl is not installed)',
    async () => {
      const url = new URL(`${manual.url.pathname}${manual.url.search}`, running.url);
      const args = ['--silent', '--show-error', '--max-time', '10', '--location'];
      args.push('--request', manual.method, url.href);
      for (const [name, value] of Object.entries(manual.headers)) {
        args.push('--header', `${name}: ${value}`);
      }
      args.push('--data-raw', manual.body, '--write-out', '\n%{http_code}');
      const { stdout } = await promisify(execFile)(CURL as string, args, { timeout: 15_000 });
      const lines = stdout.trimEnd().split('\n');
      const code = lines.pop();
      expect(code).toBe('200');
      const body = JSON.parse(lines.join('\n'));
      expect(body.groupcalls).toEqual([]);
      expect(body.calls[0]).toMatchObject({
        status: 'dialing',
        source: { target: manual.source },
        destination: { target: manual.destination },
      });
      expect(emulator.call(body.calls[0].id)?.status).toBe('dialing');
    },
  );
});

describe('the 2023 quickstart over HTTP by default, strict JSON as VoIPBIN', () => {
  let emulator: Emulator;
  let running: RunningEmulator;

  beforeAll(async () => {
    emulator = conforming(createEmulator());
    running = await listen(emulator, { port: 0 });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('places the first call (strict JSON) and refuses the second (trailing comma), as VoIPBIN', async () => {
    const first = await send(running, manual);
    expect(first.response.status).toBe(200);
    expect(first.body.calls[0].status).toBe('dialing');

    const second = await send(running, existing);
    expect(second.response.status).toBe(400);
    expect(second.body).toEqual({
      error: expect.objectContaining({
        status: 'INVALID_ARGUMENT',
        reason: 'INVALID_JSON_BODY',
        request_id: expect.any(String),
      }),
    });
    // Nothing was placed for the refused request.
    expect(emulator.calls().map((c) => c.id)).toEqual([first.body.calls[0].id]);
  });
});

describe("VoIPBIN's current quickstart (an extension by target_name) over HTTP", () => {
  let emulator: Emulator;
  let running: RunningEmulator;
  const request = currentQuickstart();

  beforeAll(async () => {
    emulator = conforming(createEmulator());
    running = await listen(emulator, { port: 0 });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('reads the request of quickstart_call.rst, as curl sends it', () => {
    expect(request.method).toBe('POST');
    expect(request.url.pathname).toBe('/v1.0/calls');
    expect(request.url.searchParams.get('token')).toBe('<your-token>');
    expect(JSON.parse(request.body).destinations).toEqual([
      { type: 'extension', target_name: 'quickstart-phone' },
    ]);
  });

  it('answers { calls: [], groupcalls: [ ... ] } as the quickstart shows, its call_ids legs that can be read', async () => {
    const { response, body } = await send(running, request);
    expect(response.status).toBe(200);
    expect(body.calls).toEqual([]);
    expect(body.groupcalls).toHaveLength(1);
    const [group] = body.groupcalls;
    expect(group).toMatchObject({
      ...request.answer,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customer_id: DEFAULT_CUSTOMER_ID,
      call_ids: [expect.stringMatching(/^[0-9a-f-]{36}$/)],
    });
    const client = createClient({ baseURL: running.url, token: 'your-token' });
    const leg = await client.calls.get(group.call_ids[0]);
    expect(leg).toMatchObject({
      status: 'dialing',
      destination: { type: 'extension', target_name: 'quickstart-phone' },
    });
  });
});
