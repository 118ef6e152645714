import * as v from 'valibot';
import { LanguageSchema } from '../primitives.ts';
import { actionSchema, nonEmptyText, text } from './define.ts';

/** VoIPBIN's `OptionTalk`, plus the `gender` the 2023 quickstart still sends. */
export const TalkOptionSchema = v.strictObject({
  text: nonEmptyText(),
  language: v.optional(LanguageSchema),
  /** The text-to-speech provider, e.g. `gcp` or `aws`; VoIPBIN picks one when left out. */
  provider: v.optional(text()),
  /** The provider's own voice id. */
  voice_id: v.optional(text()),
  digits_handle: v.optional(v.picklist(['', 'next'])),
  async: v.optional(v.boolean()),
  /**
   * @deprecated VoIPBIN no longer reads it (choose a voice with `provider` and `voice_id`);
   * accepted so that older requests, such as the 2023 quickstart's, keep working.
   */
  gender: v.optional(v.picklist(['male', 'female', 'neutral'])),
});

export const TalkActionSchema = actionSchema('talk', TalkOptionSchema);

export type TalkAction = v.InferOutput<typeof TalkActionSchema>;
