import { describe, expect, it } from 'vitest';
import { type CreateCallRequest, CreateCallRequestSchema } from './create-call-request.ts';
import { check } from './validate.ts';

const KB = 1024;
const FLOW_ID = 'ed95a3c4-22d4-11ee-add7-8742a741581e';
const source = { type: 'tel', target: '+821028286521' };
const destination = { type: 'tel', target: '+821021656521' };
const talk = { type: 'talk', option: { text: 'Hello. This is voipbin test.', gender: 'female' } };

/** The quickstart's first request: an inline flow of one talk action. */
const withActions = { source, destinations: [destination], actions: [talk] };
/** The quickstart's second request: an existing flow. */
const withFlow = { source, destinations: [destination], flow_id: FLOW_ID };

/** `count` variables `v0`, `v1`, ... each holding `value`. */
const variables = (count: number, value = 'x') =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`v${i}`, value]));

describe('CreateCallRequestSchema', () => {
  describe('accepts', () => {
    it.each([
      ['inline actions only', withActions],
      ['a flow_id only', withFlow],
      ['both actions and flow_id (VoIPBIN runs the flow)', { ...withActions, flow_id: FLOW_ID }],
      [
        'a nil flow_id beside actions (VoIPBIN runs the actions)',
        { ...withActions, flow_id: '00000000-0000-0000-0000-000000000000' },
      ],
      [
        'several destinations of different types',
        {
          ...withFlow,
          destinations: [
            destination,
            { type: 'extension', target_name: 'reception' },
            { type: 'agent', target: '6f7a8b9c-0d1e-2345-f012-345678901234' },
            { type: 'sip', target: 'sip:alice@example.com' },
          ],
        },
      ],
      [
        'an email_send action, whose destinations are e-mail addresses',
        {
          ...withActions,
          actions: [
            talk,
            {
              type: 'email_send',
              option: { destinations: [{ type: 'email', target: 'ops@example.com' }] },
            },
          ],
        },
      ],
      ['each anonymous setting', { ...withFlow, anonymous: 'yes' }],
      ['anonymous: no', { ...withFlow, anonymous: 'no' }],
      ['anonymous: auto', { ...withFlow, anonymous: 'auto' }],
      [
        "the spec's variables example",
        { ...withFlow, variables: { campaign_id: 'summer-2026', customer_name: 'Jane Doe' } },
      ],
      ['no variables at all', { ...withFlow, variables: {} }],
      ['exactly 100 variables', { ...withFlow, variables: variables(100) }],
      ['a value of exactly 32 KB', { ...withFlow, variables: { big: 'x'.repeat(32 * KB) } }],
      [
        'a value of exactly 32 KB in multi-byte characters',
        { ...withFlow, variables: { big: 'é'.repeat(16 * KB) } },
      ],
      [
        'variables of exactly 64 KB in all, keys included',
        { ...withFlow, variables: { a: 'x'.repeat(32 * KB - 1), b: 'x'.repeat(32 * KB - 1) } },
      ],
      ['an empty string value', { ...withFlow, variables: { note: '' } }],
      [
        'a reserved voipbin. key (VoIPBIN ignores it)',
        { ...withFlow, variables: { 'voipbin.call.id': 'x' } },
      ],
    ])('%s', (_, request) => {
      // The client sends the output: it must be the request, unchanged.
      expect(check(CreateCallRequestSchema, request)).toEqual({ success: true, output: request });
    });
  });

  const invalid: [name: string, request: unknown, path: string, message: string][] = [
    // The body itself.
    ['a body that is null', null, '', 'Expected Object'],
    // valibot reads an array as an object with keys 0, 1, ...: still refused.
    ['a body that is an array', [withActions], 'source', 'Required'],
    ['a body that is a JSON string', JSON.stringify(withActions), '', 'Expected Object'],
    [
      'an unknown top-level field',
      { ...withActions, caller_id: '+14155551234' },
      'caller_id',
      'Unknown field',
    ],
    [
      'a misspelt destinations',
      { source, destination: [destination], actions: [talk] },
      'destination',
      'Unknown field',
    ],
    // source and destinations.
    ['no source', { destinations: [destination], actions: [talk] }, 'source', 'Required'],
    ['a null source', { ...withActions, source: null }, 'source', 'Expected Object'],
    [
      'a source given as a bare number',
      { ...withActions, source: '+821028286521' },
      'source',
      'Expected Object',
    ],
    [
      'a source number with spaces',
      { ...withActions, source: { type: 'tel', target: '+82 10 2828 6521' } },
      'source.target',
      'E.164',
    ],
    [
      'a destination number with dashes',
      { ...withActions, destinations: [{ type: 'tel', target: '+82-10-2165-6521' }] },
      'destinations.0.target',
      'E.164',
    ],
    [
      'a destination number without +',
      { ...withActions, destinations: [destination, { type: 'tel', target: '821021656521' }] },
      'destinations.1.target',
      'E.164',
    ],
    [
      'a quickstart placeholder left in',
      { ...withActions, destinations: [{ type: 'tel', target: '+82XXXXXXXX' }] },
      'destinations.0.target',
      'E.164',
    ],
    [
      'a destination number that is a number',
      { ...withActions, destinations: [{ type: 'tel', target: 821021656521 }] },
      'destinations.0.target',
      'Expected string',
    ],
    ['no destinations', { source, actions: [talk] }, 'destinations', 'Required'],
    [
      'empty destinations',
      { ...withActions, destinations: [] },
      'destinations',
      'Expected at least one destination',
    ],
    [
      'destinations given as one address',
      { ...withActions, destinations: destination },
      'destinations',
      'Expected Array',
    ],
    [
      'a null destination',
      { ...withActions, destinations: [null] },
      'destinations.0',
      'Expected Object',
    ],
    [
      'a destination of an unknown type',
      { ...withActions, destinations: [{ type: 'phone', target: '+821021656521' }] },
      'destinations.0.type',
      '"tel"',
    ],
    [
      'an unknown field in a destination',
      { ...withActions, destinations: [{ ...destination, number: '+1' }] },
      'destinations.0.number',
      'Unknown field',
    ],
    [
      'an e-mail destination, which VoIPBIN cannot ring',
      { ...withActions, destinations: [destination, { type: 'email', target: 'a@example.com' }] },
      'destinations.1.type',
      'An e-mail address cannot be called',
    ],
    [
      'an agent destination that is not a UUID',
      { ...withActions, destinations: [{ type: 'agent', target: 'alice' }] },
      'destinations.0.target',
      'UUID',
    ],
    [
      'a huge target_name',
      { ...withActions, source: { ...source, target_name: 'x'.repeat(1_000_000) } },
      'source.target_name',
      'at most 255 characters',
    ],
    [
      'a huge line target',
      { ...withActions, destinations: [{ type: 'line', target: 'U'.repeat(100_000) }] },
      'destinations.0.target',
      'at most 255 characters',
    ],
    // actions and flow_id.
    [
      'neither actions nor flow_id',
      { source, destinations: [destination] },
      'actions',
      'Expected `actions` (at least one) or `flow_id`',
    ],
    [
      'a nil flow_id and no actions',
      { ...withFlow, flow_id: '00000000-0000-0000-0000-000000000000' },
      'actions',
      'Expected `actions` (at least one) or `flow_id`',
    ],
    ['empty actions', { ...withActions, actions: [] }, 'actions', 'Expected at least one action'],
    [
      'empty actions beside a flow_id',
      { ...withFlow, actions: [] },
      'actions',
      'Expected at least one action',
    ],
    ['null actions', { ...withFlow, actions: null }, 'actions', 'Expected Array'],
    ['actions given as one action', { ...withActions, actions: talk }, 'actions', 'Expected Array'],
    [
      'a flow_id that is not a UUID',
      { ...withFlow, flow_id: 'my-flow' },
      'flow_id',
      'Expected a UUID',
    ],
    [
      'a flow_id missing a group',
      { ...withFlow, flow_id: 'ed95a3c4-22d4-11ee-8742a741581e' },
      'flow_id',
      'Expected a UUID',
    ],
    ['a null flow_id', { ...withActions, flow_id: null }, 'flow_id', 'Expected string'],
    ['a numeric flow_id', { ...withActions, flow_id: 42 }, 'flow_id', 'Expected string'],
    [
      'an action of an unknown type',
      { ...withActions, actions: [talk, { type: 'ai_dance' }] },
      'actions.1.type',
      'Unknown action type "ai_dance"',
    ],
    [
      'an action without a type',
      { ...withActions, actions: [{ option: { text: 'Hi' } }] },
      'actions.0.type',
      'Unknown action type',
    ],
    [
      'a talk action without text',
      { ...withActions, actions: [{ type: 'talk', option: {} }] },
      'actions.0.option.text',
      'Required',
    ],
    [
      'a talk action with an unknown gender',
      { ...withActions, actions: [{ type: 'talk', option: { text: 'Hi', gender: 'robot' } }] },
      'actions.0.option.gender',
      '"female"',
    ],
    [
      'digits_send digits with an x',
      { ...withActions, actions: [{ type: 'digits_send', option: { digits: '12x4' } }] },
      'actions.0.option.digits',
      'Expected DTMF keys',
    ],
    [
      'digits_send duration under 100 ms',
      { ...withActions, actions: [{ type: 'digits_send', option: { digits: '1', duration: 99 } }] },
      'actions.0.option.duration',
      'at least 100 ms',
    ],
    [
      'digits_send duration over 1000 ms',
      {
        ...withActions,
        actions: [{ type: 'digits_send', option: { digits: '1', duration: 1001 } }],
      },
      'actions.0.option.duration',
      'at most 1000 ms',
    ],
    [
      'digits_send interval over 5000 ms',
      {
        ...withActions,
        actions: [{ type: 'digits_send', option: { digits: '1', interval: 5001 } }],
      },
      'actions.0.option.interval',
      'at most 5000 ms',
    ],
    [
      'an action id that is not a UUID',
      { ...withActions, actions: [{ ...talk, id: 'first' }] },
      'actions.0.id',
      'Expected a UUID',
    ],
    // anonymous.
    ['an unknown anonymous setting', { ...withActions, anonymous: 'maybe' }, 'anonymous', '"auto"'],
    ['anonymous as a boolean', { ...withActions, anonymous: true }, 'anonymous', 'received true'],
    ['a null anonymous', { ...withActions, anonymous: null }, 'anonymous', 'received null'],
    // variables.
    [
      '101 variables',
      { ...withFlow, variables: variables(101) },
      'variables',
      'Expected at most 100 variables',
    ],
    [
      'a value one byte over 32 KB',
      { ...withFlow, variables: { big: 'x'.repeat(32 * KB + 1) } },
      'variables.big',
      'Expected a value of at most 32 KB',
    ],
    [
      'a value over 32 KB in UTF-8 though under 32 K characters',
      { ...withFlow, variables: { big: 'é'.repeat(16 * KB + 1) } },
      'variables.big',
      'at most 32 KB',
    ],
    [
      'variables one byte over 64 KB in all',
      { ...withFlow, variables: { a: 'x'.repeat(32 * KB - 1), b: 'x'.repeat(32 * KB) } },
      'variables',
      'Expected variables of at most 64 KB in all',
    ],
    [
      'three values of 30 KB',
      { ...withFlow, variables: variables(3, 'x'.repeat(30 * KB)) },
      'variables',
      '64 KB in all',
    ],
    [
      'a number value',
      { ...withFlow, variables: { attempts: 3 } },
      'variables.attempts',
      'Expected string',
    ],
    [
      'a boolean value',
      { ...withFlow, variables: { vip: true } },
      'variables.vip',
      'Expected string',
    ],
    [
      'a null value',
      { ...withFlow, variables: { note: null } },
      'variables.note',
      'Expected string',
    ],
    [
      'a nested object value',
      { ...withFlow, variables: { customer: { name: 'Jane' } } },
      'variables.customer',
      'Expected string',
    ],
    [
      'an empty variable name',
      { ...withFlow, variables: { '': 'x' } },
      'variables.',
      'Expected a non-empty variable name',
    ],
    [
      'variables given as an array',
      { ...withFlow, variables: ['summer-2026'] },
      'variables',
      'Expected an object of string values',
    ],
    [
      'variables given as a string',
      { ...withFlow, variables: 'campaign_id=summer-2026' },
      'variables',
      'Expected an object of string values',
    ],
    [
      'null variables',
      { ...withFlow, variables: null },
      'variables',
      'Expected an object of string values',
    ],
    [
      'a variable named constructor, which would be dropped',
      { ...withFlow, variables: { constructor: 'x', plan: 'gold' } },
      'variables',
      'Expected no variable named __proto__, constructor or prototype',
    ],
    [
      'a variable named __proto__ from parsed JSON',
      { ...withFlow, variables: JSON.parse('{"__proto__":"x"}') },
      'variables',
      'Expected no variable named',
    ],
  ];

  it('has at least 30 invalid cases', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(30);
  });

  it.each(invalid)('rejects %s', (_, request, path, message) => {
    const result = check(CreateCallRequestSchema, request);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('reports every problem at once, each at its own path', () => {
    const result = check(CreateCallRequestSchema, {
      source: { type: 'tel', target: '010-2828-6521' },
      destinations: [
        { type: 'tel', target: '+821021656521' },
        { type: 'agent', target: 'bob' },
      ],
      anonymous: 'maybe',
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((issue) => issue.path)).toEqual([
      'source.target',
      'destinations.1.target',
      'anonymous',
      'actions',
    ]);
  });

  it('types variables as a map of strings', () => {
    const typed = {
      source: { type: 'tel', target: '+821028286521' },
      destinations: [{ type: 'tel', target: '+821021656521' }],
      flow_id: FLOW_ID,
    } satisfies CreateCallRequest;
    const request: CreateCallRequest = { ...typed, variables: { plan: 'gold' } };
    // @ts-expect-error variable values are strings
    const wrong: CreateCallRequest = { ...typed, variables: { attempts: 3 } };
    expect(check(CreateCallRequestSchema, request).success).toBe(true);
    expect(check(CreateCallRequestSchema, wrong).success).toBe(false);
  });

  it('reports a missing flow only once when actions are given but invalid', () => {
    const result = check(CreateCallRequestSchema, { ...withActions, actions: [{ type: 'talk' }] });
    expect(result).toEqual({
      success: false,
      issues: [{ path: 'actions.0.option', message: 'Required' }],
    });
  });
});
