import * as v from 'valibot';
import { DurationSchema, UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const AiTalkOptionSchema = v.pipe(
  v.strictObject({
    /** @deprecated VoIPBIN: use `assistance_type` + `assistance_id`. */
    ai_id: v.optional(UuidSchema),
    assistance_type: v.optional(v.picklist(['', 'ai', 'team'])),
    assistance_id: v.optional(UuidSchema),
    duration: v.optional(DurationSchema),
  }),
  v.check(
    (option) => Boolean(option.assistance_id || option.ai_id),
    'ai_talk needs `assistance_id` (or the deprecated `ai_id`)',
  ),
);

export const AiTalkActionSchema = actionSchema('ai_talk', AiTalkOptionSchema);

export type AiTalkAction = v.InferOutput<typeof AiTalkActionSchema>;
