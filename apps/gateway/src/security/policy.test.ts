import type { Action, Address } from '@voipbin-kit/core';
import { describe, expect, it } from 'vitest';
import { type CallPolicy, checkPolicy, DEFAULT_POLICY } from './policy.ts';

const tel = (target: string): Address => ({ type: 'tel', target });
const talk = (text: string): Action => ({ type: 'talk', option: { text } });
const policy = (overrides: Partial<CallPolicy>): CallPolicy => ({
  ...DEFAULT_POLICY,
  ...overrides,
});

describe('checkPolicy', () => {
  it('lets everything through by default, up to the size limits', () => {
    expect(
      checkPolicy({ destinations: [tel('+19005550100')], actions: [talk('Hi')] }, DEFAULT_POLICY),
    ).toEqual([]);
  });

  it('refuses a denied prefix, naming the destination by its index, not its number', () => {
    const violations = checkPolicy(
      { destinations: [tel('+821021656521'), tel('+19005550100')] },
      policy({ deniedPrefixes: ['+1900'] }),
    );
    expect(violations).toEqual([
      {
        path: 'destinations.1.target',
        code: 'FORBIDDEN',
        message: 'Destination 1 is in a denied range (+1900)',
      },
    ]);
  });

  it('refuses numbers outside the allowed prefixes; country codes work with or without +', () => {
    const rule = policy({ allowedPrefixes: ['82', '+1'] });
    expect(
      checkPolicy({ destinations: [tel('+821021656521'), tel('+14155550100')] }, rule),
    ).toEqual([]);
    expect(checkPolicy({ destinations: [tel('+447700900123')] }, rule)).toEqual([
      {
        path: 'destinations.0.target',
        code: 'FORBIDDEN',
        message: 'Destination 0 is outside the allowed prefixes (+82, +1)',
      },
    ]);
  });

  it('lets a denied prefix win over an allowed one', () => {
    const rule = policy({ allowedPrefixes: ['+1'], deniedPrefixes: ['+1900'] });
    expect(checkPolicy({ destinations: [tel('+19005550100')] }, rule)).toMatchObject([
      { code: 'FORBIDDEN' },
    ]);
  });

  it('checks tel destinations inside connect and nested call actions, and leaves other address types alone', () => {
    const actions: Action[] = [
      { type: 'connect', option: { destinations: [tel('+19005550100')] } },
      {
        type: 'call',
        option: {
          destinations: [{ type: 'extension', target_name: '1001' }],
          actions: [
            {
              type: 'connect',
              option: { destinations: [tel('+821021656521'), tel('+19005550199')] },
            },
          ],
        },
      },
    ];
    expect(
      checkPolicy({ actions }, policy({ deniedPrefixes: ['+1900'] })).map((v) => v.path),
    ).toEqual([
      'actions.0.option.destinations.0.target',
      'actions.1.option.actions.0.option.destinations.1.target',
    ]);
  });

  it('limits destinations, actions (nested ones counted) and talk text length', () => {
    const rule = policy({ maxDestinations: 2, maxActions: 3, maxTalkLength: 5 });
    const violations = checkPolicy(
      {
        destinations: [tel('+821000000001'), tel('+821000000002'), tel('+821000000003')],
        actions: [
          talk('Hello there'),
          {
            type: 'call',
            option: { destinations: [tel('+821000000004')], actions: [talk('a'), talk('b')] },
          },
        ],
      },
      rule,
    );
    expect(violations).toEqual([
      { path: 'destinations', code: 'BAD_USER_INPUT', message: 'At most 2 destinations per call' },
      {
        path: 'actions.0.option.text',
        code: 'BAD_USER_INPUT',
        message: 'A talk text has at most 5 characters',
      },
      {
        path: 'actions',
        code: 'BAD_USER_INPUT',
        message: 'At most 3 actions per request, nested ones included',
      },
    ]);
  });

  it('accepts the limits exactly', () => {
    const rule = policy({ maxDestinations: 1, maxActions: 1, maxTalkLength: 5 });
    expect(
      checkPolicy({ destinations: [tel('+821000000001')], actions: [talk('Hello')] }, rule),
    ).toEqual([]);
  });

  it('refuses fetch and fetch_flow actions, nested ones too: they run actions the gateway never sees', () => {
    const actions: Action[] = [
      talk('Hi'),
      { type: 'fetch', option: { event_url: 'https://attacker.example/actions' } },
      {
        type: 'call',
        option: {
          destinations: [tel('+821021656521')],
          actions: [
            { type: 'fetch_flow', option: { flow_id: '00000000-0000-4000-8000-000000000001' } },
          ],
        },
      },
    ];
    expect(checkPolicy({ actions }, DEFAULT_POLICY)).toEqual([
      {
        path: 'actions.1.type',
        code: 'FORBIDDEN',
        message:
          'A fetch action runs actions this gateway cannot check; it is refused unless the policy allows fetch actions',
      },
      {
        path: 'actions.2.option.actions.0.type',
        code: 'FORBIDDEN',
        message:
          'A fetch_flow action runs actions this gateway cannot check; it is refused unless the policy allows fetch actions',
      },
    ]);
    expect(checkPolicy({ actions }, policy({ allowFetchActions: true }))).toEqual([]);
  });

  it('caps the tel destinations of one request in all, top level and nested actions together', () => {
    const numbers = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => tel(`+8210000${String(from + i).padStart(5, '0')}`));
    const connect = (n: number, from: number): Action => ({
      type: 'connect',
      option: { destinations: numbers(n, from) },
    });
    const rule = policy({ maxDestinations: 4, maxTotalDestinations: 7 });
    // 3 + 3 + 1 = 7: at the cap; extensions do not count.
    expect(
      checkPolicy(
        {
          destinations: [...numbers(3, 0), { type: 'extension', target_name: '1001' }],
          actions: [connect(3, 10), connect(1, 20)],
        },
        rule,
      ),
    ).toEqual([]);
    // 3 + 3 + 2 = 8, each list within its own limit: refused once, where the total passes the cap.
    expect(
      checkPolicy(
        {
          destinations: numbers(3, 0),
          actions: [
            connect(3, 10),
            { type: 'call', option: { destinations: numbers(2, 20), actions: [connect(1, 30)] } },
          ],
        },
        rule,
      ),
    ).toEqual([
      {
        path: 'actions.1.option.destinations',
        code: 'BAD_USER_INPUT',
        message: 'At most 7 tel destinations per request, those in actions included',
      },
    ]);
  });

  it('caps tel destinations in all at 3 lists of maxDestinations by default', () => {
    expect(DEFAULT_POLICY.maxTotalDestinations).toBeUndefined();
    const list = (from: number) =>
      Array.from({ length: 10 }, (_, i) => tel(`+8210000${String(from + i).padStart(5, '0')}`));
    const connect = (from: number): Action => ({
      type: 'connect',
      option: { destinations: list(from) },
    });
    expect(
      checkPolicy({ destinations: list(0), actions: [connect(100), connect(200)] }, DEFAULT_POLICY),
    ).toEqual([]);
    expect(
      checkPolicy(
        { destinations: list(0), actions: [connect(100), connect(200), connect(300)] },
        DEFAULT_POLICY,
      ),
    ).toMatchObject([
      {
        path: 'actions.2.option.destinations',
        message: 'At most 30 tel destinations per request, those in actions included',
      },
    ]);
    expect(
      checkPolicy(
        { destinations: list(0), actions: [connect(100), connect(200), connect(300)] },
        policy({ maxDestinations: 20 }),
      ),
    ).toEqual([]);
  });
});
