import * as v from 'valibot';
import { DurationSchema, UuidSchema } from '../primitives.ts';
import { actionSchema, condition, text } from './define.ts';

export const ConditionVariableOptionSchema = v.strictObject({
  condition: v.optional(condition()),
  variable: v.optional(text()),
  value_type: v.optional(v.picklist(['string', 'number', 'length'])),
  value_string: v.optional(text()),
  /** Any number: VoIPBIN's `float32`. */
  value_number: v.optional(v.number()),
  value_length: v.optional(DurationSchema),
  false_target_id: v.optional(UuidSchema),
});

export const ConditionVariableActionSchema = actionSchema(
  'condition_variable',
  v.optional(ConditionVariableOptionSchema),
);

export type ConditionVariableAction = v.InferOutput<typeof ConditionVariableActionSchema>;
