import * as v from 'valibot';
import { LanguageSchema } from '../primitives.ts';
import { actionSchema, nonEmptyText } from './define.ts';

export const TalkOptionSchema = v.strictObject({
  text: nonEmptyText(),
  gender: v.optional(v.picklist(['male', 'female', 'neutral'])),
  language: v.optional(LanguageSchema),
  digits_handle: v.optional(v.picklist(['', 'next'])),
  async: v.optional(v.boolean()),
});

export const TalkActionSchema = actionSchema('talk', TalkOptionSchema);

export type TalkAction = v.InferOutput<typeof TalkActionSchema>;
