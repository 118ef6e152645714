/**
 * validateCall: createCall's checks (core's validation, unsafe keys, the policy) as a value,
 * through the same code (`refusal` in src/calls/guard.ts): each bad input gives the code and
 * path createCall's error gives, and nothing happens: nothing sent upstream, no rate-limit
 * token, no idempotency key or owner stored.
 */
import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../src/security/store-memory.ts';
import { emulatedGateway, graphql, QUICKSTART, recordRequests } from './support/graphql.ts';

const VALIDATE = /* GraphQL */ `query Check($input: CreateCallInput!) {
  validateCall(input: $input) { valid problems { code path message } }
}`;
const CREATE = /* GraphQL */ `mutation Place($input: CreateCallInput!, $key: String) {
  createCall(input: $input, idempotencyKey: $key) { calls { id } replayed }
}`;

type Json = Record<string, unknown>;
const tel = (target: string) => ({ type: 'TEL', target });
/** The quickstart's numbers and a short talk (POLICY's maxTalkLength), with `fields` replaced. */
const input = (fields: Json = {}): Json => ({
  source: tel(QUICKSTART.source),
  destinations: [tel(QUICKSTART.destination)],
  actions: [{ talk: { text: 'Hello' } }],
  ...fields,
});

/** A policy as GATEWAY_POLICY would set it, with small limits. */
const POLICY = { deniedPrefixes: ['+1900'], maxDestinations: 2, maxTalkLength: 20 };

/** Inputs createCall refuses: the code and path its error names. */
const BAD: { name: string; input: Json; code: string; path: string }[] = [
  {
    name: 'a number not in E.164',
    input: input({ destinations: [tel('01021656521')] }),
    code: 'BAD_USER_INPUT',
    path: 'input.destinations.0.target',
  },
  {
    name: 'a denied prefix (+1900)',
    input: input({ destinations: [tel('+19005550100')] }),
    code: 'FORBIDDEN',
    path: 'input.destinations.0.target',
  },
  {
    name: 'a denied prefix inside a connect action',
    input: input({ actions: [{ connect: { destinations: [tel('+19005550100')] } }] }),
    code: 'FORBIDDEN',
    path: 'input.actions.0.connect.destinations.0.target',
  },
  {
    name: 'too many destinations',
    input: input({ destinations: ['+821021656521', '+821021656522', '+821021656523'].map(tel) }),
    code: 'BAD_USER_INPUT',
    path: 'input.destinations',
  },
  {
    name: 'a talk text over maxTalkLength',
    input: input({ actions: [{ talk: { text: 'x'.repeat(21) } }] }),
    code: 'BAD_USER_INPUT',
    path: 'input.actions.0.talk.text',
  },
  {
    name: 'a fetch action while the policy does not allow them',
    input: input({
      actions: [{ fetch: { eventUrl: 'https://example.com/actions', eventMethod: 'POST' } }],
    }),
    code: 'FORBIDDEN',
    path: 'input.actions.0.fetch',
  },
  {
    name: 'a flow variable that is not a string (GraphQL takes any JSON object)',
    input: input({ variables: { 'voipbin.call.count': 3 } }),
    code: 'BAD_USER_INPUT',
    path: 'input.variables.voipbin.call.count',
  },
  {
    name: 'an unsafe key in an open JSON object',
    input: input({ variables: JSON.parse('{"__proto__": {"polluted": "yes"}}') }),
    code: 'BAD_USER_INPUT',
    path: 'input.variables',
  },
];

