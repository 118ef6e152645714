import type { CreateCall } from './documents.ts';
import type { VariablesOf } from './graphql.ts';

/** The form's fields, in the order they appear (the first invalid one gets the focus). */
export const FIELDS = ['source', 'destination', 'text', 'language', 'gender'] as const;
export type Field = (typeof FIELDS)[number];

export const GENDERS = ['FEMALE', 'MALE', 'NEUTRAL'] as const;
export type Gender = (typeof GENDERS)[number];

export interface FormValues {
  source: string;
  destination: string;
  text: string;
  language: string;
  gender: Gender;
}

/** A message per invalid field. */
export type FieldErrors = Partial<Record<Field, string>>;

/** VoIPBIN's quickstart call (docs: quickstart "Make your first voice call with manual actions"). */
export const QUICKSTART: FormValues = {
  source: '+821028286521',
  destination: '+821021656521',
  text: 'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.',
  language: 'en-US',
  gender: 'FEMALE',
};

/** E.164: `+`, a digit 1-9, then at most 14 digits. */
export const E164 = /^\+[1-9]\d{1,14}$/;
/** A BCP 47 tag as VoIPBIN's talk action takes it (en-US, ko-KR, ...). */
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/**
 * What the browser can tell before sending: the shape of each number (E.164), a text to say, a
 * language tag. Which numbers may be called is the gateway's policy; it answers for those.
 */
export function validateForm(values: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  const number = (field: 'source' | 'destination', label: string) => {
    const value = values[field].trim();
    if (value === '') errors[field] = `Enter the ${label} number.`;
    else if (!E164.test(value))
      errors[field] =
        `The ${label} number must be in E.164 form: + and country code, e.g. +821021656521.`;
  };
  number('source', 'source');
  number('destination', 'destination');
  if (values.text.trim() === '') errors.text = 'Enter the text to say.';
  if (values.language.trim() !== '' && !LANGUAGE.test(values.language.trim()))
    errors.language = 'Enter a language tag such as en-US, or leave it empty.';
  return errors;
}

/** The first field with an error, in the form's order. */
export function firstInvalid(errors: FieldErrors): Field | undefined {
  return FIELDS.find((field) => errors[field] !== undefined);
}

/** createCall's input for the form: one TEL destination and one talk action. */
export function toCreateCallInput(values: FormValues): VariablesOf<typeof CreateCall>['input'] {
  const language = values.language.trim();
  return {
    source: { type: 'TEL', target: values.source.trim() },
    destinations: [{ type: 'TEL', target: values.destination.trim() }],
    actions: [
      {
        talk: {
          text: values.text,
          gender: values.gender,
          ...(language === '' ? {} : { language }),
        },
      },
    ],
  };
}
