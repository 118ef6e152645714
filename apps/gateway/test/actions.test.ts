/**
 * Every VoIPBIN action type as a GraphQL `ActionInput` (camelCase names, SCREAMING_CASE enums)
 * and the exact VoIPBIN JSON it must become on the wire; then inputs that must be refused
 * with BAD_USER_INPUT, their issue paths in GraphQL's names, and no call placed.
 */
import { ACTION_TYPES, type Action, type ActionType } from '@voipbin-kit/core';
import type { Emulator } from '@voipbin-kit/emulator';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.ts';
import {
  emulatedGateway,
  graphql,
  postGraphQL,
  type Recorded,
  recordRequests,
} from './support/graphql.ts';

const U1 = '0b8e6f5a-9c1d-4e2f-8a3b-5c6d7e8f9a01';
const U2 = '0b8e6f5a-9c1d-4e2f-8a3b-5c6d7e8f9a02';
const U3 = '0b8e6f5a-9c1d-4e2f-8a3b-5c6d7e8f9a03';

type Case<T extends ActionType> = { input: string; expected: Extract<Action, { type: T }> };

/** One case per action type; a type left out (or a new one in core) fails to compile. */
const ACTIONS = {
  ai_summary: {
    input: `{ aiSummary: { onEndFlowId: "${U1}", referenceType: CALL, referenceId: "${U2}", language: "ko-KR" } }`,
    expected: {
      type: 'ai_summary',
      option: { on_end_flow_id: U1, reference_type: 'call', reference_id: U2, language: 'ko-KR' },
    },
  },
  ai_talk: {
    input: `{ aiTalk: { assistanceType: AI, assistanceId: "${U1}", duration: 60 } }`,
    expected: {
      type: 'ai_talk',
      option: { assistance_type: 'ai', assistance_id: U1, duration: 60 },
    },
  },
  ai_task: {
    input: `{ aiTask: { assistanceType: TEAM, assistanceId: "${U1}" } }`,
    expected: { type: 'ai_task', option: { assistance_type: 'team', assistance_id: U1 } },
  },
  amd: {
    input: '{ amd: { machineHandle: HANGUP, async: true } }',
    expected: { type: 'amd', option: { machine_handle: 'hangup', async: true } },
  },
  answer: { input: '{ answer: {} }', expected: { type: 'answer' } },
  beep: {
    input: `{ beep: { id: "${U1}", nextId: "${U2}" } }`,
    expected: { type: 'beep', id: U1, next_id: U2 },
  },
  block: { input: '{ block: {} }', expected: { type: 'block' } },
  branch: {
    input: `{ branch: { variable: "voipbin.call.digits", defaultTargetId: "${U1}", targetIds: { press_1: "${U2}", press_2: "${U3}" } } }`,
    expected: {
      type: 'branch',
      option: {
        variable: 'voipbin.call.digits',
        default_target_id: U1,
        // Keys of target_ids are data: they stay as written.
        target_ids: { press_1: U2, press_2: U3 },
      },
    },
  },
  call: {
    input: `{ call: {
      source: { type: TEL, target: "+15005550000" }
      destinations: [{ type: SIP, target: "sip:alice@example.com", name: "Alice" }]
      actions: [{ talk: { text: "Connecting you", digitsHandle: NEXT } }, { hangup: {} }]
      chained: true, earlyExecution: false, anonymous: AUTO
    } }`,
    expected: {
      type: 'call',
      option: {
        source: { type: 'tel', target: '+15005550000' },
        destinations: [{ type: 'sip', target: 'sip:alice@example.com', name: 'Alice' }],
        actions: [
          { type: 'talk', option: { text: 'Connecting you', digits_handle: 'next' } },
          { type: 'hangup' },
        ],
        chained: true,
        early_execution: false,
        anonymous: 'auto',
      },
    },
  },
  case_create: {
    input: '{ caseCreate: { name: "Refund", detail: "Order 1234", note: "", sync: true } }',
    expected: {
      type: 'case_create',
      option: { name: 'Refund', detail: 'Order 1234', note: '', sync: true },
    },
  },
  condition_call_digits: {
    input: `{ conditionCallDigits: { length: 4, key: "#", falseTargetId: "${U1}" } }`,
    expected: {
      type: 'condition_call_digits',
      option: { length: 4, key: '#', false_target_id: U1 },
    },
  },
  condition_call_status: {
    input: `{ conditionCallStatus: { status: PROGRESSING, falseTargetId: "${U1}" } }`,
    expected: {
      type: 'condition_call_status',
      option: { status: 'progressing', false_target_id: U1 },
    },
  },
  condition_datetime: {
    input: '{ conditionDatetime: { condition: GREATER_EQUAL, hour: 9, weekdays: [1, 2, 3] } }',
    expected: {
      type: 'condition_datetime',
      option: { condition: '>=', hour: 9, weekdays: [1, 2, 3] },
    },
  },
  condition_variable: {
    input:
      '{ conditionVariable: { condition: EQUAL, variable: "customer.tier", valueType: STRING, valueString: "gold", valueNumber: 2.5 } }',
    expected: {
      type: 'condition_variable',
      option: {
        condition: '==',
        variable: 'customer.tier',
        value_type: 'string',
        value_string: 'gold',
        // VoIPBIN's float32: the one Float of the inputs.
        value_number: 2.5,
      },
    },
  },
  confbridge_join: {
    input: `{ confbridgeJoin: { confbridgeId: "${U1}" } }`,
    expected: { type: 'confbridge_join', option: { confbridge_id: U1 } },
  },
  conference_join: {
    input: `{ conferenceJoin: { conferenceId: "${U1}" } }`,
    expected: { type: 'conference_join', option: { conference_id: U1 } },
  },
  connect: {
    input: `{ connect: {
      source: { type: TEL, target: "+821028286521" }
      destinations: [{ type: AGENT, target: "${U1}" }, { type: EXTENSION, targetName: "1001" }]
      earlyMedia: true, relayReason: false, anonymous: NO
    } }`,
    expected: {
      type: 'connect',
      option: {
        source: { type: 'tel', target: '+821028286521' },
        destinations: [
          { type: 'agent', target: U1 },
          { type: 'extension', target_name: '1001' },
        ],
        early_media: true,
        relay_reason: false,
        anonymous: 'no',
      },
    },
  },
  conversation_send: {
    input: `{ conversationSend: { conversationId: "${U1}", text: "Thanks for calling", sync: true } }`,
    expected: {
      type: 'conversation_send',
      option: { conversation_id: U1, text: 'Thanks for calling', sync: true },
    },
  },
  digits_receive: {
    input: '{ digitsReceive: { duration: 5000, key: "#", length: 4 } }',
    expected: { type: 'digits_receive', option: { duration: 5000, key: '#', length: 4 } },
  },
  digits_send: {
    input: '{ digitsSend: { digits: "0123456789ABCD#*", duration: 250, interval: 100 } }',
    expected: {
      type: 'digits_send',
      option: { digits: '0123456789ABCD#*', duration: 250, interval: 100 },
    },
  },
  echo: {
    input: '{ echo: { duration: 3000 } }',
    expected: { type: 'echo', option: { duration: 3000 } },
  },
  email_send: {
    input: `{ emailSend: {
      destinations: [{ type: EMAIL, target: "ops@example.com", name: "Ops" }]
      subject: "Missed call", content: "Call back +821028286521"
      attachments: [{ referenceType: RECORDING, referenceId: "${U1}" }]
    } }`,
    expected: {
      type: 'email_send',
      option: {
        destinations: [{ type: 'email', target: 'ops@example.com', name: 'Ops' }],
        subject: 'Missed call',
        content: 'Call back +821028286521',
        attachments: [{ reference_type: 'recording', reference_id: U1 }],
      },
    },
  },
  empty: { input: '{ empty: {} }', expected: { type: 'empty' } },
  external_media_start: {
    input: `{ externalMediaStart: {
      externalHost: "media.example.com:10000", encapsulation: "rtp", transport: "udp"
      connectionType: "client", format: "ulaw", directionListen: "in", directionSpeak: "out"
      data: "", transportData: "x=1"
    } }`,
    expected: {
      type: 'external_media_start',
      option: {
        external_host: 'media.example.com:10000',
        encapsulation: 'rtp',
        transport: 'udp',
        connection_type: 'client',
        format: 'ulaw',
        direction_listen: 'in',
        direction_speak: 'out',
        // An empty string is a value, not "unset".
        data: '',
        transport_data: 'x=1',
      },
    },
  },
  external_media_stop: {
    input: '{ externalMediaStop: {} }',
    expected: { type: 'external_media_stop' },
  },
  fetch: {
    input: '{ fetch: { eventUrl: "https://example.com/next-actions", eventMethod: PATCH } }',
    expected: {
      type: 'fetch',
      option: { event_url: 'https://example.com/next-actions', event_method: 'PATCH' },
    },
  },
  fetch_flow: {
    input: `{ fetchFlow: { flowId: "${U1}" } }`,
    expected: { type: 'fetch_flow', option: { flow_id: U1 } },
  },
  goto: {
    input: `{ goto: { targetId: "${U1}", loopCount: 3 } }`,
    expected: { type: 'goto', option: { target_id: U1, loop_count: 3 } },
  },
  hangup: {
    input: `{ hangup: { reason: "busy", referenceId: "${U1}" } }`,
    expected: { type: 'hangup', option: { reason: 'busy', reference_id: U1 } },
  },
  message_send: {
    input: `{ messageSend: {
      source: { type: TEL, target: "+821028286521" }
      destinations: [{ type: TEL, target: "+821021656521" }]
      text: "Sorry we missed you"
    } }`,
    expected: {
      type: 'message_send',
      option: {
        source: { type: 'tel', target: '+821028286521' },
        destinations: [{ type: 'tel', target: '+821021656521' }],
        text: 'Sorry we missed you',
      },
    },
  },
  mute: { input: '{ mute: {} }', expected: { type: 'mute' } },
  play: {
    input: '{ play: { streamUrls: ["https://example.com/a.wav", "https://example.com/b.mp3"] } }',
    expected: {
      type: 'play',
      option: { stream_urls: ['https://example.com/a.wav', 'https://example.com/b.mp3'] },
    },
  },
  queue_join: {
    input: `{ queueJoin: { queueId: "${U1}" } }`,
    expected: { type: 'queue_join', option: { queue_id: U1 } },
  },
  recording_start: {
    input: `{ recordingStart: { format: MP3, endOfSilence: 3, endOfKey: "#", duration: 600, beepStart: true, onEndFlowId: "${U1}" } }`,
    expected: {
      type: 'recording_start',
      option: {
        format: 'mp3',
        end_of_silence: 3,
        end_of_key: '#',
        duration: 600,
        beep_start: true,
        on_end_flow_id: U1,
      },
    },
  },
  recording_stop: { input: '{ recordingStop: {} }', expected: { type: 'recording_stop' } },
  sleep: {
    input: '{ sleep: { duration: 0 } }',
    expected: { type: 'sleep', option: { duration: 0 } },
  },
  stop: { input: '{ stop: {} }', expected: { type: 'stop' } },
  stream_echo: {
    input: '{ streamEcho: { duration: 1000 } }',
    expected: { type: 'stream_echo', option: { duration: 1000 } },
  },
  talk: {
    input:
      '{ talk: { text: "Hello. This is voipbin test.", gender: FEMALE, language: "en-US", provider: "gcp", voiceId: "en-US-Neural2-F", digitsHandle: NONE, async: false } }',
    expected: {
      type: 'talk',
      option: {
        text: 'Hello. This is voipbin test.',
        gender: 'female',
        language: 'en-US',
        provider: 'gcp',
        voice_id: 'en-US-Neural2-F',
        // NONE is VoIPBIN's empty value.
        digits_handle: '',
        async: false,
      },
    },
  },
  transcribe_start: {
    input: `{ transcribeStart: { language: "en-US", onEndFlowId: "${U1}", provider: GCP, direction: BOTH } }`,
    expected: {
      type: 'transcribe_start',
      option: { language: 'en-US', on_end_flow_id: U1, provider: 'gcp', direction: 'both' },
    },
  },
  transcribe_stop: { input: '{ transcribeStop: {} }', expected: { type: 'transcribe_stop' } },
  transcribe_recording: {
    input: '{ transcribeRecording: { language: "ja-JP", provider: NONE, direction: IN } }',
    expected: {
      type: 'transcribe_recording',
      option: { language: 'ja-JP', provider: '', direction: 'in' },
    },
  },
  variable_set: {
    input: '{ variableSet: { key: "customer.tier", value: "" } }',
    expected: { type: 'variable_set', option: { key: 'customer.tier', value: '' } },
  },
  webhook_send: {
    input:
      '{ webhookSend: { sync: true, uri: "https://example.com/hook", method: PUT, dataType: "application/json", data: "{\\"tier\\":\\"gold\\"}" } }',
    expected: {
      type: 'webhook_send',
      option: {
        sync: true,
        uri: 'https://example.com/hook',
        method: 'PUT',
        data_type: 'application/json',
        data: '{"tier":"gold"}',
      },
    },
  },
} satisfies { [T in ActionType]: Case<T> };

