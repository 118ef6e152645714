/**
 * Every answer the emulator gives must be one VoIPBIN's OpenAPI spec allows: each scenario
 * below drives an emulator whose every answer is validated, as it is given, against the
 * response schema of that operation and status (support/conforming.ts, support/spec.ts). The
 * other test files check their emulators' answers the same way.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FAULT_HEADER } from '../src/faults.ts';
import {
  createEmulator,
  type EmulatorOptions,
  type FaultRule,
  QUICKSTART_FLOW,
  TEST_NUMBERS,
} from '../src/index.ts';
import { checked, conforming } from './support/conforming.ts';
import { sender } from './support/send.ts';
import { conformanceErrors, expectConforms, SPEC_PATH, UNDOCUMENTED } from './support/spec.ts';

const SOURCE = { type: 'tel', target: '+821028286521' } as const;
const DESTINATION = { type: 'tel', target: '+821021656521' } as const;
const TALK = [{ type: 'talk', option: { text: 'Hello.', gender: 'female', language: 'en-US' } }];
const UNKNOWN_ID = '3f1e8c52-0b6a-4c1e-9a55-6f0d2b7e4a19';
const AGENT_ID = '9b0c3f0e-5d2a-4e71-8f3b-2c6d1a0e9f47';
const EXTENSION_ID = 'c4f8e2a1-7b3d-4e6f-9a1c-5d2e8b0f3a67';
/** Two customers; their ids are UUIDs, as VoIPBIN's are (`customer_id` is `format: uuid`). */
const CREDENTIALS = {
  'key-a': 'a0a0a0a0-1111-4111-8111-000000000001',
  'key-b': 'b0b0b0b0-2222-4222-8222-000000000002',
};

const HTTP_OF = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PAYMENT_REQUIRED: 402,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as Record<string, number>;

/** An emulator whose every answer is checked against the spec as it gives it. */
function harness(options: EmulatorOptions = {}) {
  const emulator = conforming(createEmulator(options));

  const send = sender(emulator);

  return { emulator, send };
}

type Harness = ReturnType<typeof harness>;

/** A test that drives the emulator; every answer it gets must conform (see `harness`). */
function scenario(name: string, run: (h: Harness) => Promise<void>, options?: EmulatorOptions) {
  it(name, () => run(harness(options)));
}

/** Asserts VoIPBIN's error body with the HTTP code its status maps to. */
function expectError(
  answer: { status: number; body: { error?: Record<string, unknown> } },
  status: string,
  reason?: string,
) {
  expect(answer.status).toBe(HTTP_OF[status]);
  const error = answer.body.error;
  expect(error).toEqual(
    expect.objectContaining({
      status,
      reason: reason ?? expect.stringMatching(/^[A-Z][A-Z0-9_]*$/),
      message: expect.any(String),
      request_id: expect.stringMatching(/^\S+$/),
    }),
  );
  expect(String(error?.message).length).toBeGreaterThan(0);
}

/** The quickstart's call with `body`'s fields, as `credential` (the default one when none). */
const placeCall = (h: Harness, body: Record<string, unknown> = {}, credential?: string) =>
  h.send('POST', '/calls', {
    credential,
    body: { source: SOURCE, destinations: [DESTINATION], actions: TALK, ...body },
  });

describe('the validator', () => {
  it('rejects bodies the spec does not allow, naming the field', () => {
    const call = { id: UNKNOWN_ID, status: 'ringing-ish', direction: 'outgoing' };
    expect(conformanceErrors('GET', '/calls/{id}', 200, call)).toEqual([
      expect.stringContaining('/status must be equal to one of the allowed values'),
    ]);
    expect(() =>
      expectConforms('GET', '/calls/{id}', 200, { ...call, tm_create: 'yesterday' }),
    ).toThrow(/\/tm_create must match format "date-time"/);
    expect(() =>
      expectConforms('GET', '/calls/{id}', 404, {
        error: { status: 'NOT_FOUND', reason: 'CALL_NOT_FOUND', message: 'No call.' },
      }),
    ).toThrow(/request_id/);
    expect(() => expectConforms('GET', '/flows/{id}', 200, { id: 'not-a-uuid' })).toThrow(
      /\/id must match format "uuid"/,
    );
  });

  it('refuses a status the spec does not document for the operation', () => {
    expect(() => expectConforms('GET', '/calls', 404, {})).toThrow(/documents no 404 answer/);
  });

  it('admits the documented exception only: `action.type: ""` before the first action runs', () => {
    // The spec as published omits "" (VOIPBIN-FACTS.md, "Actions"): the exception is still needed.
    const raw = parse(readFileSync(SPEC_PATH, 'utf8'));
    expect(raw.components.schemas.FlowManagerActionType.enum).not.toContain('');

    const action = (type: string) => ({
      id: UNKNOWN_ID,
      status: 'dialing',
      action: { id: '00000000-0000-0000-0000-000000000001', type },
    });
    expect(conformanceErrors('GET', '/calls/{id}', 200, action(''))).toEqual([]);
    expect(conformanceErrors('GET', '/calls/{id}', 200, action('talk'))).toEqual([]);
    expect(conformanceErrors('GET', '/calls/{id}', 200, action('warble'))).not.toEqual([]);
  });

  it('reads `nullable` and `$ref` as OpenAPI 3.0 means them', () => {
    const groupcall = { id: UNKNOWN_ID, source: null, master_call_id: null, dial_index: null };
    expect(
      conformanceErrors('POST', '/calls', 200, { calls: [], groupcalls: [groupcall] }),
    ).toEqual([]);
    const call = { id: UNKNOWN_ID, source: null };
    expect(conformanceErrors('POST', '/calls', 200, { calls: [call], groupcalls: [] })).toEqual([
      expect.stringContaining('/calls/0/source must be object'),
    ]);
  });
});

