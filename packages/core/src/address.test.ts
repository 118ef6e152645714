import { describe, expect, it } from 'vitest';
import {
  ADDRESS_TYPES,
  AddressSchema,
  type AddressType,
  ResponseAddressSchema,
} from './address.ts';
import { check } from './validate.ts';

const UUID = '9b0c3f0e-6d2a-4c1b-8e7f-1a2b3c4d5e6f';

/** A realistic address of every type, as a user would write it in a request. */
const valid = {
  tel: { type: 'tel', target: '+14155551234' },
  agent: { type: 'agent', target: UUID },
  conference: { type: 'conference', target: 'c6a1f2e4-3b5d-4e7f-9a0b-1c2d3e4f5a6b' },
  email: { type: 'email', target: 'alice@example.com' },
  extension: { type: 'extension', target: UUID },
  line: { type: 'line', target: 'U4af4980629abcdef0123456789abcdef' },
  sip: { type: 'sip', target: 'sip:alice@sip.example.com' },
  web_session: { type: 'web_session', target: 'f3c2b1a0-9e8d-4c7b-a6f5-e4d3c2b1a090' },
} satisfies Record<AddressType, unknown>;

function issuesOf(input: unknown) {
  const result = check(AddressSchema, input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.issues;
}

describe('AddressSchema', () => {
  it('has an example for every address type', () => {
    expect(Object.keys(valid).sort()).toEqual([...ADDRESS_TYPES].sort());
  });

  it.each(Object.entries(valid))('accepts a %s address with a realistic target', (_, address) => {
    expect(check(AddressSchema, address)).toEqual({ success: true, output: address });
  });

  it('accepts an extension named by target_name alone', () => {
    const address = { type: 'extension', target_name: 'alice' };
    expect(check(AddressSchema, address)).toEqual({ success: true, output: address });
  });

  it('accepts a SIP target without the sip: scheme, and a sips: one', () => {
    expect(check(AddressSchema, { type: 'sip', target: 'alice@sip.example.com' }).success).toBe(
      true,
    );
    expect(check(AddressSchema, { type: 'sip', target: 'sips:bob@example.com:5061' }).success).toBe(
      true,
    );
  });

  it('keeps the optional labels it is given', () => {
    const address = {
      type: 'tel',
      target: '+821028286521',
      target_name: 'Reception',
      name: 'Seoul office',
      detail: 'Front desk line',
    };
    expect(check(AddressSchema, address)).toEqual({ success: true, output: address });
  });

  it.each([
    ['spaces', '+1 415 555 1234'],
    ['dashes', '+1-415-555-1234'],
    ['too few digits', '+1415555'],
    ['more than 15 digits', '+1415555123456789'],
    ['no leading +', '14155551234'],
    ['a leading 0 after +', '+04155551234'],
    ['letters', '+82XXXXXXXX'],
    ['an empty string', ''],
  ])('rejects a tel target with %s', (_, target) => {
    expect(issuesOf({ type: 'tel', target })).toEqual([
      { path: 'target', message: 'Expected an E.164 phone number: "+" then 8 to 15 digits' },
    ]);
  });

  it('accepts tel targets of exactly 8 and exactly 15 digits', () => {
    expect(check(AddressSchema, { type: 'tel', target: '+14155551' }).success).toBe(true);
    expect(check(AddressSchema, { type: 'tel', target: '+141555512345678' }).success).toBe(true);
  });

  it.each(['agent', 'conference'] as const)('rejects a %s target that is not a UUID', (type) => {
    expect(issuesOf({ type, target: 'alice' })).toEqual([
      { path: 'target', message: expect.stringContaining('Expected a UUID') },
    ]);
  });

  it('rejects an extension with a target that is not a UUID', () => {
    expect(issuesOf({ type: 'extension', target: '2001' })).toEqual([
      { path: 'target', message: expect.stringContaining('Expected a UUID') },
    ]);
  });

  it.each([
    ['neither target nor target_name', { type: 'extension' }],
    ['an empty target_name', { type: 'extension', target_name: '' }],
  ])('rejects an extension with %s', (_, address) => {
    expect(issuesOf(address)).toEqual([
      {
        path: '',
        message: 'An extension needs its id in `target` or its name in `target_name`',
      },
    ]);
  });

  it.each(['alice', 'alice@', '@example.com', 'alice@example', 'alice example@example.com'])(
    'rejects the e-mail target %j',
    (target) => {
      expect(issuesOf({ type: 'email', target })).toContainEqual({
        path: 'target',
        message: 'Expected an e-mail address',
      });
    },
  );

  it.each(['sip:alice', 'alice', 'sip:@example.com', 'sip:alice bob@example.com', ''])(
    'rejects the SIP target %j',
    (target) => {
      const issues = issuesOf({ type: 'sip', target });
      expect(issues.map((issue) => issue.path)).toEqual(
        target === '' ? ['target', 'target'] : ['target'],
      );
      expect(issues.at(-1)?.message).toBe('Expected a SIP URI such as sip:alice@example.com');
    },
  );

  it.each(['line', 'web_session'] as const)('rejects an empty %s target', (type) => {
    expect(issuesOf({ type, target: '' })).toEqual([
      { path: 'target', message: 'Expected a target' },
    ]);
  });

  it('rejects an unknown address type and names the known ones', () => {
    const [issue, ...rest] = issuesOf({ type: 'phone', target: '+14155551234' });
    expect(rest).toEqual([]);
    expect(issue?.path).toBe('type');
    for (const type of ADDRESS_TYPES) expect(issue?.message).toContain(`"${type}"`);
  });

  it('rejects an address without a type', () => {
    expect(issuesOf({ target: '+14155551234' })).toEqual([
      { path: 'type', message: expect.stringContaining('received undefined') },
    ]);
  });

  it('rejects a target that is missing', () => {
    expect(issuesOf({ type: 'tel' })).toEqual([{ path: 'target', message: 'Required' }]);
  });

  it('rejects an unknown field, so that a typo is not sent silently', () => {
    expect(issuesOf({ type: 'tel', target: '+14155551234', number: '+14155551234' })).toEqual([
      { path: 'number', message: 'Unknown field; check its spelling' },
    ]);
  });

  it('rejects something that is not an object', () => {
    expect(issuesOf('+14155551234')).toEqual([
      { path: '', message: expect.stringContaining('Expected Object') },
    ]);
    expect(issuesOf(null)).toEqual([
      { path: '', message: expect.stringContaining('Expected Object') },
    ]);
  });

  const huge = 'a'.repeat(100_000);
  it.each([
    ['tel', `+1${'5'.repeat(100_000)}`],
    ['agent', huge],
    ['email', `${huge}@example.com`],
    ['sip', `sip:${huge}@example.com`],
    ['line', huge],
    ['web_session', huge],
  ])('rejects a huge %s target', (type, target) => {
    const issues = issuesOf({ type, target });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((issue) => issue.path === 'target')).toBe(true);
  });

  it('rejects a huge email target with a length message', () => {
    expect(issuesOf({ type: 'email', target: `${'a'.repeat(300)}@example.com` })).toEqual([
      { path: 'target', message: 'Expected at most 255 characters' },
    ]);
  });

  it.each([
    ['target_name', 256, 'Expected at most 255 characters'],
    ['name', 256, 'Expected at most 255 characters'],
    ['detail', 1025, 'Expected at most 1024 characters'],
  ])('rejects a %s longer than its limit', (field, length, message) => {
    const address = { type: 'tel', target: '+14155551234', [field]: 'x'.repeat(length) };
    expect(issuesOf(address)).toEqual([{ path: field, message }]);
    expect(check(AddressSchema, { ...address, [field]: 'x'.repeat(length - 1) }).success).toBe(
      true,
    );
  });
});