const SOURCE = 'source: { type: TEL, target: "+821028286521" }';
const DESTINATION = 'destinations: [{ type: TEL, target: "+821021656521" }]';

let emulator: Emulator;
let gateway: Gateway;
let recorded: Recorded[];
beforeEach(() => {
  // Every action type reaches VoIPBIN here: `fetch` and `fetch_flow` too, which the default
  // policy refuses (test/security/hostile.test.ts).
  ({ emulator, gateway } = emulatedGateway(
    {},
    { security: { policy: { allowFetchActions: true } } },
  ));
  recorded = recordRequests(emulator);
});

const sent = (method: string, path: string) =>
  recorded.filter((r) => r.method === method && r.url.pathname === path).map((r) => r.body);

describe('every action type', () => {
  it('has a case, and ActionInput has a field, for each of the 44 types', async () => {
    expect(Object.keys(ACTIONS).sort()).toEqual([...ACTION_TYPES].sort());
    const { data } = await graphql(
      gateway,
      '{ __type(name: "ActionInput") { inputFields { name } } }',
    );
    expect(data?.__type.inputFields).toHaveLength(ACTION_TYPES.length);
  });

  it('takes numbers of options (durations, counts) as Int, as VoIPBIN does: Float only for its float32', async () => {
    const { data } = await graphql(
      gateway,
      '{ __schema { types { name kind inputFields { name type { name ofType { name } } } } } }',
    );
    const floats = (
      (data?.__schema.types ?? []) as {
        name: string;
        kind: string;
        inputFields: { name: string; type: { name?: string; ofType?: { name?: string } } }[];
      }[]
    )
      .filter((t) => t.kind === 'INPUT_OBJECT')
      .flatMap((t) =>
        t.inputFields
          .filter((f) => (f.type.name ?? f.type.ofType?.name) === 'Float')
          .map((f) => `${t.name}.${f.name}`),
      );
    expect(floats).toEqual(['ConditionVariableActionInput.valueNumber']);
  });

  // `empty` is VoIPBIN's own (fm TypeListAll leaves it out): sent as it is, and refused.
  const SENDABLE = Object.entries(ACTIONS).filter(([type]) => type !== 'empty');

  it('sends empty as its JSON, which VoIPBIN refuses (INVALID_ACTION_TYPE), placing nothing', async () => {
    const { errors } = await graphql(
      gateway,
      `mutation { createCall(input: { ${SOURCE}, ${DESTINATION}, actions: [${ACTIONS.empty?.input}] }) { calls { id } } }`,
    );
    expect(errors?.[0]?.extensions?.voipbin).toMatchObject({ reason: 'INVALID_ACTION_TYPE' });
    expect(sent('POST', '/v1.0/calls')).toEqual([
      expect.objectContaining({ actions: [ACTIONS.empty?.expected] }),
    ]);
    expect(emulator.calls()).toHaveLength(0);
  });

  it.each(SENDABLE)(
    'createCall sends %s to VoIPBIN as its exact JSON',
    async (_type, { input, expected }) => {
      const { data, errors } = await graphql(
        gateway,
        `mutation { createCall(input: { ${SOURCE}, ${DESTINATION}, actions: [${input}] }) { calls { id status } } }`,
      );

      expect(errors).toBeUndefined();
      expect(data?.createCall.calls).toEqual([{ id: expect.any(String), status: 'DIALING' }]);
      expect(sent('POST', '/v1.0/calls')).toEqual([
        {
          source: { type: 'tel', target: '+821028286521' },
          destinations: [{ type: 'tel', target: '+821021656521' }],
          actions: [expected],
        },
      ]);
      // The call runs it: the temporary flow holds the step as sent (VoIPBIN adds the ids).
      const flowId = emulator.calls()[0]?.flow_id;
      const step = emulator.flows().find((f) => f.id === flowId)?.actions[0];
      expect(step).toMatchObject({
        type: expected.type,
        option: 'option' in expected ? expected.option : {},
      });
    },
  );

  it.each(SENDABLE)(
    'createFlow sends %s to VoIPBIN as the same JSON',
    async (_type, { input, expected }) => {
      const { errors } = await graphql(
        gateway,
        `mutation { createFlow(input: { name: "one step", actions: [${input}] }) { id } }`,
      );

      expect(errors).toBeUndefined();
      expect(sent('POST', '/v1.0/flows')).toEqual([
        { name: 'one step', detail: '', actions: [expected] },
      ]);
    },
  );
});

