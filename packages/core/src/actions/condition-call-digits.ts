import * as v from 'valibot';
import { actionSchema, OpenOptionSchema } from './define.ts';

export const ConditionCallDigitsActionSchema = actionSchema(
  'condition_call_digits',
  v.optional(OpenOptionSchema),
);

export type ConditionCallDigitsAction = v.InferOutput<typeof ConditionCallDigitsActionSchema>;
