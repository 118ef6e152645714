import { describe, expect, it } from 'vitest';
import { CreateCallRequestSchema } from '../create-call-request.ts';
import { check } from '../validate.ts';
import { ACTION_TYPES, ActionByTypeSchema, ActionSchema, type ActionType } from './all.ts';
import {
  action,
  aiTask,
  answer,
  block,
  caseCreate,
  connect,
  digitsReceive,
  digitsSend,
  empty,
  goto,
  hangup,
  play,
  sleep,
  talk,
} from './builders.ts';
import { ResponseActionSchema } from './response.ts';

const ID = '550e8400-e29b-41d4-a716-446655440000';
const FLOW_ID = 'a1b2c3d4-e5f6-7890-1234-567890abcdef';
const tel = { type: 'tel', target: '+14155551234' } as const;
const email = { type: 'email', target: 'alice@example.com' } as const;

/** A valid action of every type: `satisfies` makes a missing type a type error. */
const examples = {
  ai_talk: { type: 'ai_talk', option: { assistance_type: 'ai', assistance_id: ID, duration: 300 } },
  ai_summary: { type: 'ai_summary', option: { reference_type: 'call', language: 'en-US' } },
  ai_task: { type: 'ai_task', option: { assistance_type: 'team', assistance_id: ID } },
  amd: { type: 'amd', option: { machine_handle: 'hangup', async: false } },
  answer: { type: 'answer' },
  beep: { type: 'beep', option: {} },
  block: { type: 'block' },
  branch: {
    type: 'branch',
    option: { variable: 'voipbin.call.digits', default_target_id: ID, target_ids: { '1': ID } },
  },
  call: {
    type: 'call',
    option: {
      source: tel,
      destinations: [{ type: 'tel', target: '+821021656521' }],
      actions: [{ type: 'talk', option: { text: 'Connecting you now.' } }],
      chained: true,
      anonymous: 'auto',
    },
  },
  case_create: {
    type: 'case_create',
    option: { name: 'Billing question', detail: 'Caller asked about an invoice', sync: true },
  },
  condition_call_digits: {
    type: 'condition_call_digits',
    option: { length: 4, key: '#', false_target_id: ID },
  },
  condition_call_status: {
    type: 'condition_call_status',
    option: { status: 'progressing', false_target_id: ID },
  },
  condition_datetime: {
    type: 'condition_datetime',
    option: { condition: '>=', hour: 9, weekdays: [1, 2, 3, 4, 5], false_target_id: ID },
  },
  condition_variable: {
    type: 'condition_variable',
    option: {
      condition: '==',
      variable: 'plan',
      value_type: 'string',
      value_string: 'gold',
      false_target_id: ID,
    },
  },
  confbridge_join: { type: 'confbridge_join', option: { confbridge_id: ID } },
  conference_join: { type: 'conference_join', option: { conference_id: ID } },
  connect: { type: 'connect', option: { destinations: [tel], early_media: false } },
  conversation_send: {
    type: 'conversation_send',
    option: { conversation_id: ID, text: 'Your code is 1234.' },
  },
  digits_receive: { type: 'digits_receive', option: { duration: 10000, key: '#', length: 4 } },
  digits_send: { type: 'digits_send', option: { digits: '1234#', duration: 250, interval: 100 } },
  echo: { type: 'echo', option: { duration: 30000 } },
  email_send: {
    type: 'email_send',
    option: {
      destinations: [email],
      subject: 'Meeting recording',
      attachments: [{ reference_type: 'recording', reference_id: ID }],
    },
  },
  empty: { type: 'empty' },
  external_media_start: {
    type: 'external_media_start',
    option: {
      external_host: 'media.example.com:10000',
      encapsulation: 'rtp',
      direction_listen: 'in',
      direction_speak: 'out',
    },
  },
  external_media_stop: { type: 'external_media_stop' },
  fetch: {
    type: 'fetch',
    option: { event_url: 'https://api.example.com/flow-event', event_method: 'POST' },
  },
  fetch_flow: { type: 'fetch_flow', option: { flow_id: FLOW_ID } },
  goto: { type: 'goto', option: { target_id: ID, loop_count: 3 } },
  hangup: { type: 'hangup', option: { reason: 'normal' } },
  message_send: {
    type: 'message_send',
    option: { source: tel, destinations: [tel], text: 'Your code is 1234.' },
  },
  mute: { type: 'mute' },
  play: { type: 'play', option: { stream_urls: ['https://media.voipbin.net/audio/greeting.wav'] } },
  queue_join: { type: 'queue_join', option: { queue_id: ID } },
  recording_start: { type: 'recording_start', option: { format: 'wav', beep_start: true } },
  recording_stop: { type: 'recording_stop' },
  sleep: { type: 'sleep', option: { duration: 5000 } },
  stop: { type: 'stop' },
  stream_echo: { type: 'stream_echo', option: { duration: 30000 } },
  talk: {
    type: 'talk',
    option: {
      text: 'Hello from VoIPBIN.',
      language: 'en-US',
      provider: 'gcp',
      voice_id: 'en-US-Neural2-F',
    },
  },
  transcribe_start: {
    type: 'transcribe_start',
    option: { language: 'en-US', provider: 'gcp', direction: 'both' },
  },
  transcribe_stop: { type: 'transcribe_stop' },
  transcribe_recording: {
    type: 'transcribe_recording',
    option: { language: 'ko-KR', on_end_flow_id: FLOW_ID },
  },
  variable_set: { type: 'variable_set', option: { key: 'caller_name', value: 'John Smith' } },
  webhook_send: {
    type: 'webhook_send',
    option: { uri: 'https://api.example.com/webhooks', method: 'POST', data: '{}' },
  },
} satisfies Record<ActionType, { type: ActionType; option?: object }>;

