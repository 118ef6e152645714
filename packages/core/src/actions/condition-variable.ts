import * as v from 'valibot';
import { actionSchema, OpenOptionSchema } from './define.ts';

export const ConditionVariableActionSchema = actionSchema(
  'condition_variable',
  v.optional(OpenOptionSchema),
);

export type ConditionVariableAction = v.InferOutput<typeof ConditionVariableActionSchema>;
