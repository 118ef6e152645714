/**
 * What GraphQL itself refuses (a variable it cannot coerce, a literal of the wrong type, a
 * document that does not parse) is answered with where and why, never with the value refused:
 * graphql's messages quote it, and it may be a phone number or a talk text (or the whole input,
 * both with it). Nothing is placed.
 */
import { describe, expect, it } from 'vitest';
import { emulatedGateway, postGraphQL, recordRequests } from './support/graphql.ts';

const NUMBER = '+821099998888';
const TEXT = 'canary talk text';
const SOURCE = '{ type: TEL, target: "+821028286521" }';
const CREATE = 'mutation($input: CreateCallInput!) { createCall(input: $input) { calls { id } } }';
const input = (fields: Record<string, unknown> = {}) => ({
  source: { type: 'TEL', target: '+821028286521' },
  destinations: [{ type: 'TEL', target: NUMBER }],
  actions: [{ talk: { text: TEXT } }],
  ...fields,
});

const { emulator, gateway } = emulatedGateway();
const upstream = recordRequests(emulator);

describe('an input GraphQL refuses', () => {
  it.each([
    ['the input as a string', CREATE, { input: JSON.stringify(input()) }, 'input'],
    [
      'an unknown field beside a number',
      CREATE,
      { input: input({ destinations: [{ type: 'TEL', target: NUMBER, carrier: 'x' }] }) },
      'input.destinations.0',
    ],
    [
      'two actions in one, beside a talk text',
      CREATE,
      { input: input({ actions: [{ talk: { text: TEXT }, answer: {} }] }) },
      'input.actions.0',
    ],
    [
      'a number where an address goes',
      CREATE,
      { input: input({ destinations: [NUMBER] }) },
      'input.destinations.0',
    ],
    [
      'a number as a JSON number',
      CREATE,
      { input: input({ destinations: [{ type: 'TEL', target: 821099998888 }] }) },
      'input.destinations.0.target',
    ],
    [
      'a talk text for an enum',
      CREATE,
      { input: input({ actions: [{ talk: { text: TEXT, gender: TEXT } }] }) },
      'input.actions.0.talk.gender',
    ],
    ['a talk text for an object', CREATE, { input: input({ variables: TEXT }) }, 'input.variables'],
    [
      'a number literal where an address goes',
      `mutation { createCall(input: { source: ${SOURCE}, destinations: "${NUMBER}", actions: [{ talk: { text: "${TEXT}" } }] }) { calls { id } } }`,
      undefined,
      'input.destinations',
    ],
    [
      'a number literal as an Int',
      `mutation { createCall(input: { source: ${SOURCE}, destinations: [{ type: TEL, target: 821099998888 }], actions: [{ talk: { text: "${TEXT}" } }] }) { calls { id } } }`,
      undefined,
      'input.destinations.0.target',
    ],
  ])('answers %s with its path, quoting nothing', async (_, query, variables, path) => {
    const { json, text } = await postGraphQL(gateway, query, variables ? { variables } : {});

    expect(json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(json.errors?.[0]?.extensions?.issues?.[0]?.path).toBe(path);
    expect(text).not.toMatch(/821099998888|canary talk text/);
    expect(upstream).toEqual([]);
  });

  it('still says where a variable went wrong and what, naming a plain value', async () => {
    const { json } = await postGraphQL(gateway, CREATE, {
      variables: { input: input({ destinations: [{ type: 'tel', target: NUMBER }] }) },
    });

    // An enum value's name is no phone number or sentence: it is still named.
    const why =
      'Value "tel" does not exist in "AddressType" enum. Did you mean the enum value "TEL"?';
    expect(json.errors?.[0]?.message).toBe(
      `Variable "$input" got invalid value at "input.destinations[0].type"; ${why}`,
    );
    expect(json.errors?.[0]?.extensions?.issues).toEqual([
      { path: 'input.destinations.0.type', message: why },
    ]);
  });

  it('answers a document that stops at a talk text without quoting it', async () => {
    const { json, text } = await postGraphQL(
      gateway,
      `mutation { createCall(input: { source: ${SOURCE}, destinations: [{ type: TEL, target: "${NUMBER}" }], actions: [{ talk: { text: "Hello" "${TEXT}" } }] }) { calls { id } } }`,
    );

    expect(json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(json.errors?.[0]?.message).toBe('Syntax Error: Expected Name, found String.');
    expect(text).not.toMatch(/821099998888|canary talk text/);
    expect(upstream).toEqual([]);
  });
});
