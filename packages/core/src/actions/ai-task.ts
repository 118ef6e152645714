import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const AiTaskOptionSchema = v.pipe(
  v.strictObject({
    /** @deprecated VoIPBIN: use `assistance_type` + `assistance_id`. */
    ai_id: v.optional(UuidSchema),
    assistance_type: v.optional(v.picklist(['', 'ai', 'team'])),
    assistance_id: v.optional(UuidSchema),
  }),
  v.check(
    (option) => Boolean(option.assistance_id || option.ai_id),
    'ai_task needs `assistance_id` (or the deprecated `ai_id`)',
  ),
);

export const AiTaskActionSchema = actionSchema('ai_task', AiTaskOptionSchema);

export type AiTaskAction = v.InferOutput<typeof AiTaskActionSchema>;
