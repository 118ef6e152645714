import * as v from 'valibot';
import { actionSchema, nonEmptyText, text } from './define.ts';

export const VariableSetOptionSchema = v.strictObject({
  key: nonEmptyText(),
  /** Left out, the variable is set to `""`. */
  value: v.optional(text()),
});

export const VariableSetActionSchema = actionSchema('variable_set', VariableSetOptionSchema);

export type VariableSetAction = v.InferOutput<typeof VariableSetActionSchema>;