describe('invalid input', () => {
  /** Runs createCall with `input` (a GraphQL literal body) and returns the answer. */
  const createCall = (input: string, variables?: Record<string, unknown>, declare = '') =>
    postGraphQL(
      gateway,
      `mutation${declare} { createCall(input: { ${input} }) { calls { id } } }`,
      variables ? { variables } : {},
    );

  /** Asserts a BAD_USER_INPUT answer with exactly these issue paths, and no call placed. */
  function expectRefused(json: Awaited<ReturnType<typeof createCall>>['json'], paths: string[]) {
    expect(json.data).toBeNull();
    expect(json.errors).toHaveLength(1);
    const [error] = json.errors ?? [];
    expect(error?.path).toEqual(['createCall']);
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    const issues = error?.extensions?.issues as { path: string; message: string }[];
    expect([...new Set(issues.map((i) => i.path))]).toEqual(paths);
    for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
    for (const path of paths) expect(error?.message).toContain(path);
    expect(sent('POST', '/v1.0/calls')).toEqual([]);
    expect(emulator.calls()).toHaveLength(0);
  }

  /** Asserts a BAD_USER_INPUT request error (nothing ran) with exactly these issue paths. */
  function expectRequestError(
    json: Awaited<ReturnType<typeof createCall>>['json'],
    issues: { path: string; message: RegExp }[],
  ) {
    expect(json.data).toBeUndefined();
    expect(json.errors).toHaveLength(1);
    const [error] = json.errors ?? [];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.extensions?.issues).toEqual(
      issues.map(({ path, message }) => ({ path, message: expect.stringMatching(message) })),
    );
    expect(recorded).toEqual([]);
    expect(emulator.calls()).toHaveLength(0);
  }

  it('refuses an ActionInput with two fields set at input.actions.1 (BAD_USER_INPUT) and places nothing', async () => {
    const { response, json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [{ answer: {} }, { talk: { text: "Hi" }, beep: {} }]`,
    );
    expect(response.status).toBe(200);
    expect(json.errors?.[0]?.message).toMatch(/ActionInput.*exactly one/);
    expectRequestError(json, [{ path: 'input.actions.1', message: /ActionInput.*exactly one/ }]);
  });

  it('refuses two fields set in an ActionInput passed as a variable, at its place in the input, and places nothing', async () => {
    const { response, json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: $actions`,
      { actions: [{ talk: { text: 'Hi' }, beep: {} }] },
      '($actions: [ActionInput!])',
    );
    // A request error: 200 for application/json, as GraphQL-over-HTTP says (and as validation errors).
    expect(response.status).toBe(200);
    expect(json.errors?.[0]?.message).toMatch(/\$actions.*ActionInput/);
    expectRequestError(json, [{ path: 'input.actions.0', message: /OneOf type "ActionInput"/ }]);
  });

  it('answers 400 for the same request error to a client that accepts application/graphql-response+json', async () => {
    const { response, json } = await postGraphQL(
      gateway,
      `mutation($actions: [ActionInput!]) { createCall(input: { ${SOURCE}, ${DESTINATION}, actions: $actions }) { calls { id } } }`,
      {
        variables: { actions: [{ talk: { text: 'Hi' }, beep: {} }] },
        headers: { accept: 'application/graphql-response+json' },
      },
    );
    expect(response.status).toBe(400);
    expect(json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(emulator.calls()).toHaveLength(0);
  });

  it('refuses input literals of the wrong type with BAD_USER_INPUT at their paths', async () => {
    const { json } = await createCall(
      `${SOURCE}, destinations: [{ type: tel, target: "+821021656521" }], actions: [{ talk: { text: 1 } }]`,
    );
    expect(json.data).toBeUndefined();
    expect(json.errors?.map((e) => [e.extensions?.code, e.extensions?.issues?.[0]?.path])).toEqual([
      ['BAD_USER_INPUT', 'input.destinations.0.type'],
      ['BAD_USER_INPUT', 'input.actions.0.talk.text'],
    ]);
    expect(emulator.calls()).toHaveLength(0);
  });

  it('refuses a TEL number that is not E.164 at input.destinations.0.target', async () => {
    const { json } = await createCall(
      `${SOURCE}, destinations: [{ type: TEL, target: "+82 10-2165-6521" }], actions: [{ answer: {} }]`,
    );
    expectRefused(json, ['input.destinations.0.target']);
  });

  it('refuses a call with neither actions nor flowId at input.actions', async () => {
    const { json } = await createCall(`${SOURCE}, ${DESTINATION}`);
    expectRefused(json, ['input.actions']);
  });

  it('refuses an empty action list at input.actions', async () => {
    const { json } = await createCall(`${SOURCE}, ${DESTINATION}, actions: []`);
    expectRefused(json, ['input.actions']);
  });

  it('refuses DTMF digits with an x at input.actions.0.digitsSend.digits', async () => {
    const { json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [{ answer: {} }, { digitsSend: { digits: "12x4" } }]`,
    );
    expectRefused(json, ['input.actions.1.digitsSend.digits']);
    const { json: first } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [{ digitsSend: { digits: "x" } }]`,
    );
    expectRefused(first, ['input.actions.0.digitsSend.digits']);
  });

  it('refuses durations out of range at their GraphQL paths', async () => {
    const { json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [{ digitsSend: { digits: "1", duration: 1001, interval: 5001 } }, { sleep: { duration: -1 } }]`,
    );
    expectRefused(json, [
      'input.actions.0.digitsSend.duration',
      'input.actions.0.digitsSend.interval',
      'input.actions.1.sleep.duration',
    ]);
  });

  it('refuses a fraction of a millisecond (GraphQL validation) at its path and places nothing', async () => {
    const { json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [{ digitsSend: { digits: "1", duration: 250.5 } }]`,
    );
    expect(json.errors?.[0]?.message).toContain('250.5');
    expectRequestError(json, [{ path: 'input.actions.0.digitsSend.duration', message: /250\.5/ }]);
  });

  it('refuses a value missing from an enum (GraphQL validation) at its path and places nothing', async () => {
    const { json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [{ talk: { text: "Hi", gender: ROBOT } }]`,
    );
    expect(json.errors?.[0]?.message).toContain('ROBOT');
    expectRequestError(json, [{ path: 'input.actions.0.talk.gender', message: /ROBOT/ }]);

    const { response, json: variable } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: $actions`,
      { actions: [{ talk: { text: 'Hi', gender: 'female' } }] },
      '($actions: [ActionInput!])',
    );
    expect(response.status).toBe(200);
    expectRequestError(variable, [
      { path: 'input.actions.0.talk.gender', message: /"female" does not exist/ },
    ]);
  });

  it('has no UNKNOWN address type to send: AddressType is the closed list of the contract', async () => {
    const { json } = await createCall(
      `source: { type: UNKNOWN, target: "+821028286521" }, ${DESTINATION}, actions: [{ answer: {} }]`,
    );
    expect(json.errors?.[0]?.message).toMatch(/AddressType/);
    expectRequestError(json, [{ path: 'input.source.type', message: /AddressType/ }]);
  });

  it('refuses a flowId that is not a UUID at input.flowId', async () => {
    const { json } = await createCall(`${SOURCE}, ${DESTINATION}, flowId: "ed95a3c4"`);
    expectRefused(json, ['input.flowId']);
  });

  it('refuses 101 variables at input.variables, and takes 100', async () => {
    const variables = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`customer_${i}`, String(i)]));
    const query = `${SOURCE}, ${DESTINATION}, actions: [{ answer: {} }], variables: $variables`;
    const { json } = await createCall(
      query,
      { variables: variables(101) },
      '($variables: JSONObject)',
    );
    expectRefused(json, ['input.variables']);

    const ok = await createCall(query, { variables: variables(100) }, '($variables: JSONObject)');
    expect(ok.json.errors).toBeUndefined();
    expect((sent('POST', '/v1.0/calls')[0] as { variables: object }).variables).toEqual(
      variables(100),
    );
  });

  it('names a bad variable by its key as written', async () => {
    const { json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [{ answer: {} }], variables: $variables`,
      { variables: { customer_tier: 7 } },
      '($variables: JSONObject)',
    );
    expectRefused(json, ['input.variables.customer_tier']);
  });

  it('refuses a bad talk nested in a call action at input.actions.0.call.actions.0.talk.text', async () => {
    const { json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [{ call: {
        destinations: [{ type: TEL, target: "+15005550000" }]
        actions: [{ talk: { text: "" } }]
      } }]`,
    );
    expectRefused(json, ['input.actions.0.call.actions.0.talk.text']);
  });

  it('names nested addresses and data keys in GraphQL terms', async () => {
    const { json } = await createCall(
      `${SOURCE}, ${DESTINATION}, actions: [
        { connect: { destinations: [{ type: TEL, target: "010-2165-6521" }] } }
        { branch: { targetIds: { press_1: "not-a-uuid" } } }
        { recordingStart: { endOfSilence: -1 } }
      ]`,
    );
    expectRefused(json, [
      'input.actions.0.connect.destinations.0.target',
      'input.actions.1.branch.targetIds.press_1',
      'input.actions.2.recordingStart.endOfSilence',
    ]);
  });

  it('refuses an invalid flow with paths in GraphQL names and creates nothing', async () => {
    const flows = emulator.flows().length;
    const { json } = await postGraphQL(
      gateway,
      'mutation { createFlow(input: { name: "x", actions: [{ play: { streamUrls: ["not a url"] } }] }) { id } }',
    );
    expect(json.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [{ path: 'input.actions.0.play.streamUrls.0' }],
    });
    expect(sent('POST', '/v1.0/flows')).toEqual([]);
    expect(emulator.flows()).toHaveLength(flows);
  });
});