describe('the check of every answer (support/conforming.ts)', () => {
  const CALL_ID = '5c4b2a1e-0d3f-4e8a-9b7c-6a5f4e3d2c1b';

  /** A handler that answers `status` and `body`, checked; `found` gets the problems. */
  function answering(status: number, body: unknown, headers?: Record<string, string>) {
    const found: string[] = [];
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const fetch = checked(
      async () => new Response(text, { status, headers }),
      (problems) => found.push(...problems),
    );
    return { fetch, found };
  }

  it('reports an answer that does not conform, naming the request and the field', async () => {
    const bad = { calls: [{ id: 'not-a-uuid', status: 'dialing' }], groupcalls: [] };
    const { fetch, found } = answering(200, bad);
    await fetch('http://emulator.test/v1.0/calls', { method: 'POST' });
    expect(found).toEqual([
      expect.stringMatching(/^POST \/v1\.0\/calls -> 200: \/calls\/0\/id must match format "uuid"/),
    ]);
    // Called as a server calls it, with a Request.
    const list = answering(200, { result: 'none' });
    await list.fetch(new Request('http://emulator.test/v1.0/calls?page_size=5'));
    expect(list.found).toEqual([expect.stringMatching(/^GET \/v1\.0\/calls -> 200: \/result /)]);
  });

  it('admits a status the spec does not document only when UNDOCUMENTED lists it', async () => {
    const error = {
      error: {
        status: 'NOT_FOUND',
        reason: 'FLOW_NOT_FOUND',
        message: 'No flow.',
        request_id: 'r',
      },
    };
    const listed = answering(404, error);
    await listed.fetch('http://emulator.test/v1.0/calls', { method: 'POST' });
    expect(UNDOCUMENTED['POST /calls 404']).toBeDefined();
    expect(listed.found).toEqual([]);

    const unlisted = answering(404, error);
    await unlisted.fetch('http://emulator.test/v1.0/calls');
    expect(unlisted.found).toEqual(['GET /v1.0/calls -> 404: the spec documents no such answer']);

    const notAnError = answering(404, { error: 'no' });
    await notAnError.fetch('http://emulator.test/v1.0/calls', { method: 'POST' });
    expect(notAnError.found).toEqual([expect.stringContaining('POST /v1.0/calls -> 404: /error')]);
  });

  it('exempts the answers of injected faults, which the emulator marks', async () => {
    const found: string[] = [];
    const emulator = createEmulator();
    const fetch = checked(emulator.fetch, (problems) => found.push(...problems));
    const get = async (rule: FaultRule) => {
      emulator.faults.set([{ ...rule, times: 1 }]);
      const response = await fetch(`http://emulator.test/v1.0/calls/${CALL_ID}?token=t`);
      return response.headers.get(FAULT_HEADER);
    };
    // A malformed body, one of the wrong shape, a 5xx the operation does not document.
    expect(await get({ malformed: true })).toBe('malformed');
    expect(await get({ body: '{"call": {"id": "x"}}' })).toBe('body');
    expect(await get({ status: 502 })).toBe('status');
    expect(found).toEqual([]);
    // Still checked: an injected 5xx is VoIPBIN's error body; a real answer has no mark.
    const fake = answering(502, { error: 'down' }, { [FAULT_HEADER]: 'status' });
    await fake.fetch(`http://emulator.test/v1.0/calls/${CALL_ID}`);
    expect(fake.found).toEqual([expect.stringContaining('-> 502 (injected): /error')]);
    expect(await get({ latency: 1 })).toBeNull();
    expect(found).toEqual([]);
  });
});

describe('calls to phone numbers', () => {
  scenario('a quickstart call answers { calls, groupcalls } in the dialing state', async (h) => {
    const answer = await placeCall(h);
    expect(answer.status).toBe(200);
    expect(answer.body.groupcalls).toEqual([]);
    expect(answer.body.calls).toHaveLength(1);
    expect(answer.body.calls[0]).toMatchObject({
      status: 'dialing',
      source: SOURCE,
      destination: DESTINATION,
    });
    // fm Action: `type` omitempty, `tm_execute` written (null) until the action runs.
    expect(answer.body.calls[0].action).toEqual({
      id: '00000000-0000-0000-0000-000000000001',
      next_id: '00000000-0000-0000-0000-000000000000',
      tm_execute: null,
    });
    // A new call has tm_create only; empty strings are left out, UUIDs always written.
    expect(answer.body.calls[0].tm_update).toBeUndefined();
    expect(answer.body.calls[0].hangup_by).toBeUndefined();
    expect(answer.body.calls[0].groupcall_id).toBe('00000000-0000-0000-0000-000000000000');
  });

  scenario('a call read at every stage of its life, to hangup, conforms', async (h) => {
    const { body } = await placeCall(h, {
      actions: [
        { type: 'answer' },
        { type: 'talk', option: { text: 'Hello there, this is a test.', language: 'en-US' } },
        { type: 'digits_send', option: { digits: '12#', duration: 200, interval: 100 } },
        { type: 'sleep', option: { duration: 1000 } },
        { type: 'play', option: { stream_urls: ['https://example.com/a.wav'] } },
        { type: 'hangup' },
      ],
    });
    const id = body.calls[0].id;
    const seen = new Set<string>();
    for (let ms = 0; ms <= 30_000; ms += 100) {
      const { status, body: call } = await h.send('GET', `/calls/${id}`);
      expect(status).toBe(200);
      seen.add(`${call.status}:${call.action.type ?? ''}`);
      h.emulator.advance(100);
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'dialing:',
        'ringing:',
        'progressing:talk',
        'progressing:digits_send',
        'progressing:sleep',
        'progressing:play',
        'terminating:hangup',
        'hangup:hangup',
      ]),
    );
    const { body: last } = await h.send('GET', `/calls/${id}`);
    expect(last).toMatchObject({ status: 'hangup', hangup_by: 'local', hangup_reason: 'normal' });
  });

  scenario("each test number's ending conforms", async (h) => {
    const endings = {
      [TEST_NUMBERS.busy]: 'busy',
      [TEST_NUMBERS.noanswer]: 'noanswer',
      [TEST_NUMBERS.failed]: 'failed',
      [TEST_NUMBERS.machine]: 'amd',
      [TEST_NUMBERS.answer]: 'normal',
    };
    const ids: Record<string, string> = {};
    for (const target of Object.keys(endings)) {
      const { body } = await placeCall(h, {
        destinations: [{ type: 'tel', target }],
        actions: [{ type: 'amd', option: { machine_handle: 'hangup' } }, ...TALK],
      });
      ids[target] = body.calls[0].id;
    }
    const endless = await placeCall(h, {
      destinations: [{ type: 'tel', target: TEST_NUMBERS.endless }],
    });
    h.emulator.advance(60_000);
    for (const [target, reason] of Object.entries(endings)) {
      const { body } = await h.send('GET', `/calls/${ids[target]}`);
      expect(body).toMatchObject({ status: 'hangup', hangup_reason: reason });
    }
    const { body: still } = await h.send('GET', `/calls/${endless.body.calls[0].id}`);
    expect(still.status).toBe('progressing');
  });

  scenario(
    'a hangup action with a free-text reason ends the call with a hangup_reason the spec allows (normal)',
    async (h) => {
      const { body } = await placeCall(h, {
        actions: [...TALK, { type: 'hangup', option: { reason: 'bye-bye' } }],
      });
      h.emulator.advance(60_000);
      const { status, body: call } = await h.send('GET', `/calls/${body.calls[0].id}`);
      expect(status).toBe(200);
      expect(call).toMatchObject({ status: 'hangup', hangup_by: 'local', hangup_reason: 'normal' });
    },
  );

  scenario('one request to several numbers places a call to each', async (h) => {
    const destinations = [DESTINATION, { type: 'tel', target: '+821021656522' }];
    const { body } = await placeCall(h, { destinations, anonymous: 'no', variables: { a: 'b' } });
    expect(body.calls.map((c: { destination: unknown }) => c.destination)).toEqual(
      destinations.map((d) => expect.objectContaining(d)),
    );
  });

  scenario('a call with a flow_id runs that flow (flow_id wins over actions)', async (h) => {
    const { body } = await placeCall(h, { flow_id: QUICKSTART_FLOW.id });
    expect(body.calls[0].flow_id).toBe(QUICKSTART_FLOW.id);
    h.emulator.advance(4_500);
    const { body: call } = await h.send('GET', `/calls/${body.calls[0].id}`);
    expect(call.action).toMatchObject({ type: 'talk', option: QUICKSTART_FLOW.actions[0]?.option });
  });
});

