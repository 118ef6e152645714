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

  it('refuses a denied prefix, naming the destination index', () => {
    const violations = checkPolicy(
      { destinations: [tel('+821021656521'), tel('+19005550100')] },
      policy({ deniedPrefixes: ['+1900'] }),
    );
    expect(violations).toEqual([
      {
        path: 'destinations.1.target',
        code: 'FORBIDDEN',
        message: 'Destination 1 (+19005550100) is in a denied range (+1900)',
      },
    ]);
  });

  it('refuses numbers outside the allowed prefixes; country codes work with or without +', () => {
    const rule = policy({ allowedPrefixes: ['82', '+1'] });
    expect(
      checkPolicy({ destinations: [tel('+821021656521'), tel('+14155550100')] }, rule),
    ).toEqual([]);
    expect(checkPolicy({ destinations: [tel('+447700900123')] }, rule)).toMatchObject([
      { path: 'destinations.0.target', code: 'FORBIDDEN' },
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
});
