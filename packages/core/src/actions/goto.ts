import * as v from 'valibot';
import { DurationSchema, UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const GotoOptionSchema = v.strictObject({
  target_id: UuidSchema,
  loop_count: v.optional(DurationSchema),
});

export const GotoActionSchema = actionSchema('goto', GotoOptionSchema);

export type GotoAction = v.InferOutput<typeof GotoActionSchema>;