/**
 * The option fields without which an action cannot run, per type. Every type is listed, so a
 * type that gains or loses a required field is noticed here.
 */
const required = {
  ai_talk: [],
  ai_summary: [],
  ai_task: [],
  amd: [],
  answer: [],
  beep: [],
  block: [],
  branch: [],
  call: ['destinations'],
  case_create: [],
  condition_call_digits: [],
  condition_call_status: [],
  condition_datetime: [],
  condition_variable: [],
  confbridge_join: ['confbridge_id'],
  conference_join: ['conference_id'],
  connect: ['destinations'],
  conversation_send: ['conversation_id', 'text'],
  digits_receive: [],
  digits_send: ['digits'],
  echo: [],
  email_send: ['destinations'],
  empty: [],
  external_media_start: ['external_host'],
  external_media_stop: [],
  fetch: ['event_url'],
  fetch_flow: ['flow_id'],
  goto: ['target_id'],
  hangup: [],
  message_send: ['destinations', 'text'],
  mute: [],
  play: ['stream_urls'],
  queue_join: ['queue_id'],
  recording_start: [],
  recording_stop: [],
  sleep: [],
  stop: [],
  stream_echo: [],
  talk: ['text'],
  transcribe_start: [],
  transcribe_stop: [],
  transcribe_recording: [],
  variable_set: ['key'],
  webhook_send: ['uri'],
} as const satisfies Record<ActionType, readonly string[]>;

