import * as v from 'valibot';
import { DurationSchema, UuidSchema } from '../primitives.ts';
import { actionSchema, text } from './define.ts';

/** Deprecated by VoIPBIN: use `condition_variable` on `voipbin.call.digits`. */
export const ConditionCallDigitsOptionSchema = v.strictObject({
  length: v.optional(DurationSchema),
  key: v.optional(text()),
  false_target_id: v.optional(UuidSchema),
});

export const ConditionCallDigitsActionSchema = actionSchema(
  'condition_call_digits',
  v.optional(ConditionCallDigitsOptionSchema),
);

export type ConditionCallDigitsAction = v.InferOutput<typeof ConditionCallDigitsActionSchema>;
