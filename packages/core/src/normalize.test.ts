import { describe, expect, it } from 'vitest';
import { NIL_UUID, normalize, UNSET_TIMESTAMP } from './normalize.ts';

describe('normalize', () => {
  it.each([
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['an empty string', ''],
    ['the 9999 timestamp sentinel', '9999-01-01 00:00:00.000000'],
    ['the 9999 sentinel in ISO form', '9999-01-01T00:00:00.000000Z'],
    ['undefined (a field left out)', undefined],
    ['null', null],
  ])('reads %s as null', (_, value) => {
    expect(normalize(value)).toBeNull();
  });

  it('exports the sentinels it reads as null', () => {
    expect(normalize(NIL_UUID)).toBeNull();
    expect(normalize(UNSET_TIMESTAMP)).toBeNull();
  });

  it.each([
    [
      'an older timestamp (UTC, no zone)',
      '2023-03-28 12:00:05.248732',
      '2023-03-28T12:00:05.248732Z',
    ],
    ['an older timestamp without a fraction', '2023-03-28 12:00:05', '2023-03-28T12:00:05Z'],
    ['a current timestamp', '2026-01-15T09:30:00.000000Z', '2026-01-15T09:30:00.000000Z'],
    ['a timestamp with a +00:00 offset', '2026-01-15T09:30:00+00:00', '2026-01-15T09:30:00Z'],
    ['a timestamp with milliseconds', '2026-01-15T09:30:00.123Z', '2026-01-15T09:30:00.123Z'],
    ['a current timestamp without a fraction', '2026-01-15T09:30:00Z', '2026-01-15T09:30:00Z'],
    ['a fraction trimmed to one digit', '2026-01-15T09:30:00.5Z', '2026-01-15T09:30:00.5Z'],
    ['nanoseconds', '2026-01-15T09:30:00.123456789Z', '2026-01-15T09:30:00.123456789Z'],
    [
      'nanoseconds with +00:00',
      '2026-01-15T09:30:00.123456789+00:00',
      '2026-01-15T09:30:00.123456789Z',
    ],
    ['a -00:00 offset', '2026-01-15T09:30:00-00:00', '2026-01-15T09:30:00Z'],
    ['a lower-case t and z', '2026-01-15t09:30:00.5z', '2026-01-15T09:30:00.5Z'],
    ['a +09:00 offset, converted', '2026-01-15T18:30:00+09:00', '2026-01-15T09:30:00Z'],
    [
      'a +09:00 offset over midnight, fraction kept',
      '2026-01-01T05:00:00.123456789+09:00',
      '2025-12-31T20:00:00.123456789Z',
    ],
    ['a -05:30 offset, converted', '2026-02-28T21:00:00.5-05:30', '2026-03-01T02:30:00.5Z'],
    ['a leap day across an offset', '2024-02-29T23:30:00-01:00', '2024-03-01T00:30:00Z'],
    ['an offset without a colon', '2026-01-15T18:30:00+0900', '2026-01-15T09:30:00Z'],
    [
      'a legacy timestamp with 9 digits',
      '2023-03-28 12:00:05.248732123',
      '2023-03-28T12:00:05.248732123Z',
    ],
  ])('writes %s as ISO 8601 UTC', (_, value, expected) => {
    expect(normalize(value)).toBe(expected);
    expect(new Date(expected).toISOString().slice(0, 19)).toBe(expected.slice(0, 19));
  });

  it.each([
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['a UUID that is almost nil', '00000000-0000-0000-0000-000000000001'],
    ['a phone number', '+821028286521'],
    ['an enum value', 'progressing'],
    ['a date without a time', '2026-01-15'],
    ['a fraction of 10 digits', '2026-01-15T09:30:00.1234567891Z'],
    ['a timestamp with an impossible month', '2026-13-15T09:30:00Z'],
    ['a timestamp with an impossible offset', '2026-01-15T09:30:00+24:00'],
    ['a timestamp without seconds', '2026-01-15T09:30Z'],
    ['a string of spaces', ' '],
    ['the text "null"', 'null'],
    ['a number', 42],
    ['zero', 0],
    ['false', false],
    ['true', true],
  ])('leaves %s unchanged', (_, value) => {
    expect(normalize(value)).toBe(value);
  });

  it('converts an offset to the same instant Date reads', () => {
    for (const value of ['2026-01-15T18:30:00.250+09:00', '2026-07-01T00:15:00.5-07:00']) {
      expect(new Date(normalize(value) as string).getTime()).toBe(new Date(value).getTime());
    }
  });

  it('leaves objects and arrays as they are', () => {
    const object = { a: '' };
    const array = [''];
    expect(normalize(object)).toBe(object);
    expect(normalize(array)).toBe(array);
  });
});
