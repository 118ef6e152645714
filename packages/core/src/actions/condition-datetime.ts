import * as v from 'valibot';
import { actionSchema, OpenOptionSchema } from './define.ts';

export const ConditionDatetimeActionSchema = actionSchema(
  'condition_datetime',
  v.optional(OpenOptionSchema),
);

export type ConditionDatetimeAction = v.InferOutput<typeof ConditionDatetimeActionSchema>;