describe('calls to extensions and agents', () => {
  scenario('give groupcalls whose call_ids are legs that can be read', async (h) => {
    const destinations = [
      { type: 'extension', target: EXTENSION_ID },
      { type: 'extension', target_name: 'front-desk' },
      { type: 'agent', target: AGENT_ID },
    ];
    const { status, body } = await placeCall(h, { destinations });
    expect(status).toBe(200);
    expect(body.calls).toEqual([]);
    expect(body.groupcalls).toHaveLength(3);
    for (const [i, group] of body.groupcalls.entries()) {
      expect(group.destinations).toEqual([expect.objectContaining(destinations[i])]);
      expect(group.call_ids).toHaveLength(1);
      const leg = await h.send('GET', `/calls/${group.call_ids[0]}`);
      expect(leg.status).toBe(200);
      // Not copied into the call's answer: always the nil UUID (a VoIPBIN quirk).
      expect(leg.body.groupcall_id).toBe('00000000-0000-0000-0000-000000000000');
      expect(h.emulator.call(group.call_ids[0])?.id).toBe(group.call_ids[0]);
    }
    h.emulator.advance(60_000);
    await h.send('GET', `/calls/${body.groupcalls[0].call_ids[0]}`);
  });

  scenario('a mix of a number and an agent gives one call and one groupcall', async (h) => {
    const { body } = await placeCall(h, {
      destinations: [DESTINATION, { type: 'agent', target: AGENT_ID }],
    });
    expect(body.calls).toHaveLength(1);
    expect(body.groupcalls).toHaveLength(1);
  });
});