describe('validateCall', () => {
  it('answers valid, with no problems, for the quickstart input, and sends nothing', async () => {
    const { emulator, gateway } = emulatedGateway({}, { security: { policy: POLICY } });
    const recorded = recordRequests(emulator);
    const answer = await graphql(gateway, VALIDATE, { input: input() });
    expect(answer).toEqual({ data: { validateCall: { valid: true, problems: [] } } });
    expect(recorded).toEqual([]);
    expect(emulator.calls()).toHaveLength(0);
  });

  it.each(BAD)('answers $name with the code and path createCall refuses it with', async (bad) => {
    const { emulator, gateway } = emulatedGateway({}, { security: { policy: POLICY } });
    const recorded = recordRequests(emulator);
    const checked = await graphql(gateway, VALIDATE, { input: bad.input });
    expect(checked.errors).toBeUndefined();
    const { valid, problems } = checked.data?.validateCall ?? {};
    expect(valid).toBe(false);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: bad.code, path: bad.path });

    const created = await graphql(gateway, CREATE, { input: bad.input });
    expect(created.data).toBeNull();
    const [error] = created.errors ?? [];
    expect(error?.extensions?.code).toBe(bad.code);
    expect(error?.extensions?.issues).toEqual(
      problems.map(({ path, message }: Json) => ({ path, message })),
    );
    // Neither reached VoIPBIN.
    expect(recorded).toEqual([]);
  });

  it('lists every problem createCall names, each with its own code', async () => {
    const { gateway } = emulatedGateway({}, { security: { policy: POLICY } });
    const bad = input({
      destinations: [tel('+19005550100')],
      actions: [{ talk: { text: 'x'.repeat(21) } }],
    });
    const checked = await graphql(gateway, VALIDATE, { input: bad });
    expect(checked.data?.validateCall.problems).toEqual([
      {
        code: 'FORBIDDEN',
        path: 'input.destinations.0.target',
        message: 'Destination 0 is in a denied range (+1900)',
      },
      {
        code: 'BAD_USER_INPUT',
        path: 'input.actions.0.talk.text',
        message: 'A talk text has at most 20 characters',
      },
    ]);
    const created = await graphql(gateway, CREATE, { input: bad });
    // createCall's one error takes the gravest code of its issues.
    expect(created.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(created.errors?.[0]?.extensions?.issues).toHaveLength(2);
  });

  it('takes no rate-limit token: five checks, then createCall still places the call', async () => {
    const { emulator, gateway } = emulatedGateway(
      {},
      { security: { rateLimit: { perMinute: 1, burst: 1 } } },
    );
    for (let i = 0; i < 5; i++) {
      const checked = await graphql(gateway, VALIDATE, { input: input() });
      expect(checked.data?.validateCall.valid).toBe(true);
    }
    const placed = await graphql(gateway, CREATE, { input: input() });
    expect(placed.errors).toBeUndefined();
    expect(placed.data?.createCall.calls).toHaveLength(1);
    // The bucket held one token: the next createCall is limited.
    const limited = await graphql(gateway, CREATE, { input: input() });
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(emulator.calls()).toHaveLength(1);
  });

  it('writes nothing to the store: no idempotency key, no owner, no token', async () => {
    const store = createMemoryStore();
    const spies = (['take', 'setIfAbsent', 'set', 'delete', 'indexAdd'] as const).map((method) =>
      vi.spyOn(store, method),
    );
    const { gateway } = emulatedGateway({}, { security: { store, policy: POLICY } });
    for (const bad of [input(), ...BAD.map((b) => b.input)]) {
      await graphql(gateway, VALIDATE, { input: bad });
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    // The spies see the writes createCall makes.
    await graphql(gateway, CREATE, { input: input(), key: 'k-1' });
    expect(spies.filter((spy) => spy.mock.calls.length > 0).length).toBeGreaterThan(0);
  });

  it('needs calls:create as well as calls:read', async () => {
    const secret = 'a-test-secret-of-at-least-32-bytes!!';
    const jwt = async (scope: string) =>
      `Bearer ${await new SignJWT({ scope })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('someone')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret))}`;
    const { gateway } = emulatedGateway({}, { security: { auth: { jwt: { secret } } } });
    const as = async (scope: string) =>
      graphql(gateway, VALIDATE, { input: input() }, { authorization: await jwt(scope) });
    const readOnly = await as('calls:read');
    expect(readOnly.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(readOnly.errors?.[0]?.message).toBe('This needs the scope calls:create');
    const createOnly = await as('calls:create');
    expect(createOnly.errors?.[0]?.message).toBe('This needs the scope calls:read');
    const both = await as('calls:read calls:create');
    expect(both.data?.validateCall.valid).toBe(true);
  });
});