describe('ResponseAddressSchema', () => {
  it('reads the empty strings VoIPBIN answers as null', () => {
    const answered = {
      type: 'tel',
      target: '+821028286521',
      target_name: '',
      name: '',
      detail: '',
    };
    expect(check(ResponseAddressSchema, answered)).toEqual({
      success: true,
      output: {
        type: 'tel',
        target: '+821028286521',
        target_name: null,
        name: null,
        detail: null,
      },
    });
  });

  it('reads an address of type "" and empty texts as all null', () => {
    const answered = { type: '', target: '', target_name: '', name: '', detail: '' };
    expect(check(ResponseAddressSchema, answered)).toEqual({
      success: true,
      output: { type: null, target: null, target_name: null, name: null, detail: null },
    });
  });

  it('keeps free text as written: a name that looks like a timestamp, a nil UUID', () => {
    const answered = {
      type: 'sip',
      target: '00000000-0000-0000-0000-000000000000',
      target_name: '9999-01-01 00:00:00.000000',
      name: '2024-05-01 10:00:00',
      detail: '2026-01-15T09:30:00Z',
    };
    expect(check(ResponseAddressSchema, answered)).toEqual({ success: true, output: answered });
  });

  it('keeps an address type this version does not know, and drops unknown fields', () => {
    const answered = { type: 'whatsapp', target: '+14155551234', carrier: 'x' };
    expect(check(ResponseAddressSchema, answered)).toEqual({
      success: true,
      output: {
        type: 'whatsapp',
        target: '+14155551234',
        target_name: null,
        name: null,
        detail: null,
      },
    });
  });

  it('does not check the target of an answer against the request rules', () => {
    // VoIPBIN's answers are read as they come; a legacy number format must not break a read.
    const output = check(ResponseAddressSchema, { type: 'tel', target: '1001' });
    expect(output).toMatchObject({ success: true, output: { target: '1001' } });
  });
});