describe('listing calls', () => {
  scenario('pages newest first until next_page_token is empty, each call once', async (h) => {
    const placed: string[] = [];
    for (let i = 0; i < 23; i++) {
      const { body } = await placeCall(h);
      placed.push(body.calls[0].id);
      h.emulator.advance(i % 3 === 0 ? 0 : 700);
    }
    const listed: string[] = [];
    let token = '';
    for (let page = 0; page < 10; page++) {
      const query = `?page_size=10${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
      const { status, body } = await h.send('GET', `/calls${query}`);
      expect(status).toBe(200);
      expect(body.result.length).toBeLessThanOrEqual(10);
      listed.push(...body.result.map((c: { id: string }) => c.id));
      token = body.next_page_token;
      if (!token) break;
    }
    expect(token).toBe('');
    expect(listed).toEqual([...placed].reverse());
  });

  scenario('an empty list answers result: [] and no next page', async (h) => {
    const { status, body } = await h.send('GET', '/calls');
    expect(status).toBe(200);
    expect(body).toEqual({ result: [], next_page_token: '' });
  });

  scenario(
    'page_size <= 0 or > 100 is 100; not an integer is 400 INVALID_REQUEST_PARAMETER',
    async (h) => {
      for (let i = 0; i < 3; i++) await placeCall(h);
      for (const query of ['', 'page_size=0', 'page_size=-5', 'page_size=101']) {
        const { status, body } = await h.send('GET', `/calls?${query}`);
        expect([query, status, body.result.length]).toEqual([query, 200, 3]);
      }
      for (const query of ['page_size=ten', 'page_size=1.5', 'page_size=']) {
        expectError(
          await h.send('GET', `/calls?${query}`),
          'INVALID_ARGUMENT',
          'INVALID_REQUEST_PARAMETER',
        );
      }
    },
  );

  scenario('next_page_token is set whenever result is not empty (am GetCalls)', async (h) => {
    const { body: placed } = await placeCall(h);
    const { body } = await h.send('GET', '/calls?page_size=5');
    expect(body.result).toHaveLength(1);
    expect(body.next_page_token).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Date.parse(body.next_page_token)).toBe(Date.parse(placed.calls[0].tm_create));
    const next = await h.send(
      'GET',
      `/calls?page_token=${encodeURIComponent(body.next_page_token)}`,
    );
    expect(next.body).toEqual({ result: [], next_page_token: '' });
  });
});

describe('hanging up and deleting calls', () => {
  scenario('a ringing call is canceled; an answered one terminates normally', async (h) => {
    const ringing = (await placeCall(h)).body.calls[0].id;
    h.emulator.advance(1_500);
    const canceled = await h.send('POST', `/calls/${ringing}/hangup`);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceling');

    const answered = (await placeCall(h)).body.calls[0].id;
    h.emulator.advance(4_500);
    const terminated = await h.send('POST', `/calls/${answered}/hangup`);
    expect(terminated.body.status).toBe('terminating');

    h.emulator.advance(1_000);
    expect((await h.send('GET', `/calls/${ringing}`)).body).toMatchObject({
      status: 'hangup',
      hangup_by: 'local',
      hangup_reason: 'cancel',
    });
    expect((await h.send('GET', `/calls/${answered}`)).body).toMatchObject({
      status: 'hangup',
      hangup_by: 'local',
      hangup_reason: 'normal',
    });
  });

  scenario('hanging up a call already hung up answers 200 with the call unchanged', async (h) => {
    const id = (await placeCall(h)).body.calls[0].id;
    h.emulator.advance(60_000);
    const before = (await h.send('GET', `/calls/${id}`)).body;
    const again = await h.send('POST', `/calls/${id}/hangup`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(before);
  });

  scenario(
    'DELETE hangs up a call in progress, sets tm_delete, emits call_deleted, answers 200',
    async (h) => {
      const events: string[] = [];
      h.emulator.subscribe((event) => events.push(`${event.type} ${event.data.status}`));
      const id = (await placeCall(h)).body.calls[0].id;
      h.emulator.advance(1_500);
      const deleted = await h.send('DELETE', `/calls/${id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({
        id,
        status: 'canceling',
        tm_delete: expect.any(String),
      });
      expect(deleted.body.tm_update).toBe(deleted.body.tm_delete);
      expect(events.slice(-2)).toEqual(['call_canceling canceling', 'call_deleted canceling']);
      h.emulator.advance(1_000);
      expect(events.at(-1)).toBe('call_hangup hangup');
      // am servicehandler callGet: a deleted call is refused from then on, and is not listed.
      expectError(await h.send('GET', `/calls/${id}`), 'FAILED_PRECONDITION', 'STATE_INVALID');
      expectError(await h.send('DELETE', `/calls/${id}`), 'FAILED_PRECONDITION', 'STATE_INVALID');
      expect((await h.send('GET', '/calls')).body.result).toEqual([]);
      expect(h.emulator.call(id)?.status).toBe('hangup');
    },
  );
});

describe('flows', () => {
  scenario('are created, read, listed, replaced and deleted', async (h) => {
    const created = await h.send('POST', '/flows', {
      body: { name: 'greeting', detail: 'says hello', actions: TALK },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'greeting', detail: 'says hello', type: 'flow' });
    const id = created.body.id;
    expect(created.body.actions[0]).toMatchObject({ id: expect.any(String), type: 'talk' });

    expect((await h.send('GET', `/flows/${id}`)).body).toEqual(created.body);

    const listed = await h.send('GET', '/flows?page_size=1');
    expect(listed.body.result).toHaveLength(1);
    expect(listed.body.next_page_token).not.toBe('');
    const rest = await h.send(
      'GET',
      `/flows?page_size=100&page_token=${encodeURIComponent(listed.body.next_page_token)}`,
    );
    const ids = [...listed.body.result, ...rest.body.result].map((f: { id: string }) => f.id);
    expect(ids.sort()).toEqual([id, QUICKSTART_FLOW.id].sort());

    const replaced = await h.send('PUT', `/flows/${id}`, {
      body: {
        name: 'farewell',
        detail: 'says bye',
        actions: [...TALK, { type: 'hangup', option: { reason: 'normal' } }],
        on_complete_flow_id: QUICKSTART_FLOW.id,
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id,
      name: 'farewell',
      on_complete_flow_id: QUICKSTART_FLOW.id,
    });
    expect(replaced.body.actions).toHaveLength(2);

    const deleted = await h.send('DELETE', `/flows/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id, tm_delete: expect.any(String) });
    expectError(await h.send('GET', `/flows/${id}`), 'NOT_FOUND', 'RESOURCE_NOT_FOUND');
  });

  scenario(
    'a deleted flow is 404 RESOURCE_NOT_FOUND wherever it is named, for its customer or another',
    async (h) => {
      const asA = { credential: 'key-a' };
      const asB = { credential: 'key-b' };
      const created = await h.send('POST', '/flows', {
        ...asA,
        body: { name: 'gone', detail: '', actions: TALK },
      });
      const id: string = created.body.id;
      expect((await h.send('DELETE', `/flows/${id}`, asA)).status).toBe(200);
      // am pkg/servicehandler/flow.go:27-29 (`flowGet`): fm keeps the flow with `tm_delete` set
      // (fm pkg/dbhandler/flows.go:265-277), and am answers it `serviceerrors.ErrNotFound`,
      // which am server/error_translate.go:66-67 words RESOURCE_NOT_FOUND. The customer is
      // checked after (flow.go:95, 156, 223): another customer's deleted flow is 404 too.
      const body = { name: 'x', detail: '', actions: [] };
      for (const as of [asA, asB]) {
        const uses = [
          h.send('GET', `/flows/${id}`, as),
          h.send('PUT', `/flows/${id}`, { ...as, body }),
          h.send('DELETE', `/flows/${id}`, as),
          // am pkg/servicehandler/call.go:102 (`CallCreate` reads the flow with `flowGet`).
          h.send('POST', '/calls', {
            ...as,
            body: { source: SOURCE, destinations: [DESTINATION], flow_id: id },
          }),
          // am pkg/servicehandler/flow.go:64 and 228: `on_complete_flow_id` too.
          h.send('POST', '/flows', { ...as, body: { ...body, on_complete_flow_id: id } }),
        ];
        for (const answer of await Promise.all(uses)) {
          expectError(answer, 'NOT_FOUND', 'RESOURCE_NOT_FOUND');
        }
      }
      expect(h.emulator.calls()).toEqual([]);
      // One flow flow-manager never had is still its own FLOW_NOT_FOUND (fm flowhandler/db.go:53-58).
      expectError(await h.send('GET', `/flows/${UNKNOWN_ID}`, asA), 'NOT_FOUND', 'FLOW_NOT_FOUND');
    },
    { credentials: CREDENTIALS },
  );

  scenario(
    'no call to a phone number for a customer whose identity is not verified: 403 IDENTITY_VERIFICATION_REQUIRED',
    async (h) => {
      // am servicehandler/call.go:66-86 (`CallCreate`): a `tel` destination asks for the
      // customer's identity status before the temporary flow is made (lines 88-99) or a flow_id
      // looked up (line 102); am server/error_translate.go:98-100 answers 403.
      const flows = h.emulator.flows().length;
      for (const body of [
        {},
        { actions: [{ type: 'dance' }] },
        { flow_id: UNKNOWN_ID },
        { destinations: [{ type: 'sip', target: 'alice@example.com' }, DESTINATION] },
      ]) {
        const refused = await placeCall(h, body, 'key-a');
        expectError(refused, 'PERMISSION_DENIED', 'IDENTITY_VERIFICATION_REQUIRED');
        expect(refused.body.error.message).toBe(
          'Customer identity verification is required for this operation.',
        );
      }
      expect(h.emulator.calls()).toEqual([]);
      expect(h.emulator.flows()).toHaveLength(flows);
      // No phone number, no check; a verified customer calls one as ever.
      const sip = await placeCall(
        h,
        { destinations: [{ type: 'sip', target: 'alice@example.com' }] },
        'key-a',
      );
      expect(sip.status).toBe(200);
      expect((await placeCall(h, {}, 'key-b')).status).toBe(200);
      expect(h.emulator.calls()).toHaveLength(2);
    },
    { credentials: CREDENTIALS, unverifiedCustomers: [CREDENTIALS['key-a']] },
  );

  scenario(
    "on_complete_flow_id must be a flow of the customer: 404 for none, 403 for another customer's",
    async (h) => {
      const asA = { credential: 'key-a' };
      const theirs = await h.send('POST', '/flows', {
        credential: 'key-b',
        body: { name: 'theirs', detail: '', actions: [] },
      });
      const mine = await h.send('POST', '/flows', {
        ...asA,
        body: { name: 'mine', detail: '', actions: [] },
      });
      const flowWith = (onComplete: string) => ({
        ...asA,
        body: { name: 'next', detail: '', actions: TALK, on_complete_flow_id: onComplete },
      });
      // am pkg/servicehandler/flow.go:62-72 (`FlowCreate`) and 227-236 (`FlowUpdate`): a
      // parsed on_complete_flow_id is read with `flowGet`, then its customer checked.
      for (const [method, path] of [
        ['POST', '/flows'],
        ['PUT', `/flows/${mine.body.id}`],
      ] as const) {
        expectError(
          await h.send(method, path, flowWith(UNKNOWN_ID)),
          'NOT_FOUND',
          'FLOW_NOT_FOUND',
        );
        expectError(
          await h.send(method, path, flowWith(theirs.body.id)),
          'PERMISSION_DENIED',
          'PERMISSION_DENIED',
        );
        // am server/flows.go:41-44, 167-170: one that does not parse is the nil UUID, unchecked.
        const unparsed = await h.send(method, path, flowWith('not-a-uuid'));
        expect(unparsed.status).toBe(200);
        expect(unparsed.body.on_complete_flow_id).toBe('00000000-0000-0000-0000-000000000000');
        const own = await h.send(method, path, flowWith(mine.body.id));
        expect(own.body.on_complete_flow_id).toBe(mine.body.id);
      }
      // It is checked before the actions (the flow-manager call comes after, flow.go:74, 238).
      const both = flowWith(UNKNOWN_ID);
      both.body.actions = [{ type: 'no_such_action', option: {} }] as never;
      expectError(await h.send('POST', '/flows', both), 'NOT_FOUND', 'FLOW_NOT_FOUND');
      // PUT binds the body before it reads the flow (am server/flows.go:155-160, 172).
      expectError(
        await h.send('PUT', `/flows/${UNKNOWN_ID}`, { ...asA, raw: '{' }),
        'INVALID_ARGUMENT',
        'INVALID_JSON_BODY',
      );
    },
    { credentials: CREDENTIALS },
  );

  scenario(
    "answers a flow as fm's WebhookMessage: tm_update and tm_delete null until set, empty fields left out",
    async (h) => {
      // fm models/flow/webhook.go:14-31: name, detail, actions `omitempty`; the times are not.
      const bare = await h.send('POST', '/flows', { body: { name: '', detail: '', actions: [] } });
      expect(Object.keys(bare.body)).toEqual([
        'id',
        'customer_id',
        'type',
        'direct_hash',
        'on_complete_flow_id',
        'tm_create',
        'tm_update',
        'tm_delete',
      ]);
      // fm pkg/flowhandler/db.go:108-121: a persistent flow gets a direct hash, made by
      // direct-manager as `direct.` and six random bytes in hex (dm directhandler/handler.go:22-30).
      expect(bare.body.direct_hash).toMatch(/^direct\.[0-9a-f]{12}$/);
      // fm pkg/flowhandler/db.go:143-145: a new flow has `TMUpdate: nil`, `TMDelete: nil`.
      expect(bare.body).toMatchObject({
        tm_create: expect.any(String),
        tm_update: null,
        tm_delete: null,
      });
      // fm models/action/action.go `Action`: `option` omitempty, `tm_execute` null.
      const created = await h.send('POST', '/flows', {
        body: { name: 'a', detail: 'b', actions: [{ type: 'answer' }, ...TALK] },
      });
      expect(created.body.actions[0]).toEqual({
        id: expect.any(String),
        next_id: '00000000-0000-0000-0000-000000000000',
        type: 'answer',
        tm_execute: null,
      });
      expect(created.body.actions[1]).toMatchObject({ option: TALK[0]?.option, tm_execute: null });
      expect((await h.send('GET', '/flows')).body.result[0]).toEqual(created.body);

      h.emulator.advance(1_000);
      const replaced = await h.send('PUT', `/flows/${created.body.id}`, {
        body: { name: 'c', detail: '', actions: [] },
      });
      expect(replaced.body.tm_update).toEqual(expect.any(String));
      expect(Date.parse(replaced.body.tm_update)).toBeGreaterThan(
        Date.parse(replaced.body.tm_create),
      );
      expect(replaced.body).not.toHaveProperty('actions');
      // fm's update leaves the direct hash as it was.
      expect(replaced.body.direct_hash).toBe(created.body.direct_hash);
      expect(created.body.direct_hash).not.toBe(bare.body.direct_hash);
      // fm pkg/dbhandler/flows.go:267-271: a delete sets tm_delete and tm_update to its moment.
      h.emulator.advance(1_000);
      const deleted = await h.send('DELETE', `/flows/${created.body.id}`);
      expect(deleted.body.tm_delete).toEqual(expect.any(String));
      expect(deleted.body.tm_update).toBe(deleted.body.tm_delete);
      expect(Date.parse(deleted.body.tm_delete)).toBeGreaterThan(
        Date.parse(replaced.body.tm_update),
      );
    },
  );

  scenario('the flows of inline actions are not listed', async (h) => {
    await placeCall(h);
    const { body } = await h.send('GET', '/flows');
    expect(body.result.map((f: { id: string }) => f.id)).toEqual([QUICKSTART_FLOW.id]);
  });
});

describe('errors', () => {
  const ROUTES = [
    ['GET', '/calls'],
    ['POST', '/calls'],
    ['GET', `/calls/${UNKNOWN_ID}`],
    ['DELETE', `/calls/${UNKNOWN_ID}`],
    ['POST', `/calls/${UNKNOWN_ID}/hangup`],
    ['GET', '/flows'],
    ['POST', '/flows'],
    ['GET', `/flows/${QUICKSTART_FLOW.id}`],
    ['PUT', `/flows/${QUICKSTART_FLOW.id}`],
    ['DELETE', `/flows/${QUICKSTART_FLOW.id}`],
  ] as const;

  scenario('no credential answers 401 AUTHENTICATION_REQUIRED on every route', async (h) => {
    for (const [method, path] of ROUTES) {
      const body = method === 'POST' || method === 'PUT' ? { name: 'x' } : undefined;
      expectError(
        await h.send(method, path, { credential: null, body }),
        'UNAUTHENTICATED',
        'AUTHENTICATION_REQUIRED',
      );
    }
  });

  scenario(
    'a credential not accepted answers 401; one in the query, a cookie or a header is read',
    async (h) => {
      expectError(await h.send('GET', '/calls', { credential: 'key-c' }), 'UNAUTHENTICATED');
      expect((await h.send('GET', '/calls?accesskey=key-a', { credential: null })).status).toBe(
        200,
      );
      expect((await h.send('GET', '/calls?token=key-a', { credential: null })).status).toBe(200);
      const cookie = { cookie: 'theme=dark; token=key-b' };
      expect((await h.send('GET', '/calls', { credential: null, headers: cookie })).status).toBe(
        200,
      );
      // A malformed percent-encoding in the cookie is a credential like any other, not a crash.
      const malformed = { cookie: 'token=%E0%A4%A' };
      expectError(
        await h.send('GET', '/calls', { credential: null, headers: malformed }),
        'UNAUTHENTICATED',
        'INVALID_CREDENTIALS',
      );
    },
    { credentials: CREDENTIALS },
  );

  scenario(
    'any non-empty credential is accepted by default, even a malformed cookie',
    async (h) => {
      const malformed = { cookie: 'token=%E0%A4%A' };
      expect((await h.send('GET', '/calls', { credential: null, headers: malformed })).status).toBe(
        200,
      );
    },
  );

  scenario('a body that is not JSON answers 400 INVALID_JSON_BODY', async (h) => {
    for (const raw of ['{"source": ', 'not json', '']) {
      expectError(await h.send('POST', '/calls', { raw }), 'INVALID_ARGUMENT', 'INVALID_JSON_BODY');
      expectError(await h.send('POST', '/flows', { raw }), 'INVALID_ARGUMENT', 'INVALID_JSON_BODY');
      expectError(
        await h.send('PUT', `/flows/${QUICKSTART_FLOW.id}`, { raw }),
        'INVALID_ARGUMENT',
        'INVALID_JSON_BODY',
      );
    }
    expect(h.emulator.calls()).toEqual([]);
  });

  scenario(
    "a trailing comma answers 400 INVALID_JSON_BODY (VoIPBIN's Go parser); strictJson: false accepts it with a warning",
    async (h) => {
      const call = `{"source": ${JSON.stringify(SOURCE)}, "destinations": [${JSON.stringify(DESTINATION)}], "flow_id": "${QUICKSTART_FLOW.id}",}`;
      const flow = '{"name": "a", "detail": "", "actions": [{"type": "beep",},],}';
      const requests = [
        ['POST', '/calls', call],
        ['POST', '/flows', flow],
        ['PUT', `/flows/${QUICKSTART_FLOW.id}`, flow],
      ] as const;
      const lenient = harness({ strictJson: false });
      for (const [method, path, raw] of requests) {
        expectError(await h.send(method, path, { raw }), 'INVALID_ARGUMENT', 'INVALID_JSON_BODY');
        const accepted = await lenient.send(method, path, { raw });
        expect(accepted.status).toBe(200);
        expect(accepted.headers.get('warning')).toMatch(/trailing comma/);
        // Strict JSON gets no warning.
        const strict = await lenient.send(method, path, { raw: raw.replace(/,(\s*[}\]])/g, '$1') });
        expect(strict.status).toBe(200);
        expect(strict.headers.get('warning')).toBeNull();
      }
      expect(h.emulator.calls()).toEqual([]);
    },
  );

  scenario(
    'decodes loosely as gin BindJSON: unknown fields ignored, missing ones zero values',
    async (h) => {
      const accepted: Record<string, unknown>[] = [
        { colour: 'blue' },
        { anonymous: 'maybe' },
        { flow_id: 'not-a-uuid' },
        { variables: { a: 'b', 'voipbin.call.digits': '1' } },
        { actions: [{ type: 'talk', option: { text: 1, gender: 'female' } }] },
        { actions: [] },
        { actions: undefined },
        { source: undefined },
        { source: { type: 'tel' } },
        { destinations: [{ type: 'email', target: 'a@example.com' }, DESTINATION] },
      ];
      for (const change of accepted) {
        const answer = await placeCall(h, change);
        expect([JSON.stringify(change), answer.status]).toEqual([JSON.stringify(change), 200]);
      }
      const flow = await h.send('POST', '/flows', { body: { detail: '', actions: [] } });
      expect(flow.status).toBe(200);
      // The missing name is '', which fm's `WebhookMessage` leaves out (`omitempty`).
      expect(flow.body).not.toHaveProperty('name');
    },
  );

  scenario('a JSON type mismatch is 400 INVALID_JSON_BODY, and places nothing', async (h) => {
    const mismatches: Record<string, unknown>[] = [
      { destinations: 'tel:+821021656521' },
      { destinations: [{ type: 'tel', target: 821021656521 }] },
      { source: 'tel' },
      { actions: { type: 'talk' } },
      { actions: [{ type: 'talk', option: 'loud' }] },
      { flow_id: 42 },
      { variables: { a: 1 } },
      { anonymous: true },
    ];
    for (const change of mismatches) {
      expectError(await placeCall(h, change), 'INVALID_ARGUMENT', 'INVALID_JSON_BODY');
    }
    expectError(
      await h.send('POST', '/calls', { raw: '[]' }),
      'INVALID_ARGUMENT',
      'INVALID_JSON_BODY',
    );
    expect(h.emulator.calls()).toEqual([]);
  });

  scenario(
    'tel targets are normalised; a failing destination is skipped; none left is 500 INTERNAL',
    async (h) => {
      const { body } = await placeCall(h, {
        destinations: [
          { type: 'tel', target: ' +82 10-2165-6521 ' },
          { type: 'tel', target: 'no digits' },
          { type: 'email', target: 'a@example.com' },
        ],
      });
      expect(
        body.calls.map((c: { destination: { target: string } }) => c.destination.target),
      ).toEqual(['+821021656521']);
      for (const destinations of [
        [],
        [{ type: 'email', target: 'a@example.com' }],
        [{ type: 'tel', target: '-' }],
      ]) {
        expectError(await placeCall(h, { destinations }), 'INTERNAL', 'INTERNAL');
      }
      expect(h.emulator.calls()).toHaveLength(1);
    },
  );

  scenario(
    'an unknown action type is 400 INVALID_ACTION_TYPE; flow_id wins over actions',
    async (h) => {
      const answer = await placeCall(h, { actions: [{ type: 'talk' }, { type: 'dance' }] });
      expectError(answer, 'INVALID_ARGUMENT', 'INVALID_ACTION_TYPE');
      expect(answer.body.error.message).toBe('not supported action type: dance');
      // Types the spec lacks are known; `empty` is defined but not in TypeListAll: refused.
      const known = await placeCall(h, {
        actions: ['ai_task', 'block', 'case_create'].map((type) => ({ type })),
      });
      expect(known.status).toBe(200);
      expectError(
        await placeCall(h, { actions: [{ type: 'empty' }] }),
        'INVALID_ARGUMENT',
        'INVALID_ACTION_TYPE',
      );
      // With a flow_id the actions are not read.
      const flow = await placeCall(h, {
        flow_id: QUICKSTART_FLOW.id,
        actions: [{ type: 'dance' }],
      });
      expect(flow.status).toBe(200);
      expect(flow.body.calls[0].flow_id).toBe(QUICKSTART_FLOW.id);
      expectError(
        await h.send('POST', '/flows', { body: { name: 'x', actions: [{ type: 'dance' }] } }),
        'INVALID_ARGUMENT',
        'INVALID_ACTION_TYPE',
      );
    },
  );

  scenario(
    "a call or connect action's anonymous outside yes/no/auto is 400 INVALID_ANONYMOUS_VALUE",
    async (h) => {
      // fm pkg/actionhandler/action.go:39-67 (`ValidateActions`) with fm models/action/option.go:56-66.
      for (const type of ['call', 'connect']) {
        const actions = [
          { type: 'talk', option: { text: 'Hi.' } },
          { type, option: { anonymous: 'maybe' } },
        ];
        const uses = [
          placeCall(h, { actions }),
          h.send('POST', '/flows', { body: { name: 'x', detail: '', actions } }),
          h.send('PUT', `/flows/${QUICKSTART_FLOW.id}`, {
            body: { name: 'x', detail: '', actions },
          }),
        ];
        for (const answer of await Promise.all(uses)) {
          expectError(answer, 'INVALID_ARGUMENT', 'INVALID_ANONYMOUS_VALUE');
          expect(answer.body.error.message).toBe(
            `invalid anonymous value for ${type} action: maybe`,
          );
        }
        // "" (auto), the three values, and one Go cannot decode into the option's string (the
        // check is then skipped, action.go:43-44, 56-57) are accepted.
        for (const anonymous of ['', 'yes', 'no', 'auto', 1]) {
          const answer = await placeCall(h, { actions: [{ type, option: { anonymous } }] });
          expect([type, anonymous, answer.status]).toEqual([type, anonymous, 200]);
        }
      }
      // Only call and connect are checked: another action's anonymous is not read.
      const other = await placeCall(h, {
        actions: [{ type: 'talk', option: { anonymous: 'maybe' } }],
      });
      expect(other.status).toBe(200);
      expect(h.emulator.flows().find((f) => f.name === 'x')).toBeUndefined();
    },
  );

  scenario(
    'variables: over 100 keys, 64 KB or 32 KB a value is 400 INVALID_VARIABLES',
    async (h) => {
      const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']));
      const long = { a: 'x'.repeat(32 * 1024 + 1) };
      const total = { a: 'x'.repeat(30_000), b: 'x'.repeat(30_000), c: 'x'.repeat(10_000) };
      for (const variables of [many, long, total]) {
        expectError(await placeCall(h, { variables }), 'INVALID_ARGUMENT', 'INVALID_VARIABLES');
      }
      // voipbin.* keys count towards the caps (am), then are dropped before the flow reads them.
      const reserved = Object.fromEntries(
        Array.from({ length: 101 }, (_, i) => [`voipbin.k${i}`, 'v']),
      );
      expectError(
        await placeCall(h, { variables: reserved }),
        'INVALID_ARGUMENT',
        'INVALID_VARIABLES',
      );
      const ok = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
      expect((await placeCall(h, { variables: ok })).status).toBe(200);
    },
  );

  scenario('a malformed id in a path is 400 INVALID_ID (the nil UUID too)', async (h) => {
    for (const id of ['not-a-uuid', '00000000-0000-0000-0000-000000000000', '1234']) {
      expectError(await h.send('GET', `/calls/${id}`), 'INVALID_ARGUMENT', 'INVALID_ID');
      expectError(await h.send('DELETE', `/calls/${id}`), 'INVALID_ARGUMENT', 'INVALID_ID');
      expectError(await h.send('POST', `/calls/${id}/hangup`), 'INVALID_ARGUMENT', 'INVALID_ID');
      expectError(await h.send('GET', `/flows/${id}`), 'INVALID_ARGUMENT', 'INVALID_ID');
    }
    // gofrs/uuid also reads braces, urn:uuid: and 32 hex digits, in any case.
    const { body } = await placeCall(h);
    const id: string = body.calls[0].id;
    for (const form of [`{${id}}`, `urn:uuid:${id}`, id.replaceAll('-', ''), id.toUpperCase()]) {
      expect((await h.send('GET', `/calls/${encodeURIComponent(form)}`)).body.id).toBe(id);
    }
  });

  scenario('an unknown call or flow answers 404', async (h) => {
    expectError(await h.send('GET', `/calls/${UNKNOWN_ID}`), 'NOT_FOUND', 'CALL_NOT_FOUND');
    expectError(await h.send('DELETE', `/calls/${UNKNOWN_ID}`), 'NOT_FOUND', 'CALL_NOT_FOUND');
    expectError(await h.send('POST', `/calls/${UNKNOWN_ID}/hangup`), 'NOT_FOUND', 'CALL_NOT_FOUND');
    expectError(await h.send('GET', `/flows/${UNKNOWN_ID}`), 'NOT_FOUND', 'FLOW_NOT_FOUND');
    expectError(await h.send('DELETE', `/flows/${UNKNOWN_ID}`), 'NOT_FOUND', 'FLOW_NOT_FOUND');
    expectError(
      await h.send('PUT', `/flows/${UNKNOWN_ID}`, { body: { name: 'x', detail: '', actions: [] } }),
      'NOT_FOUND',
      'FLOW_NOT_FOUND',
    );
    expectError(await placeCall(h, { flow_id: UNKNOWN_ID }), 'NOT_FOUND', 'FLOW_NOT_FOUND');
    expect(h.emulator.calls()).toEqual([]);
  });

  scenario('an unknown route answers 404 with the error body', async (h) => {
    expectError(await h.send('GET', '/recordings'), 'NOT_FOUND', 'ROUTE_NOT_FOUND');
    // Before any credential check (am server/no_route.go).
    expectError(
      await h.send('GET', '/recordings', { credential: null }),
      'NOT_FOUND',
      'ROUTE_NOT_FOUND',
    );
    expectError(
      await h.send('PATCH', `/calls/${UNKNOWN_ID}`, { credential: null }),
      'NOT_FOUND',
      'ROUTE_NOT_FOUND',
    );
    expectError(await h.send('PATCH', '/calls'), 'NOT_FOUND', 'ROUTE_NOT_FOUND');
    expectError(await h.send('GET', '/calls/x/y/z'), 'NOT_FOUND', 'ROUTE_NOT_FOUND');
    expectError(await h.send('GET', `/calls/${UNKNOWN_ID}/talk`), 'NOT_FOUND');
  });

  scenario(
    "another customer's flow or call answers 403 and is left as it was",
    async (h) => {
      const flow = await h.send('POST', '/flows', {
        credential: 'key-a',
        body: { name: 'mine', detail: '', actions: TALK },
      });
      const call = await h.send('POST', '/calls', {
        credential: 'key-a',
        body: { source: SOURCE, destinations: [DESTINATION], flow_id: flow.body.id },
      });
      const asB = { credential: 'key-b' };
      const replace = { ...asB, body: { name: 'theirs', detail: '', actions: [] } };
      expectError(await h.send('GET', `/flows/${flow.body.id}`, asB), 'PERMISSION_DENIED');
      expectError(await h.send('PUT', `/flows/${flow.body.id}`, replace), 'PERMISSION_DENIED');
      expectError(await h.send('DELETE', `/flows/${flow.body.id}`, asB), 'PERMISSION_DENIED');
      expectError(
        await h.send('POST', '/calls', {
          ...asB,
          body: { source: SOURCE, destinations: [DESTINATION], flow_id: flow.body.id },
        }),
        'PERMISSION_DENIED',
      );
      const callId = call.body.calls[0].id;
      expectError(await h.send('GET', `/calls/${callId}`, asB), 'PERMISSION_DENIED');
      expectError(await h.send('POST', `/calls/${callId}/hangup`, asB), 'PERMISSION_DENIED');
      expectError(await h.send('DELETE', `/calls/${callId}`, asB), 'PERMISSION_DENIED');
      expect((await h.send('GET', '/calls', asB)).body.result).toEqual([]);
      expect((await h.send('GET', '/flows', asB)).body.result).toEqual([]);

      const asA = { credential: 'key-a' };
      expect((await h.send('GET', `/flows/${flow.body.id}`, asA)).body.name).toBe('mine');
      expect((await h.send('GET', `/calls/${callId}`, asA)).body.status).toBe('dialing');
      expect(h.emulator.calls()).toHaveLength(1);
    },
    { credentials: CREDENTIALS },
  );

  scenario(
    'more calls than allowed at once answer 429 RESOURCE_EXHAUSTED',
    async (h) => {
      expect((await placeCall(h)).status).toBe(200);
      expectError(await placeCall(h), 'RESOURCE_EXHAUSTED', 'TOO_MANY_CALLS');
      h.emulator.advance(60_000);
      expect((await placeCall(h)).status).toBe(200);
    },
    { maxActiveCalls: 1 },
  );

  it('every error has a distinct request_id', async () => {
    const h = harness();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      ids.add((await h.send('GET', `/calls/${UNKNOWN_ID}`)).body.error.request_id);
    }
    expect(ids.size).toBe(20);
  });
});
