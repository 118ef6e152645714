import { describe, expect, it } from 'vitest';
import { firstInvalid, QUICKSTART, toCreateCallInput, validateForm } from './form.ts';

describe('validateForm', () => {
  it('accepts the quickstart', () => {
    expect(validateForm(QUICKSTART)).toEqual({});
  });

  it('rejects a number that is not E.164, and an empty one', () => {
    const errors = validateForm({ ...QUICKSTART, source: '', destination: '01021656521' });
    expect(errors.source).toMatch(/Enter the source number/);
    expect(errors.destination).toMatch(/E\.164/);
    expect(firstInvalid(errors)).toBe('source');
  });

  it.each(['+0821021656521', '+82 10 2165 6521', '+1234567890123456', '+'])(
    'rejects %s',
    (destination) => {
      expect(validateForm({ ...QUICKSTART, destination }).destination).toBeDefined();
    },
  );

  it('lets a number of a denied range through: the gateway policy answers for it', () => {
    expect(validateForm({ ...QUICKSTART, destination: '+19005550100' })).toEqual({});
  });

  it('wants a text to say, and a language tag when one is given', () => {
    const errors = validateForm({ ...QUICKSTART, text: '  ', language: 'english!' });
    expect(Object.keys(errors)).toEqual(['text', 'language']);
    expect(validateForm({ ...QUICKSTART, language: '' })).toEqual({});
  });
});

describe('toCreateCallInput', () => {
  it("is the quickstart call in the gateway's input", () => {
    expect(toCreateCallInput(QUICKSTART)).toEqual({
      source: { type: 'TEL', target: '+821028286521' },
      destinations: [{ type: 'TEL', target: '+821021656521' }],
      actions: [{ talk: { text: QUICKSTART.text, gender: 'FEMALE', language: 'en-US' } }],
    });
  });
});
