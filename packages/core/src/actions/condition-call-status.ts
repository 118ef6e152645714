import * as v from 'valibot';
import { actionSchema, OpenOptionSchema } from './define.ts';

export const ConditionCallStatusActionSchema = actionSchema(
  'condition_call_status',
  v.optional(OpenOptionSchema),
);

export type ConditionCallStatusAction = v.InferOutput<typeof ConditionCallStatusActionSchema>;
