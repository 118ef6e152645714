import * as v from 'valibot';
import { DurationSchema, UuidSchema } from '../primitives.ts';
import { actionSchema, condition } from './define.ts';

export const ConditionDatetimeOptionSchema = v.strictObject({
  condition: v.optional(condition()),
  /** 0-59. */
  minute: v.optional(DurationSchema),
  /** 0-23. */
  hour: v.optional(DurationSchema),
  /** 1-31. */
  day: v.optional(DurationSchema),
  /** 1-12. */
  month: v.optional(DurationSchema),
  /** Sunday 0 to Saturday 6. */
  weekdays: v.optional(v.array(DurationSchema)),
  false_target_id: v.optional(UuidSchema),
});

export const ConditionDatetimeActionSchema = actionSchema(
  'condition_datetime',
  v.optional(ConditionDatetimeOptionSchema),
);

export type ConditionDatetimeAction = v.InferOutput<typeof ConditionDatetimeActionSchema>;