function issuesOf(input: unknown) {
  const result = check(ActionSchema, input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.issues;
}

const withOption = (type: ActionType, option: Record<string, unknown>) => ({ type, option });

describe('ActionSchema', () => {
  it('has an example for each of the 44 action types', () => {
    expect(Object.keys(examples)).toEqual([...ACTION_TYPES]);
    expect(ACTION_TYPES).toHaveLength(44);
  });

  it.each(ACTION_TYPES)('accepts a valid %s action unchanged', (type) => {
    expect(check(ActionSchema, examples[type])).toEqual({
      success: true,
      output: examples[type],
    });
  });

  it('accepts the ids that chain the steps of a flow', () => {
    const step = { id: ID, next_id: FLOW_ID, ...examples.talk };
    expect(check(ActionSchema, step)).toEqual({ success: true, output: step });
  });

  const requiredFields = ACTION_TYPES.flatMap((type) =>
    required[type].map((field) => [type, field] as const),
  );
  it.each(requiredFields)('rejects a %s action without option.%s', (type, field) => {
    const example = examples[type] as { option?: Record<string, unknown> };
    const { [field]: _dropped, ...option } = example.option ?? {};
    expect(issuesOf(withOption(type, option))).toEqual([
      { path: `option.${field}`, message: 'Required' },
    ]);
  });

  const optionRequired = ACTION_TYPES.filter(
    (type) => required[type].length > 0 || type === 'ai_talk' || type === 'ai_task',
  );
  it.each(optionRequired)('rejects a %s action without its option', (type) => {
    expect(issuesOf({ type })).toEqual([{ path: 'option', message: 'Required' }]);
  });

  const optionOptional = ACTION_TYPES.filter((type) => !optionRequired.includes(type));
  it.each(optionOptional)('accepts a %s action without an option, or with an empty one', (type) => {
    expect(check(ActionSchema, { type }).success).toBe(true);
    expect(check(ActionSchema, { type, option: {} }).success).toBe(true);
  });

  it('rejects an ai_talk action that names neither assistance_id nor ai_id', () => {
    expect(issuesOf(withOption('ai_talk', { assistance_type: 'ai', duration: 300 }))).toEqual([
      { path: 'option', message: 'ai_talk needs `assistance_id` (or the deprecated `ai_id`)' },
    ]);
    expect(check(ActionSchema, withOption('ai_talk', { ai_id: ID })).success).toBe(true);
  });

  it('rejects an ai_task action that names neither assistance_id nor ai_id', () => {
    expect(issuesOf(withOption('ai_task', { assistance_type: 'team' }))).toEqual([
      { path: 'option', message: 'ai_task needs `assistance_id` (or the deprecated `ai_id`)' },
    ]);
    expect(check(ActionSchema, withOption('ai_task', { ai_id: ID })).success).toBe(true);
  });

  it('accepts a variable_set without value (VoIPBIN sets "") and a sleep without duration', () => {
    expect(check(ActionSchema, withOption('variable_set', { key: 'k' })).success).toBe(true);
    expect(check(ActionSchema, { type: 'sleep' }).success).toBe(true);
  });

  it.each([
    ['mute', { direction: 'both' }, 'option.direction'],
    ['stop', { reason: 'done' }, 'option.reason'],
    ['external_media_start', { external_host: 'h:1', direction: 'both' }, 'option.direction'],
    ['condition_variable', { value_number: '3' }, 'option.value_number'],
    ['condition_datetime', { condition: '=' }, 'option.condition'],
    ['condition_call_status', { status: 'ended' }, 'option.status'],
  ] as const)('rejects %s with a field VoIPBIN does not read: %j', (type, option, path) => {
    expect(issuesOf(withOption(type, option)).map((issue) => issue.path)).toEqual([path]);
  });

  it('takes value_number as any number, as VoIPBIN reads it into a float32', () => {
    const option = { condition: '>', value_type: 'number', value_number: 2.5 };
    expect(check(ActionSchema, withOption('condition_variable', option)).success).toBe(true);
  });

  it('rejects an unknown action type and lists the known ones', () => {
    const [issue, ...rest] = issuesOf({ type: 'ai_dance', option: {} });
    expect(rest).toEqual([]);
    expect(issue?.path).toBe('type');
    expect(issue?.message).toContain('Unknown action type "ai_dance"');
    expect(issue?.message).toContain(ACTION_TYPES.join(', '));
  });

  it('rejects the empty type VoIPBIN answers before the first step', () => {
    expect(issuesOf({ type: '' })[0]?.path).toBe('type');
  });

  it('rejects an unknown option field, so that a typo is not sent silently', () => {
    expect(issuesOf(withOption('talk', { text: 'Hi', voice: 'alice' }))).toEqual([
      { path: 'option.voice', message: 'Unknown field; check its spelling' },
    ]);
  });

  it('rejects an unknown field beside the option', () => {
    expect(issuesOf({ ...examples.talk, options: {} })).toEqual([
      { path: 'options', message: 'Unknown field; check its spelling' },
    ]);
  });

  it('rejects ids that are not UUIDs', () => {
    expect(issuesOf({ ...examples.answer, id: 'step-1', next_id: 'step-2' })).toEqual([
      { path: 'id', message: expect.stringContaining('UUID') },
      { path: 'next_id', message: expect.stringContaining('UUID') },
    ]);
  });

  describe('digits_send, after FlowManagerActionOptionDigitsSend', () => {
    const send = (option: Record<string, unknown>) =>
      withOption('digits_send', { digits: '1', ...option });

    it.each(['0123456789', 'ABCD', '#*', '9'.repeat(100)])('accepts the digits %j', (digits) => {
      expect(check(ActionSchema, send({ digits })).success).toBe(true);
    });

    it.each(['12x', 'abcd', '1 2', '1-2', 'E', '½'])('rejects the digits %j', (digits) => {
      expect(issuesOf(send({ digits }))).toEqual([
        { path: 'option.digits', message: 'Expected DTMF keys: 0-9, A-D, # or *' },
      ]);
    });

    it('rejects more than 100 keys', () => {
      expect(issuesOf(send({ digits: '1'.repeat(101) }))).toEqual([
        { path: 'option.digits', message: 'Expected at most 100 keys' },
      ]);
    });

    it('rejects an empty digits string', () => {
      expect(issuesOf(send({ digits: '' }))).toEqual([
        { path: 'option.digits', message: 'Expected keys to send' },
      ]);
    });

    it.each([100, 250, 1000])('accepts a tone duration of %i ms', (duration) => {
      expect(check(ActionSchema, send({ duration })).success).toBe(true);
    });

    it.each([
      [99, 'Expected at least 100 ms'],
      [0, 'Expected at least 100 ms'],
      [1001, 'Expected at most 1000 ms'],
      [250.5, 'Expected a whole number'],
    ])('rejects a tone duration of %d ms', (duration, message) => {
      expect(issuesOf(send({ duration }))).toEqual([{ path: 'option.duration', message }]);
    });

    it.each([0, 100, 5000])('accepts an interval of %i ms', (interval) => {
      expect(check(ActionSchema, send({ interval })).success).toBe(true);
    });

    it.each([
      [-1, 'Expected a number of at least 0'],
      [5001, 'Expected at most 5000 ms'],
    ])('rejects an interval of %i ms', (interval, message) => {
      expect(issuesOf(send({ interval }))).toEqual([{ path: 'option.interval', message }]);
    });

    it('rejects a duration given as a string', () => {
      expect(issuesOf(send({ duration: '250' }))[0]?.path).toBe('option.duration');
    });
  });

  describe('play', () => {
    it('rejects an empty list of stream URLs', () => {
      expect(issuesOf(withOption('play', { stream_urls: [] }))).toEqual([
        { path: 'option.stream_urls', message: 'Expected at least one stream URL' },
      ]);
    });

    it('rejects a stream URL that is not an absolute URL, at its index', () => {
      const option = { stream_urls: ['https://example.com/a.wav', 'greeting.wav'] };
      expect(issuesOf(withOption('play', option))).toEqual([
        { path: 'option.stream_urls.1', message: expect.stringContaining('absolute URL') },
      ]);
    });
  });

  describe('talk', () => {
    it('accepts provider and voice_id, with which VoIPBIN picks the voice', () => {
      const option = { text: 'Hi', provider: 'aws', voice_id: 'Joanna' };
      expect(check(ActionSchema, withOption('talk', option)).success).toBe(true);
    });

    it.each(['male', 'female', 'neutral'])(
      'accepts the gender %s (not read by VoIPBIN any more)',
      (gender) => {
        expect(check(ActionSchema, withOption('talk', { text: 'Hi', gender })).success).toBe(true);
      },
    );

    it('rejects a gender outside male, female and neutral', () => {
      expect(issuesOf(withOption('talk', { text: 'Hi', gender: 'robot' }))).toEqual([
        { path: 'option.gender', message: expect.stringContaining('"neutral"') },
      ]);
    });

    it('rejects empty text', () => {
      expect(issuesOf(withOption('talk', { text: '' }))).toEqual([
        { path: 'option.text', message: 'Expected a non-empty string' },
      ]);
    });

    it.each(['en-US', 'ko-KR', 'de', 'cmn-Hans-CN'])('accepts the language %s', (language) => {
      expect(check(ActionSchema, withOption('talk', { text: 'Hi', language })).success).toBe(true);
    });

    it.each(['english', 'en_US', 'e'])('rejects the language %j', (language) => {
      expect(issuesOf(withOption('talk', { text: 'Hi', language }))).toEqual([
        { path: 'option.language', message: 'Expected a language tag such as en-US' },
      ]);
    });
  });

  describe('the call action and its nested actions', () => {
    const call = (actions: unknown[]) =>
      withOption('call', { destinations: [tel], actions } as Record<string, unknown>);

    it('checks a nested action against the option schema of its own type', () => {
      expect(issuesOf(call([examples.answer, { type: 'talk', option: { text: '' } }]))).toEqual([
        { path: 'option.actions.1.option.text', message: 'Expected a non-empty string' },
      ]);
    });

    it('checks actions nested two calls deep', () => {
      const inner = call([{ type: 'ai_dance' }]);
      expect(issuesOf(call([inner]))).toEqual([
        {
          path: 'option.actions.0.option.actions.0.type',
          message: expect.stringContaining('Unknown action type "ai_dance"'),
        },
      ]);
    });

    it('accepts nested actions that are valid', () => {
      const nested = call([examples.talk, call([examples.play, examples.hangup])]);
      expect(check(ActionSchema, nested)).toEqual({ success: true, output: nested });
    });

    it('rejects a call with no destination', () => {
      expect(issuesOf(withOption('call', { destinations: [] }))).toEqual([
        { path: 'option.destinations', message: 'Expected at least one destination' },
      ]);
    });

    it('checks the destinations of a call with the address rules', () => {
      const option = { destinations: [{ type: 'tel', target: '010-2828-6521' }] };
      expect(issuesOf(withOption('call', option))).toEqual([
        { path: 'option.destinations.0.target', message: expect.stringContaining('E.164') },
      ]);
    });
  });

  it.each([
    ['connect', { destinations: [] }, 'option.destinations'],
    [
      'email_send',
      { destinations: [{ type: 'email', target: 'nobody' }] },
      'option.destinations.0.target',
    ],
    ['fetch', { event_url: '/flow-event' }, 'option.event_url'],
    ['webhook_send', { uri: 'https://example.com', method: 'PATCH' }, 'option.method'],
    ['goto', { target_id: ID, loop_count: -1 }, 'option.loop_count'],
    ['sleep', { duration: -5 }, 'option.duration'],
    ['recording_start', { format: 'flac' }, 'option.format'],
    ['transcribe_start', { provider: 'azure' }, 'option.provider'],
    ['amd', { machine_handle: 'ignore' }, 'option.machine_handle'],
    ['digits_receive', { length: -1 }, 'option.length'],
    ['branch', { target_ids: { '1': 'step-2' } }, 'option.target_ids.1'],
    ['queue_join', { queue_id: 'support' }, 'option.queue_id'],
    ['answer', { now: true }, 'option.now'],
  ] as const)('rejects a %s action with an invalid option %j at %s', (type, option, path) => {
    expect(issuesOf(withOption(type, option)).map((issue) => issue.path)).toEqual([path]);
  });
});

describe('ActionByTypeSchema', () => {
  // Every valid example, each with a wrong option, a missing option and an unknown key; then
  // inputs with no usable `type`.
  const inputs: unknown[] = [
    ...ACTION_TYPES.flatMap((type) => [
      examples[type],
      { ...examples[type], id: ID, next_id: FLOW_ID },
      { type, option: { bogus: 1 } },
      { type },
      { ...examples[type], extra: true },
    ]),
    { type: 'dial', option: {} },
    { option: { text: 'hi' } },
    { type: 7 },
    { type: null },
    { type: { toString: () => 'talk' } },
    'talk',
    null,
    undefined,
    42,
    [],
  ];

  it.each(inputs)('answers %j exactly as ActionSchema does', (input) => {
    expect(check(ActionByTypeSchema, input)).toEqual(check(ActionSchema, input));
  });

  it('serves the request schemas: an unknown type still gets the variant error, nested too', () => {
    const dial = { type: 'dial', option: {} };
    const nested = { ...examples.call, option: { ...examples.call.option, actions: [dial] } };
    const result = check(CreateCallRequestSchema, {
      source: tel,
      destinations: [tel],
      actions: [dial, nested],
    });
    expect(result.success).toBe(false);
    expect(result.success ? [] : result.issues.map((issue) => issue.path)).toEqual([
      'actions.0.type',
      'actions.1.option.actions.0.type',
    ]);
    expect(result.success ? '' : result.issues[0]?.message).toMatch(/^Unknown action type "dial"/);
  });
});

describe('ResponseActionSchema', () => {
  it('keeps an action type this version does not know, with its raw option', () => {
    const answered = { id: ID, type: 'ai_dance', option: { tempo: 'fast', steps: [1, 2] } };
    expect(check(ResponseActionSchema, answered)).toEqual({
      success: true,
      output: {
        id: ID,
        next_id: null,
        type: 'ai_dance',
        option: { tempo: 'fast', steps: [1, 2] },
        tm_execute: null,
      },
    });
  });

  it('reads the action VoIPBIN answers before the first step as type null', () => {
    const answered = {
      id: '00000000-0000-0000-0000-000000000001',
      next_id: '00000000-0000-0000-0000-000000000000',
      type: '',
    };
    expect(check(ResponseActionSchema, answered)).toEqual({
      success: true,
      output: {
        id: '00000000-0000-0000-0000-000000000001',
        next_id: null,
        type: null,
        option: null,
        tm_execute: null,
      },
    });
  });

  it('reads tm_execute in either timestamp format as ISO 8601', () => {
    const old = check(ResponseActionSchema, {
      ...examples.talk,
      tm_execute: '2023-03-28 12:00:05.248732',
    });
    expect(old).toMatchObject({
      success: true,
      output: { tm_execute: '2023-03-28T12:00:05.248732Z' },
    });
    const unset = check(ResponseActionSchema, {
      ...examples.talk,
      tm_execute: '9999-01-01 00:00:00.000000',
    });
    expect(unset).toMatchObject({ success: true, output: { tm_execute: null } });
  });

  it('does not apply the request rules to an answer', () => {
    // An answer with an option the request schema would refuse is still read.
    const answered = { id: ID, type: 'talk', option: { text: '', voice: 'x' } };
    expect(check(ResponseActionSchema, answered)).toMatchObject({
      success: true,
      output: { type: 'talk', option: { text: '', voice: 'x' } },
    });
  });
});

describe('builders', () => {
  const built = {
    talk: talk({ text: 'Hello', language: 'en-US', gender: 'female' }),
    talkWithIds: talk({ text: 'Hello' }, { id: ID, next_id: FLOW_ID }),
    play: play(['https://media.voipbin.net/audio/greeting.wav']),
    answer: answer(),
    sleep: sleep(1500),
    digitsReceive: digitsReceive({ duration: 5000, length: 4, key: '#' }),
    digitsSend: digitsSend({ digits: '1234#', duration: 250, interval: 100 }),
    connect: connect({ destinations: [{ type: 'tel', target: '+14155551234' }] }),
    goto: goto({ target_id: ID, loop_count: 2 }),
    hangup: hangup(),
    hangupWithReason: hangup({ reason: 'normal' }),
    digitsReceiveAction: action('digits_receive', { duration: 5000, length: 4 }),
    conferenceJoin: action('conference_join', { conference_id: ID }),
    beep: action('beep'),
    aiTask: aiTask({ assistance_type: 'ai', assistance_id: ID }),
    block: block(),
    caseCreate: caseCreate({ name: 'Billing question', sync: true }),
    caseCreateBare: caseCreate(),
    empty: empty(),
    call: action('call', {
      destinations: [{ type: 'extension', target_name: 'alice' }],
      actions: [talk({ text: 'Connecting you.' })],
    }),
  };

  it.each(Object.entries(built))('builds a %s action that ActionSchema accepts', (_, built) => {
    expect(check(ActionSchema, built)).toEqual({ success: true, output: built });
  });

  it('builds the JSON VoIPBIN expects', () => {
    expect(built.talkWithIds).toEqual({
      id: ID,
      next_id: FLOW_ID,
      type: 'talk',
      option: { text: 'Hello' },
    });
    expect(built.play).toEqual({
      type: 'play',
      option: { stream_urls: ['https://media.voipbin.net/audio/greeting.wav'] },
    });
    expect(built.sleep).toEqual({ type: 'sleep', option: { duration: 1500 } });
    expect(built.answer).toEqual({ type: 'answer' });
    expect(built.hangup).toEqual({ type: 'hangup' });
    expect(built.block).toEqual({ type: 'block' });
    expect(built.empty).toEqual({ type: 'empty' });
    expect(built.caseCreateBare).toEqual({ type: 'case_create' });
    expect(Object.hasOwn(built.answer, 'option')).toBe(false);
  });

  it('does not check at build time; the request check still catches a bad option', () => {
    // @ts-expect-error talk needs its text
    const noText = action('talk');
    expect(check(ActionSchema, noText).success).toBe(false);
    expect(check(ActionSchema, digitsSend({ digits: 'x' })).success).toBe(false);
  });
});
